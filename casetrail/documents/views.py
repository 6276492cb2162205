"""Web UI of documents: a record's 文书 (签发, 打印), the PDF itself, and the staff page that checks
a PDF or a paper copy's code against the ledger."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from casetrail.cases.hooks import Confirmation
from casetrail.cases.reading import object_read, read_state
from casetrail.cases.selectors import marks_of, may_see_personal_data
from casetrail.documents.actions import (
    document_pattern_set,
    document_receipt_scanned,
    document_withdraw,
)
from casetrail.documents.bulk import case_bundle, issued_of
from casetrail.documents.content import blank_receipt
from casetrail.documents.families import NUMBERED
from casetrail.documents.forms import ReceiptScanForm
from casetrail.documents.issuable import check_issuable
from casetrail.documents.issuing import issue
from casetrail.documents.models import Family, IssuedDocument
from casetrail.documents.panels import SERVED
from casetrail.documents.render import render as render_pdf
from casetrail.documents.selectors import (
    case_for_print,
    document_for_user,
    issued_for_record,
    patterns_for_admin,
    receipts_of,
)
from casetrail.documents.verification import Verification, verify_code, verify_pdf
from casetrail.documents.writes import MAX_SCAN_BYTES
from casetrail.evidence.destroyed import gone, gone_response
from casetrail.evidence.storage import blob_store
from casetrail.lib import form_fields
from casetrail.lib.errors import ActionError
from casetrail.lib.forms import apply_error
from casetrail.org.reauth import recent_auth_required
from casetrail.org.selectors import officer_for_request
from casetrail.records.models import Record
from casetrail.records.selectors import record_for_user

MAX_VERIFY_BYTES = 20 * 1024 * 1024
ISSUE_EFFECT = (
    "签发“{title}”：按文书类别取下一个文号，加盖本机关电子印章，生成 PDF/A 文书并记入日志。"
    "签发后文书不再重新生成，文号不再收回，签发不能撤销。"
)


def is_withdrawn(document: IssuedDocument) -> bool:
    return getattr(document, "withdrawal", None) is not None


@login_required
def document_record(request: HttpRequest, record_id: int) -> HttpResponse:
    """The record's 文书: issued (文号, who, when, digests, 打印; for a served document its
    送达回证, blank to print and signed to record from its scan) or what stands in the way."""
    record = record_for_user(user=request.user, record_id=record_id)
    context = record_context(request, record, issued_for_record(record.pk))
    return render(request, "documents/record.html", context)


def record_context(
    request: HttpRequest, record: Record, document: IssuedDocument | None
) -> dict[str, Any]:
    officer = officer_for_request(request.user)
    case = record.case
    assigned = case.assignments.filter(officer=officer).exists()
    refusal = ""
    if document is None:
        try:
            check_issuable(record)
        except ActionError as err:
            refusal = err.message
    live = document is not None and not is_withdrawn(document)
    receipts = receipts_of(record) if document is not None and record.kind in SERVED else []
    party = (record.fields or {}).get("party")
    return {
        "record": record,
        "case": case,
        "document": document,
        "may_issue": assigned and document is None and not refusal,
        "may_withdraw": assigned and live,
        "refusal": refusal,
        "may_download": may_see_personal_data(officer=officer, case=case),
        # 第三十三条: a marked record's 文书 (or a 涉密 case's) after the reader's reason.
        "ask_reason": read_state(request, officer=officer, case=case).needs_reason
        and (
            case.confidentiality == "secret"
            or bool(marks_of(case=case, target=f"record:{record.pk}"))
        ),
        "served": record.kind in SERVED,
        "receipts": receipts,
        "receipt_form": ReceiptScanForm(
            initial={"recipient": party.get("name", "") if isinstance(party, dict) else ""}
        )
        if assigned and live and record.kind in SERVED
        else None,
    }


@login_required
@require_POST
def document_issue_view(request: HttpRequest, record_id: int) -> HttpResponse:
    """签发: a page says what issuing does (it cannot be undone) before 确认 issues it."""
    officer = officer_for_request(request.user)
    record = record_for_user(user=request.user, record_id=record_id)
    if "back" in request.POST:
        return redirect("document-record", record_id=record.pk)
    try:
        if request.POST.get("confirmed") != "1":
            check_issuable(record)
            return render(
                request,
                "cases/confirm.html",
                {
                    "case": record.case,
                    "title": f"签发{record.title}",
                    "confirmation": Confirmation(ISSUE_EFFECT.format(title=record.reference)),
                    "fields": [],
                },
            )
        issue(record=record, officer=officer)
    except ActionError as err:
        return render(
            request,
            "documents/record.html",
            {"record": record, "case": record.case, "document": None, "refusal": err.message},
            status=err.status,
        )
    return redirect("document-record", record_id=record.pk)


@login_required
def document_pdf(request: HttpRequest, document_id: int) -> HttpResponse | FileResponse:
    """The issued PDF, as issued (never rendered again); 410 ``destroyed`` once destroyed."""
    document = document_for_user(user=request.user, document_id=document_id, pdf=True)
    if gone(document.blob.sha256):
        return gone_response(request)
    # 第三十三条: the 文书 of a marked record (or of a 涉密 case) with the reader's reason, logged.
    require_marked_read(request, document.case, [document])
    name = f"{document.record.title}-{document.doc_no or document.pk}.pdf"
    response = FileResponse(
        blob_store().iter_bytes(document.blob.sha256), content_type="application/pdf"
    )
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(name)}"
    response["Content-Length"] = str(document.blob.size)
    return response


def require_marked_read(request: HttpRequest, case: Any, documents: list[IssuedDocument]) -> None:
    """第三十三条: the 文书 of a marked record (or of a 涉密 case) only with the reader's reason,
    each read logged (once per session); refused otherwise (the API: ``read_reason_required``)."""
    officer = officer_for_request(request.user)
    for document in documents:
        read = object_read(
            request,
            officer=officer,
            case=case,
            target=f"record:{document.record_id}",
            via="download",
        )
        if read.withheld or not read.personal:
            message = "该文书涉及涉密或个人隐私材料（第三十三条），请先选择查阅事由"
            if request.path.startswith("/api/"):
                raise ActionError("read_reason_required", message, field="reason")
            raise PermissionDenied(message)


def bundle_response(request: HttpRequest, case_id: int) -> HttpResponse:
    """One PDF of every issued document of the case, bookmarked (for the case file); marked ones
    only with the reader's reason, as each PDF alone."""
    case = case_for_print(user=request.user, case_id=case_id)
    documents = issued_of(case)
    if not documents:
        raise ActionError("no_documents", "本案尚无已签发的文书", status=404)
    require_marked_read(request, case, list(documents))
    if any(gone(d.blob.sha256) for d in documents):
        return gone_response(request)
    data, _count = case_bundle(case, documents)
    response = HttpResponse(data, content_type="application/pdf")
    name = quote(f"{case.label}-文书汇总.pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{name}"
    return response


@login_required
def case_documents_pdf(request: HttpRequest, case_id: int) -> HttpResponse:
    try:
        return bundle_response(request, case_id)
    except ActionError as err:
        return render(request, "error.html", {"message": err.message}, status=err.status)


@login_required
def blank_receipt_pdf(request: HttpRequest, record_id: int) -> HttpResponse:
    """The 送达回证 of the record's issued document, blank for signing on paper. Printed on demand,
    never stored: the signed paper, scanned back, is what is recorded (制作文书 → 送达回证, the
    signatures as 纸质签名扫描件)."""
    record = record_for_user(user=request.user, record_id=record_id)
    document = issued_for_record(record.pk)
    if document is None:
        return render(
            request, "error.html", {"message": "请先签发该文书，再打印其送达回证"}, status=404
        )
    document = document_for_user(user=request.user, document_id=document.pk, pdf=True)
    if record.kind not in SERVED:
        return render(request, "error.html", {"message": "该文书无需送达回证"}, status=404)
    pages = render_pdf(blank_receipt(issued=document, now=timezone.now()))
    response = HttpResponse(pages.pdf, content_type="application/pdf")
    name = quote(f"送达回证-{document.doc_no or record.pk}.pdf")
    response["Content-Disposition"] = f"inline; filename*=UTF-8''{name}"
    return response


@login_required
@require_POST
def receipt_scan_view(request: HttpRequest, record_id: int) -> HttpResponse:
    """The signed paper 送达回证 of the record's issued document, scanned back: one form (the scan,
    when, to whom, how, where) records the service and keeps the scan as its attachment."""
    officer = officer_for_request(request.user)
    record = record_for_user(user=request.user, record_id=record_id)
    document = issued_for_record(record.pk)
    if document is None:
        raise Http404("该文书尚未签发")
    form = ReceiptScanForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document_receipt_scanned(
                document=document,
                officer=officer,
                scan=read_upload(form.cleaned_data["file"]),
                receipt=form.receipt(),
            )
        except ActionError as err:
            apply_error(form, err)
        else:
            messages.success(request, "送达回证已登记，扫描件已附在送达回证上")
            return redirect("document-record", record_id=record.pk)
    context = record_context(request, record, document)
    context["receipt_form"] = form
    return render(request, "documents/record.html", context, status=400)


def read_upload(upload: Any) -> bytes:
    """An upload's bytes, refused whole when larger than a scan may be (read no further)."""
    if upload.size > MAX_SCAN_BYTES:
        raise ActionError("scan_too_large", "扫描件不得超过20MB", field="file")
    return b"".join(upload.chunks())


class PatternForm(forms.Form):
    family = forms.ChoiceField(
        label="文书类别", choices=[(f, Family(f).label) for f in sorted(NUMBERED)]
    )
    pattern = form_fields.TextField(
        label="文号格式（须各含一次 {year} 和 {n}，如 陵民罚决〔{year}〕{n}号）", max_length=60
    )


@login_required
@recent_auth_required
@require_http_methods(["GET", "POST"])
def document_patterns(request: HttpRequest) -> HttpResponse:
    """文号设置: the agency's pattern of each numbered family (系统管理员; the default stays in
    force until one is set). A new pattern applies to the numbers drawn after it; the counter of
    the year goes on, so numbers are never reused."""
    rows = patterns_for_admin(user=request.user)
    form = PatternForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            document_pattern_set(
                officer=officer_for_request(request.user),
                family=form.cleaned_data["family"],
                pattern=form.cleaned_data["pattern"],
            )
        except ActionError as err:
            form.add_error(err.field if err.field in form.fields else None, err.message)
            status = err.status
        else:
            messages.success(request, "文号格式已设置，此后签发的文书按新格式取号")
            return redirect("document-patterns")
    elif request.method == "POST":
        status = 400
    return render(request, "documents/patterns.html", {"rows": rows, "form": form}, status=status)


class WithdrawForm(forms.Form):
    reason = form_fields.TextField(
        label="撤回理由（如：送达前发现当事人名称错误，已更正后重新签发）",
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@login_required
@recent_auth_required
@require_http_methods(["GET", "POST"])
def document_withdraw_view(request: HttpRequest, document_id: int) -> HttpResponse:
    """撤回文书 (the case's 承办人, after re-entering the password): the document keeps its 文号
    and its PDF; the withdrawal says why, by whom and when."""
    document = document_for_user(user=request.user, document_id=document_id)
    officer = officer_for_request(request.user)
    if not document.case.assignments.filter(officer=officer).exists():
        raise PermissionDenied("只有本案承办人员可以撤回文书")
    form = WithdrawForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            document_withdraw(
                document=document, officer=officer, reason=form.cleaned_data["reason"]
            )
        except ActionError as err:
            form.add_error("reason" if err.field == "reason" else None, err.message)
            status = err.status
        else:
            return redirect("document-record", record_id=document.record_id)
    elif request.method == "POST":
        status = 400
    return render(
        request,
        "documents/withdraw.html",
        {"document": document, "form": form, "case": document.case},
        status=status,
    )


class VerifyForm(forms.Form):
    file = forms.FileField(label="文书 PDF 文件", required=False)
    code = form_fields.TextField(
        label="或输入核验码（二维码内容，或页脚“核验：…”一行）", required=False, max_length=200
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_verify(request: HttpRequest) -> HttpResponse:
    """Staff check a PDF, or a paper copy's code, against the agency's issued documents."""
    officer = officer_for_request(request.user)
    form = VerifyForm(request.POST or None, request.FILES or None)
    result: Verification | None = None
    status = 200
    if request.method == "POST" and form.is_valid():
        upload, code = form.cleaned_data.get("file"), form.cleaned_data.get("code") or ""
        if upload is not None:
            if upload.size > MAX_VERIFY_BYTES:
                form.add_error("file", "文件不得超过20MB")
                status = 400
            else:
                data = b"".join(upload.chunks())
                result = verify_pdf(data, agency_id=officer.agency_id)
        elif code.strip():
            result = verify_code(code, agency_id=officer.agency_id)
        else:
            form.add_error(None, "请选择 PDF 文件或输入核验码")
            status = 400
    return render(request, "documents/verify.html", {"form": form, "result": result}, status=status)
