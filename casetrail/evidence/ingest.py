"""From complete bytes on local disk to a stored blob and (when the metadata says enough) an
audio/video record. Shared by tus uploads and the collection-station import.

Order matters: digests → media probe (refuse a file that is not what it claims before storing it) →
the store gets the whole file (atomic) → ``blob_ingest`` → ``evidence_record_create``. If the record
is refused (a late recording without a reason, no time in the file …) the bytes are already safe and
the upload waits in the officer's inbox as "待补充信息" until the details are entered.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from casetrail.cases.models import Case
from casetrail.cases.writes import clean_mark
from casetrail.evidence import actions
from casetrail.evidence.devices import check_device, device_by_serial
from casetrail.evidence.media import guess_kind, kind_matches, probe
from casetrail.evidence.models import Blob, Item, Kind, Upload
from casetrail.evidence.storage import CHUNK, blob_store, put_bytes
from casetrail.lib.digests import MultiHasher
from casetrail.lib.errors import ActionError
from casetrail.lib.numbers import id_or_none
from casetrail.org.models import Device, Officer

HASHES = ("sha256", "sm3")


def sanitize_filename(name: str) -> str:
    """A safe display/storage name: no path separators, control characters or leading dots."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip().lstrip(".")
    return name[:200] or "未命名文件"


def hash_file(path: Path, progress: Any = None) -> dict[str, Any]:
    hasher = MultiHasher(HASHES)
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            hasher.update(block)
            if progress:
                progress(len(block))
    return {**hasher.hexdigests(), "size": hasher.size}


def _parse_moment(value: Any) -> dt.datetime | None:
    moment: dt.datetime | None
    if isinstance(value, dt.datetime):
        moment = value
    elif not value:
        return None
    else:
        moment = parse_datetime(str(value).strip().replace(" ", "T"))
        if moment is None:
            raise ActionError("invalid_time", f"时间格式无效：{value}", field="recorded_end")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def record_input(*, officer: Officer, meta: dict[str, Any]) -> actions.RecordInput:
    """Read the uploader's metadata (tus Upload-Metadata, a form, the API) into a RecordInput;
    ids that are not of the officer's agency are the same error as missing ones."""
    case = None
    if meta.get("case"):
        pk = id_or_none(meta["case"])
        case = Case.objects.filter(pk=pk, agency_id=officer.agency_id).first() if pk else None
        if case is None:
            raise ActionError("case_not_found", "案件不存在或无权访问", field="case")
    device = named_device(officer=officer, meta=meta)
    recorder = None
    if meta.get("officer"):
        recorder = Officer.objects.filter(
            agency_id=officer.agency_id, certificate_no=str(meta["officer"]).strip()
        ).first()
        if recorder is None:
            raise ActionError("officer_not_found", "记录人（执法证号）不存在", field="officer")
    elif device is not None and device.officer_id:
        recorder = device.officer
    return actions.RecordInput(
        kind=str(meta.get("kind") or ""),
        officer=recorder,
        device=device,
        recorded_start=_parse_moment(meta.get("recorded_start")),
        recorded_end=_parse_moment(meta.get("recorded_end")),
        place=str(meta.get("place") or ""),
        informed=str(meta.get("informed") or ""),
        informed_how=str(meta.get("informed_how") or ""),
        description=str(meta.get("description") or ""),
        late_reason=str(meta.get("late_reason") or ""),
        case=case,
        time_reason=str(meta.get("time_reason") or ""),
        mark=str(meta.get("mark") or ""),
        mark_reason=str(meta.get("mark_reason") or ""),
    )


def named_device(*, officer: Officer, meta: dict[str, Any]) -> Device | None:
    """The registered device the metadata names by its serial (第三十七条)."""
    return device_by_serial(officer=officer, serial=str(meta.get("device") or ""))


def check_upload_metadata(*, officer: Officer, meta: dict[str, Any]) -> None:
    """What can be refused before any byte arrives (tus creation): a device that is unknown or
    retired, or none where the agency requires one on audio/video and the upload says it is
    audio/video (a kind left to the file's content is checked when the record is made)."""
    device = named_device(officer=officer, meta=meta)
    check_device(officer=officer, device=device, kind=str(meta.get("kind") or ""))
    if meta.get("mark"):
        # 第三十三条: a 国家秘密 upload is refused before its first byte; others need a reason.
        clean_mark(str(meta["mark"]), str(meta.get("mark_reason") or ""), field="mark")
        if not meta.get("case"):
            raise ActionError("mark_needs_case", "标记涉密的音像记录须同时归入案件", field="case")


def _save(upload: Upload, **changes: Any) -> None:
    changes["updated_at"] = timezone.now()
    for key, value in changes.items():
        setattr(upload, key, value)
    if upload._state.adding:
        upload.save()
    else:
        upload.save(update_fields=list(changes))


def refuse(upload: Upload, err: ActionError) -> None:
    _save(upload, state=Upload.State.REFUSED, error_code=err.code, error_message=err.message)


