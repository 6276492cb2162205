"""Building blocks that write records inside an action (``@step``): the record itself, a corrected
version, its signatures and the officers present. The action that calls them records their rows in
its one ledger entry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from casetrail.cases.models import Case, Stage
from casetrail.cases.writes import locked, require_assigned
from casetrail.evidence.models import Blob, Item
from casetrail.evidence.storage import blob_store, put_bytes, upload_before, uploaded_before
from casetrail.evidence.writes import blob_row
from casetrail.lib.digests import MultiHasher
from casetrail.lib.errors import ActionError
from casetrail.lib.ledgered import step
from casetrail.lib.rows import insert
from casetrail.lib.text import clean_name, clean_text
from casetrail.org.models import Officer
from casetrail.records.catalogue import DocType, doc_type, doc_version
from casetrail.records.guards import check_document_allowed, require_made_by_handler
from casetrail.records.models import Record, RecordAttachment, RecordSignature
from casetrail.records.validation import clean_fields


@dataclass(frozen=True)
class SignatureInput:
    """One signature as captured, for the slot ``key`` of the catalogue entry (for entries made
    before slots existed, the slot is the role): drawn on screen (PNG bytes), a scan already
    stored as a blob, or a refusal with its reason."""

    key: str
    name: str
    method: str
    image: bytes = b""
    blob_sha256: str = ""
    refusal_reason: str = ""


@dataclass(frozen=True)
class OfficerPresent:
    officer_id: int
    shown: bool


PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MAX_SIGNATURE_BYTES = 2 * 1024 * 1024


@step
def add_record(
    *,
    case: Case,
    kind: str,
    officer: Officer,
    fields: dict[str, Any],
    now: dt.datetime,
    officers_present: list[dict[str, Any]] | None = None,
) -> Record:
    """Validate ``fields`` against the current catalogue entry (parties, officers and records
    against ``case``) and insert the record, with the officers present as
    ``check_officers_present`` returned them where the entry lists them (第十一条)."""
    doc = doc_type(kind)
    values = clean_fields(doc, fields, case=case, now=now)
    # A lean insert (issue 18), as every record is written: the ORM's create() cost more than
    # the ledger append.
    return insert(
        Record(
            case=case,
            kind=kind,
            fields=values,
            created_by=officer,
            created_at=now,
            officers_present=officers_present or None,
            catalogue_version=doc.version,
        )
    )


@step
def new_version(
    *, record: Record, officer: Officer, fields: dict[str, Any], reason: str, now: dt.datetime
) -> Record:
    """Insert a corrected version of ``record`` that names it and says why (第三十五条).

    The correction is made under the catalogue entry version the record was made with, never
    migrated to a newer one: it corrects what was recorded, and the old entry knows every field
    the record has (a newer entry may have dropped or reshaped some)."""
    reason = clean_text(reason, where="更正理由", field="reason", limit=300)
    if not reason:
        raise ActionError("correction_reason_required", "更正记录须说明理由", field="reason")
    # Two corrections at once: the second waits for the first and then finds it (the unique
    # `replaces` constraint is the database's own guard).
    Record.objects.select_for_update(no_key=True).filter(pk=record.pk).first()
    if record.replaced_by.exists():
        raise ActionError("record_superseded", "该记录已有更新的版本，请在最新版本上更正")
    merged = {**record.fields, **fields}
    values = clean_fields(
        doc_version(record.kind, record.version),
        merged,
        case=record.case,
        now=now,
        made=first_made(record),
    )
    return insert(
        Record(
            case=record.case,
            kind=record.kind,
            fields=values,
            officers_present=record.officers_present,
            created_by=officer,
            created_at=now,
            replaces=record,
            correction_reason=reason,
            catalogue_version=record.version,
        )
    )


def first_made(record: Record) -> dt.datetime:
    """When the first version of ``record`` was made (the start of its chain of corrections)."""
    while record.replaces_id is not None:
        record = Record.objects.only("created_at", "replaces_id").get(pk=record.replaces_id)
    return record.created_at


@step
def store_image(*, agency_id: int, data: bytes, media_type: str) -> Blob:
    """Record the blob row of a small file (a drawn signature, a scan) and make sure its bytes
    are stored: uploaded by the action's ``before`` hook (``upload_before``), outside the
    transaction; otherwise stored here, which ``lib.outside`` refuses inside a transaction
    (except where marked as known)."""
    digests = MultiHasher(("sha256", "sm3")).update(data).hexdigests()
    store = blob_store()
    if not uploaded_before(digests["sha256"]):
        put_bytes(data)
    blob, _ = blob_row(
        agency_id=agency_id,
        sha256=digests["sha256"],
        sm3=digests["sm3"],
        size=len(data),
        media_type=media_type,
        storage=store.name,
    )
    return blob


def signature_uploads(**kwargs: Any) -> dict[str, Any]:
    """The ``before`` hook of the actions taking ``signatures`` (a list, or lists by document):
    the drawn signatures' PNGs uploaded before the transaction. Only what the action may accept
    (a PNG within the size limit) is uploaded; the action refuses the rest as before."""
    given = kwargs.get("signatures") or []
    if isinstance(given, dict):
        given = [s for signatures in given.values() for s in signatures]
    images = [
        s.image
        for s in given
        if s.image and s.image.startswith(PNG_MAGIC) and len(s.image) <= MAX_SIGNATURE_BYTES
    ]
    return upload_before(*images)


def check_officers_present(
    doc: DocType, case: Case, present: list[OfficerPresent]
) -> list[dict[str, Any]]:
    """第十一条 / 行政处罚法第四十二条、第五十五条: at least the required number of officers, each
    holding a valid certificate that was shown. Returns what the record keeps of them."""
    if not doc.officers_min:
        return []
    ids = [p.officer_id for p in present]
    if len(set(ids)) != len(ids):
        raise ActionError("duplicate_officer", "在场执法人员重复", field="officers_present")
    if len(ids) < doc.officers_min:
        raise ActionError(
            "too_few_officers",
            f"{doc.title}：在场执法人员不得少于{doc.officers_min}人（第十一条，行政处罚法第四十二条）",
            field="officers_present",
        )
    found = {o.pk: o for o in Officer.objects.filter(pk__in=ids, agency_id=case.agency_id)}
    today = timezone.localdate()
    out = []
    for p in present:
        o = found.get(p.officer_id)
        if o is None:
            raise ActionError(
                "invalid_officer", "在场执法人员不是本机关人员", field="officers_present"
            )
        if not o.is_active:
            raise ActionError(
                "officer_inactive", f"{o.name}已停用，不能作为执法人员", field="officers_present"
            )
        if not o.certificate_valid_on(today):
            raise ActionError(
                "certificate_invalid",
                f"{o.name}的执法证件无效，不能作为执法人员",
                field="officers_present",
            )
        if not p.shown:
            raise ActionError(
                "certificate_not_shown",
                f"{o.name}未出示执法证件：执法人员应当出示执法证件并记录（第十一条）",
                field="officers_present",
            )
        out.append({"id": o.pk, "name": o.name, "cert": o.certificate_no, "shown": True})
    return out


@step
def signature_rows(
    *, doc: DocType, record: Record, signatures: list[SignatureInput], now: dt.datetime
) -> list[Any]:
    """Every signature the catalogue entry asks for, each in its slot once: the required ones
    always, an optional one when given; a refusal only where the law allows. Returns the rows
    written: drawn images' blobs and the signatures."""
    given: dict[str, SignatureInput] = {}
    for s in signatures:
        if s.key in given:
            raise ActionError(
                "duplicate_signature", f"{doc.title}：签名项 {s.key} 重复", field="signatures"
            )
        given[s.key] = s
    unknown = set(given) - {s.key for s in doc.signatures}
    if unknown:
        raise ActionError(
            "unknown_signature",
            f"{doc.title}没有这些签名项：{'、'.join(sorted(unknown))}"
            f"（可填：{'、'.join(s.key for s in doc.signatures) or '无'}）",
            field="signatures",
        )
    rows: list[Any] = []
    for slot in doc.signatures:
        sig = given.get(slot.key)
        if sig is None and not slot.required:
            continue  # an optional signature nobody gave (e.g. no witness was present)
        if sig is None or sig.method not in RecordSignature.Method.values:
            raise ActionError(
                "signature_required",
                f"{doc.title}：缺少{slot.label}（第十二条：文书应当签字或盖章）",
                field=f"signatures.{slot.key}",
            )
        name = clean_name(sig.name, where=f"{slot.label}·签名人", field=f"signatures.{slot.key}")
        refusal_reason = clean_text(
            sig.refusal_reason,
            where=f"{slot.label}·拒签理由",
            field=f"signatures.{slot.key}",
            limit=300,
        )
        if not name:
            raise ActionError(
                "signature_name_required",
                f"{slot.label}：请填写签名人姓名",
                field=f"signatures.{slot.key}",
            )
        blob = None
        if sig.method == RecordSignature.Method.REFUSED:
            if not slot.refusal:
                raise ActionError(
                    "refusal_not_allowed",
                    f"{slot.label}不能以拒签代替",
                    field=f"signatures.{slot.key}",
                )
            if not refusal_reason:
                raise ActionError(
                    "refusal_reason_required",
                    f"{slot.label}：拒绝签名的，须记录拒签理由",
                    field=f"signatures.{slot.key}",
                )
        elif sig.method == RecordSignature.Method.DRAWN:
            if not sig.image:
                # Nothing drawn: ask for the signature, not for a file format.
                ask = "请当事人签名或记录拒签理由" if slot.refusal else "请在签名框内签名"
                raise ActionError(
                    "signature_not_drawn", f"{slot.label}：{ask}", field=f"signatures.{slot.key}"
                )
            if not sig.image.startswith(PNG_MAGIC) or len(sig.image) > MAX_SIGNATURE_BYTES:
                raise ActionError(
                    "invalid_signature_image",
                    f"{slot.label}：签名图像应为 PNG（不超过2MB）",
                    field=f"signatures.{slot.key}",
                )
            blob = store_image(
                agency_id=record.case.agency_id, data=sig.image, media_type="image/png"
            )
            rows.append(blob)
        else:
            blob = Blob.objects.filter(
                sha256=sig.blob_sha256, agency_id=record.case.agency_id
            ).first()
            if blob is None:
                raise ActionError(
                    "scan_missing",
                    f"{slot.label}：请先上传签名页扫描件",
                    field=f"signatures.{slot.key}",
                )
        rows.append(
            RecordSignature.objects.create(
                record=record,
                role=slot.role,
                key=slot.key,
                name=name,
                method=sig.method,
                blob=blob,
                refusal_reason=refusal_reason,
                signed_at=now,
            )
        )
    return rows


