"""Writes of records. Records are insert-only; a correction is a new version naming the old one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from casetrail.cases.models import Case
from casetrail.ledger.actions import ledger_append
from casetrail.ledger.facts import fact_of
from casetrail.lib.errors import ActionError
from casetrail.org.models import Officer
from casetrail.records.catalogue import clean_fields
from casetrail.records.models import Record, RecordAttachment, RecordSignature


def add_record(
    *, case: Case, kind: str, officer: Officer, fields: dict[str, Any], now: dt.datetime
) -> Record:
    """Validate ``fields`` against the catalogue and insert the record. A building block of actions:
    it runs inside their transaction and their ledger entry carries the row."""
    values = clean_fields(kind, fields)
    return Record.objects.create(
        case=case, kind=kind, fields=values, created_by=officer, created_at=now
    )


def new_version(
    *, record: Record, officer: Officer, fields: dict[str, Any], reason: str, now: dt.datetime
) -> Record:
    """Insert a corrected version of ``record`` that names it and says why (第三十五条)."""
    if not reason.strip():
        raise ActionError("correction_reason_required", "更正记录须说明理由", field="reason")
    if record.replaced_by.exists():
        raise ActionError("record_superseded", "该记录已有更新的版本，请在最新版本上更正")
    merged = {**record.fields, **fields}
    values = clean_fields(record.kind, merged, case=record.case)
    return Record.objects.create(
        case=record.case,
        kind=record.kind,
        fields=values,
        officers_present=record.officers_present,
        created_by=officer,
        created_at=now,
        replaces=record,
        correction_reason=reason.strip(),
    )


def record_correct(
    *,
    record: Record,
    officer: Officer,
    fields: dict[str, Any],
    reason: str,
    signatures: list[SignatureInput] | None = None,
) -> Record:
    """Correct a record of a case the officer handles: the original stays, the new version names
    it and says why. A document that needs signatures is signed again (第十二条: the corrected
    text is what the people sign); its attachments stay with the version they were made for."""
    from casetrail.records.catalogue import CATALOGUE

    with transaction.atomic():
        case = record.case
        if not case.assignments.filter(officer=officer).exists():
            raise ActionError("not_assigned", "只有本案承办人员可以更正记录", status=403)
        if not case.is_open:
            raise ActionError("case_closed", "案件已结案，记录不能再更正")
        now = timezone.now()
        new = new_version(record=record, officer=officer, fields=fields, reason=reason, now=now)
        rows: list[Any] = [new]
        doc = CATALOGUE.get(record.kind)
        if doc is not None and doc.signatures:
            rows += _signature_rows(doc, new, officer, signatures or [], now)
        ledger_append(
            agency=case.agency,
            actor=officer,
            action="record.correct",
            subject=f"record:{new.pk}",
            payload={"case": case.pk, "rows": [fact_of(r) for r in rows]},
            case_id=case.pk,
        )
        return new


@dataclass(frozen=True)
class SignatureInput:
    """One required signature as captured: drawn on screen (PNG bytes), a scan already stored as
    a blob, or a refusal with its reason."""

    role: str
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


def store_image(*, officer: Officer, data: bytes, media_type: str) -> Any:
    """Put a small image (a drawn signature) into the blob store and record the blob."""
    import tempfile
    from pathlib import Path

    from casetrail.evidence.actions import blob_ingest
    from casetrail.evidence.storage import blob_store
    from casetrail.lib.digests import MultiHasher

    digests = MultiHasher(("sha256", "sm3")).update(data).hexdigests()
    store = blob_store()
    if not store.exists(digests["sha256"]):
        with tempfile.NamedTemporaryFile(delete=False) as tmp:
            tmp.write(data)
        store.put_file(digests["sha256"], Path(tmp.name), move=True)
    blob, _ = blob_ingest(
        officer=officer,
        sha256=digests["sha256"],
        sm3=digests["sm3"],
        size=len(data),
        media_type=media_type,
        storage=store.name,
    )
    return blob


def _check_officers_present(
    doc: Any, case: Case, present: list[OfficerPresent]
) -> list[dict[str, Any]]:
    """第十一条 / 行政处罚法第四十二条、第五十五条: at least the required number of officers, each
    holding a valid certificate that was shown."""
    from casetrail.org.models import Officer as OfficerModel

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
    found = {o.pk: o for o in OfficerModel.objects.filter(pk__in=ids, agency_id=case.agency_id)}
    today = timezone.localdate()
    out = []
    for p in present:
        o = found.get(p.officer_id)
        if o is None:
            raise ActionError(
                "invalid_officer", "在场执法人员不是本机关人员", field="officers_present"
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


def _signature_rows(
    doc: Any, record: Record, officer: Officer, signatures: list[SignatureInput], now: dt.datetime
) -> list[RecordSignature]:
    """Every signature the catalogue requires, each once; a refusal only where the law allows."""
    from casetrail.evidence.models import Blob

    given = {s.role: s for s in signatures}
    unknown = set(given) - {s.role for s in doc.signatures}
    if unknown:
        raise ActionError(
            "unknown_signature",
            f"{doc.title}不需要这些签名：{'、'.join(sorted(unknown))}",
            field="signatures",
        )
    rows = []
    for required in doc.signatures:
        sig = given.get(required.role)
        if sig is None or sig.method not in RecordSignature.Method.values:
            raise ActionError(
                "signature_required",
                f"{doc.title}：缺少{required.label}（第十二条：文书应当签字或盖章）",
                field="signatures",
            )
        if not sig.name.strip():
            raise ActionError(
                "signature_name_required", f"{required.label}：请填写签名人姓名", field="signatures"
            )
        blob = None
        if sig.method == RecordSignature.Method.REFUSED:
            if not required.refusal:
                raise ActionError(
                    "refusal_not_allowed", f"{required.label}不能以拒签代替", field="signatures"
                )
            if not sig.refusal_reason.strip():
                raise ActionError(
                    "refusal_reason_required",
                    f"{required.label}：拒绝签名的，须记录拒签理由",
                    field="signatures",
                )
        elif sig.method == RecordSignature.Method.DRAWN:
            if not sig.image.startswith(PNG_MAGIC) or len(sig.image) > MAX_SIGNATURE_BYTES:
                raise ActionError(
                    "invalid_signature_image",
                    f"{required.label}：签名图像应为 PNG（不超过2MB）",
                    field="signatures",
                )
            blob = store_image(officer=officer, data=sig.image, media_type="image/png")
        else:
            blob = Blob.objects.filter(
                sha256=sig.blob_sha256, agency_id=record.case.agency_id
            ).first()
            if blob is None:
                raise ActionError(
                    "scan_missing", f"{required.label}：请先上传签名页扫描件", field="signatures"
                )
        rows.append(
            RecordSignature.objects.create(
                record=record,
                role=required.role,
                name=sig.name.strip(),
                method=sig.method,
                blob=blob,
                refusal_reason=sig.refusal_reason.strip(),
                signed_at=now,
            )
        )
    return rows


def record_create(
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
    from casetrail.cases.models import Stage
    from casetrail.records.catalogue import doc_type

    doc = doc_type(kind)
    with transaction.atomic():
        case = Case.objects.select_for_update().select_related("agency").get(pk=case.pk)
        if not case.assignments.filter(officer=officer).exists():
            raise ActionError("not_assigned", "只有本案承办人员可以制作本案文书", status=403)
        if not officer.certificate_valid_on(timezone.localdate()):
            raise ActionError("certificate_invalid", f"{officer.name}的执法证件无效")
        if doc.stage == "start":
            raise ActionError("wrong_stage", f"{doc.title}在程序启动环节办理，请使用启动页面")
        if not case.is_open or case.stage != doc.stage:
            raise ActionError(
                "wrong_stage",
                f"{doc.title}属于“{Stage(doc.stage).label}”阶段，本案当前为“{case.get_stage_display()}”",
            )
        if doc.procedure and doc.procedure != case.procedure:
            raise ActionError(
                "wrong_procedure", f"{doc.title}不适用于本案的{case.get_procedure_display()}"
            )
        now = timezone.now()
        values = clean_fields(kind, fields, case=case)
        present = _check_officers_present(doc, case, officers_present or [])
        record = Record.objects.create(
            case=case,
            kind=kind,
            fields=values,
            created_by=officer,
            created_at=now,
            officers_present=present or None,
        )
        rows = [record, *_signature_rows(doc, record, officer, signatures or [], now)]
        ledger_append(
            agency=case.agency,
            actor=officer,
            action="record.create",
            subject=f"record:{record.pk}",
            payload={"case": case.pk, "rows": [fact_of(r) for r in rows]},
            case_id=case.pk,
        )
        return record


def record_attach(
    *,
    record: Record,
    officer: Officer,
    kind: str,
    item_id: int | None = None,
    blob_sha256: str = "",
) -> RecordAttachment:
    """Attach a file to a record: an audio/video or photo evidence item of the same case, or a
    stored scan/document."""
    from casetrail.evidence.models import Blob, Item

    with transaction.atomic():
        case = record.case
        if not case.assignments.filter(officer=officer).exists():
            raise ActionError("not_assigned", "只有本案承办人员可以添加附件", status=403)
        if kind not in ("signed_scan", "photo", "av", "document"):
            raise ActionError("invalid_attachment_kind", "附件类别无效", field="kind")
        item = blob = None
        if kind in ("av", "photo"):
            item = Item.objects.filter(
                pk=item_id, agency_id=case.agency_id, link__case=case
            ).first()
            if item is None:
                raise ActionError("invalid_item", "请选择已归入本案的音像记录", field="item")
            wanted = ("video", "audio", "surveillance") if kind == "av" else ("photo",)
            if item.kind not in wanted:
                raise ActionError("invalid_item", "所选记录的类别与附件类别不符", field="item")
        else:
            blob = Blob.objects.filter(sha256=blob_sha256, agency_id=case.agency_id).first()
            if blob is None:
                raise ActionError("scan_missing", "请先上传文件", field="blob")
        attachment = RecordAttachment.objects.create(
            record=record,
            kind=kind,
            item=item,
            blob=blob,
            attached_by=officer,
            attached_at=timezone.now(),
        )
        ledger_append(
            agency=case.agency,
            actor=officer,
            action="record.attach",
            subject=f"record:{record.pk}",
            payload={"case": case.pk, "rows": [fact_of(attachment)]},
            case_id=case.pk,
        )
        return attachment