def ingest(
    *,
    upload: Upload,
    path: Path,
    move: bool,
    digests: dict[str, Any] | None = None,
) -> Upload:
    """Store the complete file at ``path`` and try to make its record. Idempotent: safe to call again
    after a crash at any point (the store and blob_ingest skip what is already there)."""
    officer = upload.officer
    store = blob_store()
    if upload.sha256 and upload.blob_id is None and not path.exists():
        # A previous attempt moved the bytes into the store and stopped before recording them.
        digests = {"sha256": upload.sha256, "sm3": upload.sm3, "size": upload.length}
    if digests is None:
        digests = hash_file(path)
    if upload.media_type == "" or path.exists():
        media = probe(path) if path.exists() else dict(upload.media)
        media_type = media.pop("media_type", "application/octet-stream")
    else:
        media, media_type = dict(upload.media), upload.media_type
    claimed = str(upload.metadata.get("kind") or "")
    if guess_kind(media_type) is None:
        err = ActionError(
            "unsupported_type", f"无法识别的文件内容（{media_type}），只接收照片、录音和录像"
        )
        refuse(upload, err)
        _discard(path, move)
        raise err
    if claimed and claimed in Kind.values and not kind_matches(claimed, media_type):
        err = ActionError(
            "kind_mismatch",
            f"文件内容为 {media_type}，与所选类别「{Kind(claimed).label}」不符",
            field="kind",
        )
        refuse(upload, err)
        _discard(path, move)
        raise err
    _save(
        upload,
        sha256=digests["sha256"],
        sm3=digests["sm3"],
        media=media,
        media_type=media_type,
    )
    if path.exists():
        store.put_file(digests["sha256"], path, move=move)
    blob, _ = actions.blob_ingest(
        officer=officer,
        sha256=digests["sha256"],
        sm3=digests["sm3"],
        size=digests["size"],
        media_type=media_type,
        storage=store.name,
    )
    _save(upload, blob=blob, state=Upload.State.NEEDS_DETAILS)
    if move:
        _discard(path, move)  # a duplicate's part file, when the store already had the bytes
    existing = Item.objects.filter(agency_id=officer.agency_id, blob=blob).first()
    if existing is not None:  # identical content already recorded by this agency: that record
        _save(
            upload,
            item=existing,
            state=Upload.State.DONE,
            error_code="duplicate",
            error_message=f"该文件已登记为音像记录 #{existing.pk}",
        )
        return upload
    complete(upload=upload, officer=officer, meta=upload.metadata, quiet=True)
    return upload


def _discard(path: Path, move: bool) -> None:
    if move:
        path.unlink(missing_ok=True)


def complete(
    *, upload: Upload, officer: Officer, meta: dict[str, Any], quiet: bool = False
) -> Upload:
    """Make the record of a stored upload from ``meta``. ``quiet``: a refusal leaves the upload
    waiting for details (its message shown in the inbox) instead of raising."""
    if upload.officer_id != officer.pk:
        raise ActionError("permission_denied", "只能补充本人上传的文件", status=403)
    if upload.state != Upload.State.NEEDS_DETAILS or upload.blob_id is None:
        raise ActionError("not_waiting", "该上传不在待补充信息状态")
    meta = {**upload.metadata, **{k: v for k, v in meta.items() if v not in (None, "")}}
    if not meta.get("kind"):
        meta["kind"] = guess_kind(upload.media_type) or ""
    blob = Blob.objects.get(pk=upload.blob_id)
    try:
        data = record_input(officer=officer, meta=meta)
        actions.evidence_record_create(
            officer=officer,
            blob=blob,
            data=data,
            media=dict(upload.media),
            file_name=upload.file_name,
            original_name=upload.original_name,
            source=upload.source,
            uploaded_at=upload.received_at or upload.created_at,
            upload=upload,
        )
    except ActionError as err:
        _save(upload, metadata=meta, error_code=err.code, error_message=err.message)
        if not quiet:
            raise
    return upload


def new_upload(
    *,
    officer: Officer,
    length: int,
    metadata: dict[str, Any],
    source: str = "upload",
    expires_at: dt.datetime | None = None,
) -> Upload:
    from django.conf import settings

    now = timezone.now()
    original = str(metadata.get("filename") or metadata.get("name") or "")
    upload = Upload(
        agency_id=officer.agency_id,
        officer=officer,
        source=source,
        length=length,
        metadata=metadata,
        file_name=sanitize_filename(original),
        original_name=original[:500],
        created_at=now,
        updated_at=now,
        expires_at=expires_at or now + dt.timedelta(hours=settings.CASETRAIL_UPLOAD_EXPIRY_HOURS),
    )
    upload.save()
    return upload


def store_bytes(*, officer: Officer, data: bytes, media_type: str) -> Blob:
    """Store a small file held in memory (a scan, a document) and record its blob: the bytes are
    in the store whole before ``blob_ingest`` records them."""
    digests = put_bytes(data)
    blob, _ = actions.blob_ingest(
        officer=officer,
        sha256=digests["sha256"],
        sm3=digests["sm3"],
        size=len(data),
        media_type=media_type,
        storage=blob_store().name,
    )
    return blob