@step
def attach_file(
    *,
    record: Record,
    officer: Officer,
    slot: str,
    item_id: int | None = None,
    blob_sha256: str = "",
    now: dt.datetime,
) -> RecordAttachment:
    """A file in a named slot of the record's catalogue entry: an audio/video or photo evidence
    item of the same case, or a stored scan/document, as the slot's kind says."""
    case = record.case
    doc = record.doc
    wanted_slot = doc.attachment(slot) if doc else None
    if wanted_slot is None:
        slots = "、".join(f"{a.name}（{a.label}）" for a in doc.attachments) if doc else ""
        raise ActionError(
            "invalid_attachment_slot",
            f"{record.title}没有附件项“{slot}”；可选：{slots or '无'}",
            field="slot",
        )
    kind = wanted_slot.kind
    item = blob = None
    if kind in ("av", "photo"):
        item = (
            Item.objects.filter(pk=item_id, agency_id=case.agency_id, link__case=case).first()
            if item_id is not None
            else None
        )
        if item is None:
            raise ActionError("invalid_item", "请选择已归入本案的音像记录", field="item")
        wanted = ("video", "audio", "surveillance") if kind == "av" else ("photo",)
        if item.kind not in wanted:
            raise ActionError(
                "invalid_item", f"所选记录的类别与“{wanted_slot.label}”不符", field="item"
            )
    else:
        blob = Blob.objects.filter(sha256=blob_sha256, agency_id=case.agency_id).first()
        if blob is None:
            raise ActionError("scan_missing", "请先上传文件", field="blob")
    return RecordAttachment.objects.create(
        record=record,
        kind=kind,
        slot=wanted_slot.name,
        item=item,
        blob=blob,
        attached_by=officer,
        attached_at=now,
    )


