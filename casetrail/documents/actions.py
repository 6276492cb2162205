"""Writes of the documents app: issuing a record as its sealed 文书, withdrawing one, and the
agency's 文号 patterns. Every public function is a ledgered action (``casetrail.lib.ledgered``).

``document_issue`` refuses a document that was already issued (``already_issued``);
``casetrail.documents.issuing.issue`` is what views, API and CLI call: it returns the first
document instead, so issuing twice gives the same PDF and the same 文号.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from casetrail.cases.models import Case
from casetrail.documents.content import printed
from casetrail.documents.families import NUMBERED, family_of
from casetrail.documents.fonts import FontMissing
from casetrail.documents.issuable import check_issuable
from casetrail.documents.models import (
    Family,
    IssuedDocument,
    NumberCounter,
    NumberPattern,
    Withdrawal,
)
from casetrail.documents.numbers import SPOT_FORM_NO
from casetrail.documents.panels import SERVED
from casetrail.documents.render import render
from casetrail.documents.seal import SealError, apply_seal
from casetrail.documents.writes import (
    check_pattern,
    draw_number,
    pattern_in_force,
    scan_media_type,
    scan_upload,
    store_pdf,
)
from casetrail.evidence.storage import upload_before
from casetrail.ledger.selectors import ledger_index_for, row_key
from casetrail.lib.errors import ActionError
from casetrail.lib.ledgered import Act, ActionName, action
from casetrail.lib.outside import known_inside_transaction
from casetrail.lib.text import clean_text
from casetrail.org.models import Officer, Role
from casetrail.records.models import Record, RecordSignature
from casetrail.records.numbers import remember_number
from casetrail.records.writes import SignatureInput, attach_file, created_record, store_image


class DocumentAction(ActionName):
    ISSUE = "document.issue"
    RECEIPT = "document.receipt_scanned"
    WITHDRAW = "document.withdraw"
    PATTERN = "document.pattern"


def _require_handler(case: Case, officer: Officer) -> None:
    if not case.assignments.filter(officer=officer).exists():
        raise ActionError("not_assigned", "只有本案承办人员可以签发文书", status=403)


@dataclass(frozen=True)
class _Sealed:
    """A 文书 rendered and sealed for one 文号 and time."""

    doc_no: str | None
    now: dt.datetime
    content: Any
    pages: Any
    pdf: bytes
    timestamped: bool


def _seal(
    *, record: Record, case: Case, doc_no: str | None, record_seq: int, now: dt.datetime
) -> _Sealed:
    content = printed(record=record, case=case, doc_no=doc_no, record_seq=record_seq, now=now)
    try:
        pages = render(content)
        pdf, timestamped = apply_seal(
            pages.pdf,
            agency=case.agency,
            page=pages.seal_page,
            x=pages.seal_x,
            y=pages.seal_y,
            reason=f"{case.agency.name}签发{content.title}" + (f"（{doc_no}）" if doc_no else ""),
        )
    except FontMissing as exc:
        raise ActionError("font_missing", str(exc), status=503) from None
    except SealError as exc:  # seal_key_missing, tsa_failed, seal_failed
        raise ActionError(exc.code, str(exc), status=503) from None
    return _Sealed(doc_no, now, content, pages, pdf, timestamped)


def _record_seq(case: Case, record: Record) -> int | None:
    return ledger_index_for(agency_id=case.agency_id, case_id=case.pk).get(
        row_key("records.Record", record.pk)
    )


def _issue_checks(case: Case, record: Record, officer: Officer) -> None:
    _require_handler(case, officer)
    if IssuedDocument.objects.filter(record=record).exists():
        raise ActionError("already_issued", "该文书已签发")
    check_issuable(record)


def _sealed_before(**kwargs: Any) -> dict[str, Any]:
    """Before the transaction (#18): the 文书 rendered, sealed — the TSA asked, when configured —
    and uploaded with the 文号 the register will most likely give it (its next number, read
    without a lock). The action uses it when it draws that very 文号; when another issue took
    the number meanwhile it seals again under its lock (the one place left inside, marked)."""
    record: Record = kwargs["record"]
    case = Case.objects.select_related("agency").get(pk=record.case_id)
    _issue_checks(case, record, kwargs["officer"])
    record_seq = _record_seq(case, record)
    if record_seq is None:
        return {}  # refused by the action
    now = timezone.now()
    family = family_of(record.kind)
    preprinted = str((record.fields or {}).get(SPOT_FORM_NO) or "").strip()
    doc_no: str | None = None
    if family in NUMBERED and preprinted:
        doc_no = preprinted
    elif family in NUMBERED:
        year = timezone.localdate(now).year
        counter = NumberCounter.objects.filter(agency=case.agency, family=family, year=year)
        last = counter.values_list("last", flat=True).first() or 0
        doc_no = pattern_in_force(case.agency, family).format(year=year, n=last + 1)
    made = _seal(record=record, case=case, doc_no=doc_no, record_seq=record_seq, now=now)
    return {**upload_before(made.pdf), "sealed": made}


@action(DocumentAction.ISSUE, before=_sealed_before)
def document_issue(act: Act, /, *, record: Record, officer: Officer) -> IssuedDocument:
    """Issue ``record`` as its 文书: the 文号 drawn (numbered families), the pages rendered as
    PDF/A-2b, sealed with the agency's key (PAdES), stored as a blob; the ledger entry holds the
    PDF's SHA-256 and SM3. Refuses (nothing issued): not the case's handler (403), a superseded
    record, a chain not approved, no 文号 pattern, a missing font or key, a TSA not answering,
    ``already_issued``. The sealing and the upload happen before the transaction
    (``_sealed_before``) unless another issue took the 文号 foreseen meanwhile."""
    case = (
        Case.objects.select_for_update(no_key=True, of=("self",))
        .select_related("agency")
        .get(pk=record.case_id)
    )
    _issue_checks(case, record, officer)
    prepared: _Sealed | None = act.prepared.get("sealed")
    now = prepared.now if prepared is not None else timezone.now()
    family = family_of(record.kind)
    rows: list[Any] = []
    doc_no, year, seq = None, None, None
    preprinted = str((record.fields or {}).get(SPOT_FORM_NO) or "").strip()
    if family in NUMBERED and preprinted:
        # An on-the-spot decision was handed over on a pre-printed, numbered form (行政处罚法
        # 第五十二条): its copy carries that number, never a second one from the register.
        if IssuedDocument.objects.filter(agency=case.agency, doc_no=preprinted).exists():
            raise ActionError(
                "doc_no_taken", f"编号{preprinted}已用于本机关另一份已签发的文书，请核对后更正"
            )
        doc_no = preprinted
    elif family in NUMBERED:
        doc_no, year, seq, counter = draw_number(agency=case.agency, family=family, now=now)
        rows.append(counter)
    record_seq = _record_seq(case, record)
    if record_seq is None:
        raise ActionError("record_not_ledgered", "该记录不在账本中，不能签发")
    if (
        prepared is not None
        and prepared.doc_no == doc_no
        # What it prints, read again under the lock, is what was sealed (a party's name
        # corrected meanwhile would differ): the content's SM3 covers every printed word.
        and printed(record=record, case=case, doc_no=doc_no, record_seq=record_seq, now=now).sm3
        == prepared.content.sm3
    ):
        made = prepared
        blob, digests = store_pdf(agency_id=case.agency_id, data=made.pdf)
    else:
        # Another issue drew the 文号 foreseen (or the pattern or the content changed)
        # meanwhile: the 文书 must carry what is read under this lock, so it is sealed and
        # stored here, inside the transaction.
        with known_inside_transaction("documents.document_issue: 文号 taken meanwhile"):
            made = _seal(record=record, case=case, doc_no=doc_no, record_seq=record_seq, now=now)
            blob, digests = store_pdf(agency_id=case.agency_id, data=made.pdf)
    content, pages, pdf, timestamped = made.content, made.pages, made.pdf, made.timestamped
    issued = IssuedDocument.objects.create(
        agency=case.agency,
        case=case,
        record=record,
        family=family,
        doc_no=doc_no,
        number_year=year,
        number_seq=seq,
        record_seq=record_seq,
        content_sm3=content.sm3,
        blob=blob,
        template=content.template,
        pages=pages.pages,
        sealed=True,
        timestamped=timestamped,
        issued_by=officer,
        issued_at=now,
    )
    act.record(
        agency=case.agency_id,
        actor=officer,
        subject=f"document:{issued.pk}",
        rows=[issued, blob, *rows],
        case=case.pk,
        pdf={"sha256": digests["sha256"], "sm3": digests["sm3"], "size": len(pdf)},
        content=content.as_json(),
    )
    remember_number(record, doc_no or "")
    return issued


@dataclass(frozen=True)
class ReceiptInput:
    """What the signed paper 送达回证 says, typed from it beside its scan."""

    served_at: dt.datetime
    recipient: str
    signer_relation: str
    method: str
    place: str
    signer: str = ""
    refusal_reason: str = ""
    servers: tuple[int, ...] = ()


@action(DocumentAction.RECEIPT, before=scan_upload)
def document_receipt_scanned(
    act: Act, /, *, document: IssuedDocument, officer: Officer, scan: bytes, receipt: ReceiptInput
) -> Record:
    """A 送达回证 signed on paper, scanned back (第二十二、二十四条): the scan stored (PDF, JPEG or
    PNG, read from its bytes), the service recorded as a 送达回证 of the issued document — its
    signatures the scan (the recipient's, or the refusal with its reason for 留置送达, and the
    servers'), the scan its 签收的送达回证扫描件 — in one entry, so the rules that wait for the
    document's service see it. Refuses (nothing written) what 制作文书 refuses, a document that
    needs no receipt or was withdrawn, a scan that is not an image or PDF."""
    record = document.record
    if record.kind not in SERVED:
        raise ActionError("no_receipt", "该文书无需送达回证")
    if Withdrawal.objects.filter(document=document).exists():
        raise ActionError("document_withdrawn", "该文书已撤回，不能再送达")
    media_type = scan_media_type(scan)
    case = record.case
    now = timezone.now()
    blob = store_image(agency_id=case.agency_id, data=scan, media_type=media_type)
    party = (record.fields or {}).get("party")
    left = receipt.method == "left"
    fields: dict[str, Any] = {
        "document": record.pk,
        "recipient": {"name": receipt.recipient},
        "signer_relation": "none" if left else receipt.signer_relation,
        "method": receipt.method,
        "place": receipt.place,
        "served_at": receipt.served_at.isoformat(),
        "server": list(receipt.servers) or [officer.pk],
    }
    if party:
        fields["party"] = party.get("id") if isinstance(party, dict) else party
    if receipt.signer and not left:
        fields["signer"] = {"name": receipt.signer}
    if left:
        fields["refusal_reason"] = receipt.refusal_reason
        fields["refusal_date"] = timezone.localdate(receipt.served_at).isoformat()
    scanned = RecordSignature.Method.SCAN
    signer = receipt.signer or receipt.recipient
    signatures = [
        SignatureInput(
            key="recipient",
            name=signer,
            method=RecordSignature.Method.REFUSED if left else scanned,
            blob_sha256="" if left else blob.sha256,
            refusal_reason=receipt.refusal_reason if left else "",
        ),
        SignatureInput(key="server", name=officer.name, method=scanned, blob_sha256=blob.sha256),
    ]
    made, rows = created_record(
        case=case,
        officer=officer,
        kind="service_receipt",
        fields=fields,
        officers_present=None,
        signatures=signatures,
        now=now,
    )
    attachment = attach_file(
        record=made, officer=officer, slot="signed_scan", blob_sha256=blob.sha256, now=now
    )
    act.record(
        agency=case.agency_id,
        actor=officer,
        subject=f"record:{made.pk}",
        rows=[blob, *rows, attachment],
        case=case.pk,
        document=document.pk,
    )
    return made


@action(DocumentAction.WITHDRAW)
def document_withdraw(
    act: Act, /, *, document: IssuedDocument, officer: Officer, reason: str
) -> Withdrawal:
    """Withdraw an issued document: it keeps its 文号 and PDF (a number is never reused); the
    withdrawal says why. A second withdrawal is refused."""
    case = Case.objects.select_for_update(no_key=True).get(pk=document.case_id)
    _require_handler(case, officer)
    text = clean_text(reason, where="撤回理由", field="reason", limit=300)
    if not text:
        raise ActionError("reason_required", "撤回文书须说明理由", field="reason")
    if Withdrawal.objects.filter(document=document).exists():
        raise ActionError("already_withdrawn", "该文书已撤回")
    row = Withdrawal.objects.create(document=document, reason=text, by=officer, at=timezone.now())
    act.record(
        agency=case.agency_id,
        actor=officer,
        subject=f"document:{document.pk}",
        rows=[row],
        case=case.pk,
    )
    return row


@action(DocumentAction.PATTERN)
def document_pattern_set(
    act: Act, /, *, officer: Officer, family: str, pattern: str
) -> NumberPattern:
    """Set the agency's 文号 pattern of a numbered family (系统管理员 only, 403 otherwise);
    numbers already drawn keep their text, the counter goes on."""
    if not officer.has_role(Role.ADMIN):
        raise ActionError("not_admin", "只有本机关的系统管理员可以设置文号格式", status=403)
    if family not in NUMBERED:
        names = "、".join(Family(f).label for f in sorted(NUMBERED))
        raise ActionError("invalid_family", f"只有这些文书有文号：{names}", field="family")
    row = NumberPattern.objects.create(
        agency_id=officer.agency_id,
        family=family,
        pattern=check_pattern(pattern),
        set_by=officer,
        set_at=timezone.now(),
    )
    act.record(
        agency=officer.agency_id, actor=officer, subject=f"agency:{officer.agency_id}", rows=[row]
    )
    return row
