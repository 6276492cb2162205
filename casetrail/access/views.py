"""Web UI of copies (第三十二条): register a 调用单 on a case, its page (what is marked, the 局长's
decision per item, redactions, packages and their receipts), and the download link a recipient
uses without a login."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from casetrail.access.actions import (
    Authority,
    copy_decisions_set,
    copy_request_register,
    redaction_create,
)
from casetrail.access.delivery import download, make_package
from casetrail.access.forms import (
    PackageForm,
    RedactionForm,
    chosen_items,
    decisions_form,
    decisions_of,
    register_form,
)
from casetrail.access.models import CopyRequest, Disposition, Redaction
from casetrail.access.rules import require_decider
from casetrail.access.selectors import (
    binding_decisions,
    candidates,
    is_approved,
    items_of,
    request_for_user,
)
from casetrail.approvals.models import ChainStatus
from casetrail.approvals.selectors import why_cannot_act
from casetrail.cases.selectors import case_for_user, may_see_personal_data
from casetrail.evidence.storage import blob_store
from casetrail.lib.errors import ActionError
from casetrail.lib.forms import apply_error
from casetrail.org.reauth import recent_auth_required
from casetrail.org.selectors import officer_for_request

FORM_FIELDS = (
    "requester_kind",
    "requester",
    "requester_id",
    "requester_phone",
    "authority",
    "purpose",
)


@login_required
@require_http_methods(["GET", "POST"])
def copy_register(request: HttpRequest, case_id: int) -> HttpResponse:
    """登记调用单: the handler of the case fills in who asks and for what, and picks the items."""
    officer = officer_for_request(request.user)
    case = case_for_user(user=request.user, case_id=case_id)
    if not case.assignments.filter(officer=officer).exists():
        return render(
            request, "error.html", {"message": "只有本案承办人员可以登记调用单"}, status=403
        )
    offered = candidates(case)
    form = register_form(case, offered)(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            upload = data.get("authority_file")
            authority = (
                Authority(b"".join(upload.chunks()), upload.content_type or "")
                if upload is not None
                else None
            )
            try:
                copy = copy_request_register(
                    case=case,
                    officer=officer,
                    fields={k: data.get(k) for k in FORM_FIELDS if data.get(k) not in (None, "")},
                    items=chosen_items(data),
                    opinion=data.get("opinion") or "",
                    authority=authority,
                )
            except ActionError as err:
                apply_error(form, err)
            else:
                return redirect("copy-detail", request_id=copy.pk)
        status = 400
    return render(
        request,
        "form.html",
        {"form": form, "title": "登记行政执法全过程记录调用单", "case": case, "multipart": True},
        status=status,
    )


def _detail_context(copy: CopyRequest, officer: Any) -> dict[str, Any]:
    items = items_of(copy)
    decided = binding_decisions(copy)
    chain = copy.chain
    may_decide = chain.status == ChainStatus.PENDING_DECISION and not why_cannot_act(
        officer=officer, chain=chain
    )
    handler = copy.case.assignments.filter(officer=officer).exists()
    approved = is_approved(copy)
    rows = [
        {
            "item": i,
            "decision": decided.get(i.pk),
            "redactions": list(i.redactions.all()),
            "may_redact": handler
            and approved
            and decided.get(i.pk) is not None
            and decided[i.pk].disposition == Disposition.REDACTED,
        }
        for i in items
    ]
    return {
        "copy": copy,
        "case": copy.case,
        "rows": rows,
        "chain": chain,
        "may_decide": may_decide,
        "decide_form": decisions_form(items)() if may_decide else None,
        "may_package": handler and approved,
        "package_form": PackageForm(initial={"recipient": copy.requester})
        if handler and approved
        else None,
        "redaction_form": RedactionForm(),
        "packages": list(copy.packages.prefetch_related("receipts", "receipts__by")),
        "personal": may_see_personal_data(officer=officer, case=copy.case),
        "fields": copy.record.shown_fields(
            personal=may_see_personal_data(officer=officer, case=copy.case)
        ),
    }


@login_required
@require_GET
def copy_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    officer = officer_for_request(request.user)
    copy = request_for_user(user=request.user, request_id=request_id)
    return render(request, "access/detail.html", _detail_context(copy, officer))


def _refused(
    request: HttpRequest, copy: CopyRequest, officer: Any, err: ActionError
) -> HttpResponse:
    context = _detail_context(copy, officer)
    context["error"] = err.message
    return render(request, "access/detail.html", context, status=err.status)


@login_required
@require_POST
@recent_auth_required  # issuing a copy is a sensitive action (issue 15)
def copy_decide(request: HttpRequest, request_id: int) -> HttpResponse:
    officer = officer_for_request(request.user)
    copy = request_for_user(user=request.user, request_id=request_id)
    items = items_of(copy)
    form = decisions_form(items)(request.POST)
    try:
        require_decider(copy, officer)
        if not form.is_valid():
            raise ActionError("invalid_input", "请逐项选择决定")
        copy_decisions_set(
            request=copy, officer=officer, decisions=decisions_of(items, form.cleaned_data)
        )
    except ActionError as err:
        return _refused(request, copy, officer, err)
    return redirect("chain-detail", chain_id=copy.chain_id)


@login_required
@require_POST
def copy_redact(request: HttpRequest, request_id: int, item_id: int) -> HttpResponse:
    officer = officer_for_request(request.user)
    copy = request_for_user(user=request.user, request_id=request_id)
    item = copy.items.filter(pk=item_id).first()
    form = RedactionForm(request.POST)
    try:
        if item is None or not form.is_valid():
            raise ActionError("invalid_input", "请填写删除理由和区域")
        item.request = copy
        redaction_create(
            item=item,
            officer=officer,
            reason=form.cleaned_data.get("reason") or "",
            regions=form.cleaned_data.get("regions") or "",
        )
    except ActionError as err:
        return _refused(request, copy, officer, err)
    return redirect("copy-detail", request_id=copy.pk)


@login_required
@require_POST
@recent_auth_required  # issuing a copy is a sensitive action (issue 15)
def copy_package(request: HttpRequest, request_id: int) -> HttpResponse:
    """Make a link package; the link is shown once on the page that answers (only its hash is
    kept)."""
    officer = officer_for_request(request.user)
    copy = request_for_user(user=request.user, request_id=request_id)
    form = PackageForm(request.POST)
    try:
        if not form.is_valid():
            raise ActionError("invalid_input", "请填写接收人、有效天数和可下载次数")
        package, token, _ = make_package(
            request=copy,
            officer=officer,
            recipient=form.cleaned_data["recipient"],
            days=form.cleaned_data["days"],
            uses=form.cleaned_data["uses"],
        )
    except ActionError as err:
        return _refused(request, copy, officer, err)
    link = request.build_absolute_uri(f"/copies/d/{token}/")
    return render(
        request,
        "access/link.html",
        {"copy": copy, "case": copy.case, "package": package, "link": link},
    )


@login_required
@require_GET
def redaction_file(request: HttpRequest, request_id: int, redaction_id: int) -> FileResponse:
    """The redacted file as made, for the officers who read the case to check it before it is
    delivered (it holds no more than the copy will)."""
    copy = request_for_user(user=request.user, request_id=request_id)
    redaction = (
        Redaction.objects.select_related("blob").filter(pk=redaction_id, item__request=copy).first()
    )
    if redaction is None:
        raise Http404("删除处理件不存在")
    response = FileResponse(
        blob_store().iter_bytes(redaction.blob.sha256), content_type=redaction.blob.media_type
    )
    response["Content-Length"] = str(redaction.blob.size)
    response["Content-Disposition"] = "inline"
    return response


@require_GET
def copy_download(request: HttpRequest, token: str) -> HttpResponse | FileResponse:
    """The recipient's download (no login): counted, refused past its date or count."""
    try:
        package, path = download(token=token, address=request.META.get("REMOTE_ADDR", ""))
    except ActionError as err:
        return render(request, "error.html", {"message": err.message}, status=err.status)
    response = FileResponse(path.open("rb"), content_type="application/zip")
    name = quote(f"{package.request.number}-复制件.zip")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response
