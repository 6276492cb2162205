"""Writes of records. Records are insert-only; a correction is a new version naming the old one.
Every public function is a ledgered action (``casetrail.lib.ledgered``)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from casetrail.cases.models import Case, Mark
from casetrail.cases.writes import add_mark, require_assigned
from casetrail.lib.errors import ActionError
from casetrail.lib.ledgered import Act, ActionName, action
from casetrail.org.models import Officer
from casetrail.records.catalogue import successor
from casetrail.records.guards import check_document_allowed, require_made_by_handler
from casetrail.records.models import Record, RecordAttachment
from casetrail.records.writes import (
    OfficerPresent,
    SignatureInput,
    attach_file,
    created_record,
    new_version,
    signature_rows,
    signature_uploads,
)

__all__ = [
    "OfficerPresent",
    "SignatureInput",
    "material_mark",
    "record_attach",
    "record_correct",
    "record_create",
]


class RecordAction(ActionName):
    CREATE = "record.create"
    CORRECT = "record.correct"
    ATTACH = "record.attach"
    MARK = "record.mark"


@action(RecordAction.CORRECT, before=signature_uploads)
def record_correct(
    act: Act,
    /,
    *,
    record: Record,
    officer: Officer,
    fields: dict[str, Any],
    reason: str,
    signatures: list[SignatureInput] | None = None,
) -> Record:
    """Correct a record of a case the officer handles: the original stays, the new version names
    it and says why. A document that needs signatures is signed again (第十二条: the corrected
    text is what the people sign); its attachments stay with the version they were made for.
    The correction is made under the catalogue entry version the record was made with (see
    ``new_version``) and signed in that version's signature slots."""
    case = record.case
    require_assigned(case, officer, "只有本案承办人员可以更正记录")
    require_made_by_handler(successor(record.kind))
    if not case.is_open:
        raise ActionError("case_closed", "案件已结案，记录不能再更正")
    now = timezone.now()
    new = new_version(record=record, officer=officer, fields=fields, reason=reason, now=now)
    check_document_allowed(case, record.kind, new.fields)
    rows: list[Any] = [new]
    doc = record.doc
    if doc is not None and doc.signatures:
        rows += signature_rows(doc=doc, record=new, signatures=signatures or [], now=now)
    act.record(
        agency=case.agency_id, actor=officer, subject=f"record:{new.pk}", rows=rows, case=case.pk
    )
    return new


@action(RecordAction.CREATE, before=signature_uploads)
def record_create(
    act: Act,
    /,
    *,
    case: Case,
    officer: Officer,
    kind: str,
    fields: dict[str, Any],
    officers_present: list[OfficerPresent] | None = None,
    signatures: list[SignatureInput] | None = None,
) -> Record:
    """Make a document of the case (第三至五章): validated against its catalogue entry — the
    fields, the officers present with their certificates shown, every required signature —
    in the stage it belongs to. Audio/video and scans may be attached afterwards."""
    record, rows = created_record(
        case=case,
        officer=officer,
        kind=kind,
        fields=fields,
        officers_present=officers_present,
        signatures=signatures,
        now=timezone.now(),
    )
    act.record(
        agency=record.case.agency_id,
        actor=officer,
        subject=f"record:{record.pk}",
        rows=rows,
        case=record.case_id,
    )
    return record


@action(RecordAction.ATTACH)
def record_attach(
    act: Act,
    /,
    *,
    record: Record,
    officer: Officer,
    slot: str,
    item_id: int | None = None,
    blob_sha256: str = "",
) -> RecordAttachment:
    """Attach a file to a named slot of the record's catalogue entry: an audio/video or photo
    evidence item of the same case, or a stored scan/document, as the slot's kind says."""
    case = record.case
    require_assigned(case, officer, "只有本案承办人员可以添加附件")
    attachment = attach_file(
        record=record,
        officer=officer,
        slot=slot,
        item_id=item_id,
        blob_sha256=blob_sha256,
        now=timezone.now(),
    )
    act.record(
        agency=case.agency_id,
        actor=officer,
        subject=f"record:{record.pk}",
        rows=[attachment],
        case=case.pk,
    )
    return attachment


def _target_case(target: str) -> Case:
    """The case of a record ("record:<id>") or of a media item linked to one ("evidence:<id>")."""
    from casetrail.evidence.models import ItemLink

    kind, _, pk = target.partition(":")
    case_id = None
    if pk.isdigit() and kind == "record":
        case_id = Record.objects.filter(pk=int(pk)).values_list("case_id", flat=True).first()
    elif pk.isdigit() and kind == "evidence":
        case_id = ItemLink.objects.filter(item_id=int(pk)).values_list("case_id", flat=True).first()
    if case_id is None:
        raise ActionError(
            "mark_target_not_found", "要标记的记录或音像记录不存在，或尚未归入案件", status=404
        )
    return Case.objects.select_related("agency").get(pk=case_id)


@action(RecordAction.MARK)
def material_mark(
    act: Act, /, *, target: str, officer: Officer, kind: str, reason: str, title: str = ""
) -> Mark:
    """Mark a record or a media item of a case the officer handles 商业秘密 or 个人隐私 (第三十三条):
    from then on it is shown only to those ``may_read_marked`` allows, each read logged with its
    reason. 国家秘密 is refused (never in the system)."""
    case = _target_case(target)
    if case.agency_id != officer.agency_id:
        raise ActionError(
            "mark_target_not_found", "要标记的记录或音像记录不存在，或尚未归入案件", status=404
        )
    require_assigned(case, officer, "只有本案承办人员可以标记涉密材料")
    mark = add_mark(
        case=case, officer=officer, target=target, kind=kind, reason=reason, title=title
    )
    act.record(agency=case.agency_id, actor=officer, subject=target, rows=[mark], case=case.pk)
    return mark