@step
def created_record(
    *,
    case: Case,
    officer: Officer,
    kind: str,
    fields: dict[str, Any],
    officers_present: list[OfficerPresent] | None,
    signatures: list[SignatureInput] | None,
    now: dt.datetime,
) -> tuple[Record, list[Any]]:
    """What ``record_create`` writes, for an action that makes a document as part of more (the
    送达回证 recorded from its signed scan, casetrail.documents): every check of record_create,
    the record and its signatures. Returns (record, rows for the ledger entry)."""
    doc = doc_type(kind)
    case = locked(case)
    require_assigned(case, officer, "只有本案承办人员可以制作本案文书")
    require_made_by_handler(doc)
    if not officer.certificate_valid_on(timezone.localdate(now)):
        raise ActionError("certificate_invalid", f"{officer.name}的执法证件无效")
    if "start" in doc.stages:
        raise ActionError("wrong_stage", f"{doc.title}在程序启动环节办理，请使用启动页面")
    if not case.is_open or case.stage not in doc.stages:
        stages = "、".join(f"“{Stage(s).label}”" for s in doc.stages)
        raise ActionError(
            "wrong_stage",
            f"{doc.title}属于{stages}阶段，本案当前为“{case.get_stage_display()}”",
        )
    if doc.procedure and doc.procedure != case.procedure:
        raise ActionError(
            "wrong_procedure", f"{doc.title}不适用于本案的{case.get_procedure_display()}"
        )
    values = clean_fields(doc, fields, case=case, now=now)
    check_document_allowed(case, kind, values)
    present = check_officers_present(doc, case, officers_present or [])
    record = insert(
        Record(
            case=case,
            kind=kind,
            fields=values,
            created_by=officer,
            created_at=now,
            officers_present=present or None,
            catalogue_version=doc.version,
        )
    )
    rows = [record, *signature_rows(doc=doc, record=record, signatures=signatures or [], now=now)]
    return record, rows
