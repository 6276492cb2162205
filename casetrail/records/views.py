"""Web UI of records: pick a document of the current stage, fill the form generated from the
catalogue, list the officers present with their certificates shown, capture signatures (drawn on
screen, a scan of the paper, or a refusal with its reason), and attach audio/video or scans."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from casetrail.cases.selectors import case_for_user
from casetrail.evidence.ingest import store_bytes
from casetrail.lib import form_fields
from casetrail.lib.errors import ActionError
from casetrail.lib.forms import apply_error
from casetrail.lib.numbers import parse_int
from casetrail.org.models import Officer, Role
from casetrail.org.selectors import officer_for_request, officers_for_picker
from casetrail.records.actions import (
    OfficerPresent,
    SignatureInput,
    record_attach,
    record_correct,
    record_create,
)
from casetrail.records.catalogue import doc_type, doc_version
from casetrail.records.forms import catalogue_form, initial_from
from casetrail.records.guards import require_made_by_handler
from casetrail.records.models import ATTACHMENT_KINDS, RecordSignature
from casetrail.records.selectors import documents_for, record_for_user

MAX_SCAN_BYTES = 20 * 1024 * 1024
SCAN_TYPES = {"application/pdf", "image/jpeg", "image/png"}


def _require_assigned(case: Any, officer: Officer) -> None:
    if not case.assignments.filter(officer=officer).exists():
        raise PermissionDenied("只有本案承办人员可以制作本案文书")


def stored_scan(officer: Officer, upload: Any, label: str) -> str:
    """Store an uploaded scan (PDF/JPEG/PNG, ≤ 20 MB) and return its SHA-256."""
    if upload.size > MAX_SCAN_BYTES:
        raise ActionError("scan_too_large", f"{label}：扫描件不得超过20MB")
    if upload.content_type not in SCAN_TYPES:
        raise ActionError("scan_type", f"{label}：扫描件应为 PDF、JPEG 或 PNG")
    data = b"".join(upload.chunks())
    return str(store_bytes(officer=officer, data=data, media_type=upload.content_type).sha256)


def _data_url_png(value: str) -> bytes:
    prefix = "data:image/png;base64,"
    if not value.startswith(prefix):
        return b""
    try:
        return base64.b64decode(value[len(prefix) :], validate=True)
    except ValueError:
        return b""


def signatures_from(
    request: HttpRequest, officer: Officer, doc: Any, *, prefix: str = "sig"
) -> list[SignatureInput]:
    """The signature blocks of the form (``records/_signature_pad.html``), one per slot (key),
    their inputs named ``<prefix>_<key>_…``: drawn (PNG data URL), a scan upload, or a refusal;
    an optional signature left as 不签 is not given."""
    signatures = []
    for sig in doc.signatures:
        stem = f"{prefix}_{sig.key}_"
        method = request.POST.get(stem + "method", "")
        if not sig.required and not method:
            continue
        scan = request.FILES.get(stem + "scan")
        sha = ""
        if method == RecordSignature.Method.SCAN:
            # A scan uploaded with an earlier, refused submission of this form is kept by its
            # digest (the action accepts only a blob of the case's agency).
            sha = stored_scan(officer, scan, sig.label) if scan else _sha(request, stem)
        signatures.append(
            SignatureInput(
                key=sig.key,
                name=request.POST.get(stem + "name", ""),
                method=method,
                image=_data_url_png(request.POST.get(stem + "image", "")),
                blob_sha256=sha,
                refusal_reason=request.POST.get(stem + "reason", ""),
            )
        )
    return signatures


def _sha(request: HttpRequest, stem: str) -> str:
    value = request.POST.get(stem + "scan_sha256", "").strip().lower()
    return value if len(value) == 64 and all(c in "0123456789abcdef" for c in value) else ""


@dataclass
class Pad:
    """One signature slot of a form as the page shows it: the catalogue's slot, its inputs'
    prefix, what the user already gave (kept across a refused submission) and its error."""

    sig: Any
    p: str
    name: str = ""
    method: str | None = None  # None: the slot's default
    image: str = ""  # the drawn PNG as a data URL, drawn again on the canvas by signature.js
    scan_sha256: str = ""
    reason: str = ""
    errors: list[str] = field(default_factory=list)


def signature_pads(
    request: HttpRequest,
    doc: Any,
    *,
    prefix: str = "sig",
    err: ActionError | None = None,
    signatures: list[SignatureInput] | None = None,
) -> list[Pad]:
    """The signature pads of ``doc``'s form; after a refused POST each keeps what was given —
    name, method, drawing, stored scan, refusal reason — and shows the error naming its slot."""
    stored = {s.key: s.blob_sha256 for s in signatures or []}
    pads = []
    for sig in doc.signatures:
        stem = f"{prefix}_{sig.key}_"
        pad = Pad(sig, f"{prefix}_{sig.key}")
        if request.method == "POST":
            image = request.POST.get(stem + "image", "")
            pad.name = request.POST.get(stem + "name", "")
            pad.method = request.POST.get(stem + "method", "")
            pad.image = image if _data_url_png(image) else ""
            pad.scan_sha256 = stored.get(sig.key) or _sha(request, stem)
            pad.reason = request.POST.get(stem + "reason", "")
        if err is not None and err.field == f"signatures.{sig.key}":
            pad.errors.append(err.message)
        pads.append(pad)
    return pads


def _shown_error(form: forms.Form, err: Exception) -> ActionError:
    """The refusal as the page shows it: a signature's beside its pad (``signature_pads``),
    any other on its field or on top of the form."""
    error = err if isinstance(err, ActionError) else ActionError("invalid_input", "输入有误")
    if not (error.field or "").startswith("signatures."):
        apply_error(form, error)
    return error


def _signatures_or_error(
    request: HttpRequest, officer: Officer, doc: Any, form: forms.Form
) -> tuple[list[SignatureInput], ActionError | None]:
    try:
        return signatures_from(request, officer, doc), None
    except ActionError as err:
        return [], _shown_error(form, err)


@login_required
def record_choose(request: HttpRequest, case_id: int) -> HttpResponse:
    officer = officer_for_request(request.user)
    case = case_for_user(user=request.user, case_id=case_id)
    _require_assigned(case, officer)
    return render(request, "records/choose.html", {"case": case, "docs": documents_for(case)})


@login_required
@require_http_methods(["GET", "POST"])
def record_new(request: HttpRequest, case_id: int, kind: str) -> HttpResponse:
    officer = officer_for_request(request.user)
    case = case_for_user(user=request.user, case_id=case_id)
    _require_assigned(case, officer)
    try:
        doc = doc_type(kind)
        require_made_by_handler(doc)
    except ActionError as err:
        return render(
            request,
            "records/choose.html",
            {"case": case, "docs": documents_for(case), "error": err.message},
            status=err.status if err.code.startswith("made_by") else 404,
        )
    form = catalogue_form(kind, case=case)(request.POST or None)
    candidates = list(officers_for_picker(case.agency_id, role=Role.HANDLER))
    status = 200
    error: ActionError | None = None
    signatures: list[SignatureInput] = []
    if request.method == "POST":
        # Scans are stored first, whatever else is wrong, so a refused form keeps them.
        signatures, error = _signatures_or_error(request, officer, doc, form)
        if form.is_valid() and error is None:
            try:
                present = [
                    OfficerPresent(
                        parse_int(pk, minimum=1, where="在场执法人员", field="present"),
                        request.POST.get(f"shown_{pk}") == "on",
                    )
                    for pk in request.POST.getlist("present")
                ]
                record_create(
                    case=case,
                    officer=officer,
                    kind=kind,
                    fields=dict(form.cleaned_data),
                    officers_present=present,
                    signatures=signatures,
                )
            except (ActionError, ValueError) as err:
                error = _shown_error(form, err)
            else:
                return redirect("case-detail", case_id=case.pk)
        status = 400
    if request.method == "POST":  # the officers ticked, as the user left them
        present_ids = {int(v) for v in request.POST.getlist("present") if v.isdigit()}
        shown_ids = {o.pk for o in candidates if request.POST.get(f"shown_{o.pk}") == "on"}
    else:
        present_ids = shown_ids = {a.officer_id for a in case.assignments.all()}
    return render(
        request,
        "records/new.html",
        {
            "case": case,
            "doc": doc,
            "form": form,
            "candidates": candidates,
            "present": present_ids,
            "shown": shown_ids,
            "pads": signature_pads(request, doc, err=error, signatures=signatures),
            "methods": RecordSignature.Method.choices,
        },
        status=status,
    )


class AttachForm(forms.Form):
    slot = forms.ChoiceField(label="附件项", choices=[])
    item = forms.TypedChoiceField(
        label="本案的音像记录或照片", coerce=int, required=False, choices=[]
    )
    file = forms.FileField(label="扫描件或文件（PDF、JPEG、PNG）", required=False)


KIND_LABELS = ATTACHMENT_KINDS


@login_required
@require_http_methods(["GET", "POST"])
def record_attach_view(request: HttpRequest, record_id: int) -> HttpResponse:
    officer = officer_for_request(request.user)
    record = record_for_user(user=request.user, record_id=record_id)
    _require_assigned(record.case, officer)
    from casetrail.evidence.models import Item

    items = Item.objects.filter(link__case=record.case).select_related("device")
    items = items.order_by("-recorded_end")
    form = AttachForm(request.POST or None, request.FILES or None)
    doc = record.doc
    form.fields["slot"].choices = [  # type: ignore[attr-defined]
        (a.name, f"{a.label}（{KIND_LABELS[a.kind]}{'，必需' if a.required else ''}）")
        for a in (doc.attachments if doc else ())
    ]
    form.fields["item"].choices = [("", "——")] + [  # type: ignore[attr-defined]
        (i.pk, i.reference) for i in items
    ]
    status = 200
    if request.method == "POST":
        if form.is_valid():
            d = form.cleaned_data
            try:
                sha = stored_scan(officer, d["file"], "附件") if d.get("file") else ""
                record_attach(
                    record=record,
                    officer=officer,
                    slot=d["slot"],
                    item_id=d.get("item") or None,
                    blob_sha256=sha,
                )
            except ActionError as err:
                apply_error(form, err)
            else:
                return redirect("case-detail", case_id=record.case_id)
        status = 400
    return render(
        request,
        "form.html",
        {
            "form": form,
            "title": f"为“{record.reference}”添加附件",
            "case": record.case,
            "multipart": True,
        },
        status=status,
    )


class CorrectionReasonForm(forms.Form):
    correction_reason = form_fields.TextField(
        label="更正理由", max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_correct_view(request: HttpRequest, record_id: int) -> HttpResponse:
    """Correct a record: a new version with a reason, signed again; the original stays."""
    officer = officer_for_request(request.user)
    record = record_for_user(user=request.user, record_id=record_id)
    _require_assigned(record.case, officer)
    # Corrected under the entry version the record was made with (records/writes.new_version).
    doc = doc_version(record.kind, record.version)
    form_class = catalogue_form(
        record.kind,
        case=record.case,
        extra=CorrectionReasonForm.base_fields,
        version=record.version,
    )
    form = form_class(request.POST or None, initial=initial_from(doc, record.fields))
    status = 200
    error: ActionError | None = None
    signatures: list[SignatureInput] = []
    if request.method == "POST":
        signatures, error = _signatures_or_error(request, officer, doc, form)
        if form.is_valid() and error is None:
            data = dict(form.cleaned_data)
            reason = data.pop("correction_reason")
            try:
                record_correct(
                    record=record,
                    officer=officer,
                    fields=data,
                    reason=reason,
                    signatures=signatures,
                )
            except (ActionError, ValueError) as err:
                error = _shown_error(form, err)
            else:
                return redirect("case-detail", case_id=record.case_id)
        status = 400
    return render(
        request,
        "records/new.html",
        {
            "case": record.case,
            "doc": doc,
            "form": form,
            "correcting": record,
            "pads": signature_pads(request, doc, err=error, signatures=signatures),
            "methods": RecordSignature.Method.choices,
        },
        status=status,
    )
