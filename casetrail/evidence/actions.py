"""Writes of evidence. Each recorded fact (a stored blob, an audio/video record, its link to a case,
a read of it, a device's registration or change) is written with its ledger entry in one
transaction; a refusal raises ActionError and writes nothing.

The mutable bookkeeping of uploads in progress and poster frames lives in ``uploads.py`` /
``partfiles.py`` / ``tasks.py``; it records nothing the record relies on, so it is not ledgered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from casetrail.cases.models import Case, Stage
from casetrail.cases.writes import add_mark, clean_mark
from casetrail.evidence.devices import AV_KINDS, check_device
from casetrail.evidence.media import KIND_PREFIXES, kind_matches, recorded_times
from casetrail.evidence.models import (
    AccessLog,
    Blob,
    Informed,
    Item,
    ItemLink,
    Kind,
    TimeSource,
    Upload,
)
from casetrail.evidence.tasks import make_poster
from casetrail.evidence.writes import blob_row
from casetrail.lib.errors import ActionError
from casetrail.lib.ledgered import Act, ActionName, action
from casetrail.lib.text import clean_name, clean_text
from casetrail.org.models import Device, Officer, Role, clock_tzinfo, default_clock

CLOCK_SKEW = dt.timedelta(minutes=10)  # a device clock a little ahead is not "the future"


class EvidenceAction(ActionName):
    DEVICE_REGISTER = "evidence.device_register"
    DEVICE_UPDATE = "evidence.device_update"
    BLOB_INGEST = "evidence.blob_ingest"
    RECORD_CREATE = "evidence.record_create"
    LINK = "evidence.link"
    VIEW = "evidence.view"
    PLAY = "evidence.play"
    DOWNLOAD = "evidence.download"


def _blob_digests(blob: Blob) -> dict[str, Any]:
    return {"sha256": blob.sha256, "sm3": blob.sm3, "size": blob.size}


# --- devices (第三十七条) ----------------------------------------------------------------------


def _may_manage_devices(officer: Officer) -> bool:
    return officer.has_role(Role.ADMIN) or officer.has_role(Role.SUPERVISOR)


def _check_device_officer(
    officer: Officer, assigned_to: Officer | None, current: Officer | None = None
) -> None:
    if assigned_to is not None and assigned_to.agency_id != officer.agency_id:
        raise ActionError("officer_not_found", "配发人员不存在", field="officer")
    # A deactivated officer is given nothing new; a device they still hold may change status.
    if assigned_to is not None and not assigned_to.is_active and assigned_to != current:
        raise ActionError("officer_inactive", f"{assigned_to.name}已停用", field="officer")


@action(EvidenceAction.DEVICE_REGISTER)
def device_register(
    act: Act,
    /,
    *,
    officer: Officer,
    serial: str,
    model: str = "",
    kind: str = Device.Kind.BODY_CAMERA,
    assigned_to: Officer | None = None,
    clock: str | None = None,
) -> Device:
    """Register a recording device of the agency (第三十七条), with how its clock writes the time
    into its files (``clock``: "UTC", a time zone or a fixed offset; by default the one its kind
    usually has, ``org.models.default_clock``)."""
    if not _may_manage_devices(officer):
        raise ActionError("permission_denied", "只有系统管理员或监督人员可以登记设备", status=403)
    serial = clean_name(serial, where="设备编号", field="serial", limit=60)
    model = clean_name(model, where="型号", field="model", limit=100)
    if not serial:
        raise ActionError("serial_required", "请填写设备编号", field="serial")
    if kind not in Device.Kind.values:
        raise ActionError("invalid_kind", "设备类别无效", field="kind")
    clock = _check_clock(clock) or default_clock(kind)
    _check_device_officer(officer, assigned_to)
    if Device.objects.filter(agency_id=officer.agency_id, serial=serial).exists():
        raise ActionError("duplicate_serial", f"设备编号 {serial} 已登记", field="serial")
    device = Device.objects.create(
        agency_id=officer.agency_id,
        serial=serial,
        model=model.strip(),
        kind=kind,
        officer=assigned_to,
        registered_at=timezone.now(),
        clock=clock,
    )
    act.record(
        agency=officer.agency_id, actor=officer, subject=f"device:{device.pk}", rows=[device]
    )
    return device


@action(EvidenceAction.DEVICE_UPDATE)
def device_update(
    act: Act,
    /,
    *,
    officer: Officer,
    device: Device,
    assigned_to: Officer | None,
    status: str,
    clock: str | None = None,
) -> Device:
    """Reassign a device, change its status or its clock setting (``clock`` None: unchanged); the
    ledger keeps every state it had. A new clock setting reads the files uploaded from then on;
    records already made keep the clock they were read with (``Item.clock``)."""
    if not _may_manage_devices(officer) or device.agency_id != officer.agency_id:
        raise ActionError("permission_denied", "只有系统管理员或监督人员可以变更设备", status=403)
    if status not in Device.Status.values:
        raise ActionError("invalid_status", "设备状态无效", field="status")
    clock = _check_clock(clock) or device.clock
    _check_device_officer(officer, assigned_to, device.officer)
    device.officer = assigned_to
    device.status = status
    device.clock = clock
    device.save(update_fields=["officer", "status", "clock"])
    act.record(
        agency=officer.agency_id, actor=officer, subject=f"device:{device.pk}", rows=[device]
    )
    return device


def _check_clock(clock: str | None) -> str | None:
    """A device clock setting in its normal spelling, or None when none was given."""
    value = (clock or "").strip()
    if not value:
        return None
    try:
        clock_tzinfo(value)
    except ValueError:
        raise ActionError(
            "invalid_clock",
            f"设备时钟“{value[:40]}”无效：应为 UTC、时区名（如 Asia/Shanghai）或固定偏移（如 +08:00）",
            field="clock",
        ) from None
    return "UTC" if value.upper() == "UTC" else value


# --- blobs --------------------------------------------------------------------------------------


@action(EvidenceAction.BLOB_INGEST)
def blob_ingest(
    act: Act,
    /,
    *,
    officer: Officer,
    sha256: str,
    sm3: str,
    size: int,
    media_type: str,
    storage: str,
) -> tuple[Blob, bool]:
    """Record that the bytes with these digests are stored (after the store has them whole).
    Identical content is one blob: a second ingest records the event, not a second row."""
    blob, created = blob_row(
        agency_id=officer.agency_id,
        sha256=sha256,
        sm3=sm3,
        size=size,
        media_type=media_type,
        storage=storage,
    )
    act.record(
        agency=officer.agency_id,
        actor=officer,
        subject=f"blob:{sha256}",
        rows=[blob],
        new=created,
        **_blob_digests(blob),
    )
    return blob, created


# --- audio/video and photo records ------------------------------------------------------------


@dataclass
class RecordInput:
    """What the uploader says about a recording; times only count where the file has none."""

    kind: str = ""
    officer: Officer | None = None  # who recorded; default the uploader
    device: Device | None = None
    recorded_start: dt.datetime | None = None
    recorded_end: dt.datetime | None = None
    place: str = ""
    informed: str = ""
    informed_how: str = ""
    description: str = ""
    late_reason: str = ""
    case: Case | None = None
    # Why the times were typed in (the file has none) or why they correct the file's time.
    time_reason: str = ""
    # 第三十三条: 商业秘密 or 个人隐私 (国家秘密 is refused), with its reason; needs the case.
    mark: str = ""
    mark_reason: str = ""


@dataclass(frozen=True)
class _Times:
    start: dt.datetime | None
    end: dt.datetime
    source: str
    clock: str | None = None  # the device clock the file's time was read with
    file_start: dt.datetime | None = None  # the file's time, kept beside a correction
    file_end: dt.datetime | None = None
    reason: str | None = None


def _future(end: dt.datetime, uploaded_at: dt.datetime) -> bool:
    return end > uploaded_at + CLOCK_SKEW


def _recording_times(data: RecordInput, media: dict[str, Any], uploaded_at: dt.datetime) -> _Times:
    """When the recording was made (第十三、三十条): the file's own time, read with the device's
    clock setting; typed in where the file has none; or the file's time corrected by the officer
    with a reason (a camera whose clock was wrong), the file's time kept beside it. The reason
    of a typed-in or corrected time is shown to the reviewer with the record."""
    device = data.device
    clock = (
        device.clock if device is not None and device.clock and media.get("clock_wall") else None
    )
    file_start, file_end = recorded_times(media, clock_tzinfo(clock))
    reason = data.time_reason.strip()[:500]
    entered = data.recorded_end is not None or data.recorded_start is not None
    if file_end is not None and not (entered and reason):
        if _future(file_end, uploaded_at):
            read = f"（按设备时钟 {clock} 读取）" if clock else "（按 UTC 读取）"
            raise ActionError(
                "recorded_in_future",
                f"文件中的记录时间 {timezone.localtime(file_end):%Y-%m-%d %H:%M:%S}{read}晚于上传时间。"
                "如设备时钟有误，请填写实际的记录时间并在“记录时间说明”中说明更正理由"
                "（文件中的原时间一并保存）；设备时钟设置可由管理员在设备登记中更正",
                field="recorded_end",
            )
        return _Times(file_start, file_end, TimeSource.MEDIA, clock=clock)
    start, end = data.recorded_start, data.recorded_end
    if file_end is not None:
        # A correction: a time left out keeps the file's duration.
        duration = file_end - file_start if file_start is not None else dt.timedelta(0)
        if end is None:
            assert start is not None  # entered: one of the two was given
            end = start + duration
        elif start is None:
            start = end - duration
    if end is None:
        raise ActionError(
            "recorded_end_required", "文件中没有记录时间，请填写记录结束时间", field="recorded_end"
        )
    if start is not None and start > end:
        raise ActionError("invalid_times", "记录开始时间不能晚于结束时间", field="recorded_start")
    if _future(end, uploaded_at):
        raise ActionError(
            "recorded_in_future", "记录结束时间晚于上传时间，请核对", field="recorded_end"
        )
    if file_end is None:
        return _Times(start, end, TimeSource.ENTERED, reason=reason or None)
    return _Times(
        start,
        end,
        TimeSource.CORRECTED,
        clock=clock,
        file_start=file_start,
        file_end=file_end,
        reason=reason,
    )


def _check_case(case: Case, officer: Officer) -> None:
    if case.agency_id != officer.agency_id:
        raise ActionError("case_not_found", "案件不存在或无权访问", field="case")
    if not case.assignments.filter(officer=officer).exists():
        raise ActionError(
            "not_assigned", "只有本案承办人员可以将音像记录归入本案", field="case", status=403
        )
    if case.stage in (Stage.CLOSED, Stage.ARCHIVED):
        raise ActionError("case_closed", "案件已结案或归档，不能再归入音像记录", field="case")


def _lateness(*, recorded_end: dt.datetime, uploaded_at: dt.datetime) -> tuple[int, bool]:
    """第三十条: seconds from recording end to upload, and whether that is over the limit."""
    # A recording that ends after the upload by less than the clock skew allowed was uploaded at
    # once, not "-1 seconds" after.
    delay = max(0, int((uploaded_at - recorded_end).total_seconds()))
    return delay, delay > settings.CASETRAIL_AV_DEADLINE_HOURS * 3600


@action(EvidenceAction.RECORD_CREATE)
def evidence_record_create(
    act: Act,
    /,
    *,
    officer: Officer,
    blob: Blob,
    data: RecordInput,
    media: dict[str, Any],
    file_name: str,
    original_name: str = "",
    source: str = "upload",
    uploaded_at: dt.datetime | None = None,
    upload: Upload | None = None,
) -> Item:
    """Register an audio/video or photo record of a stored blob (第四、十三、三十、三十七条).

    Refused: a kind the file's content is not; a device that is retired or not the agency's, or
    none where the agency requires one; no recording time in the file and none entered; a time
    after the upload (a device clock read wrong: the officer may correct it with a reason); a
    late upload without a reason; a duplicate; a case the uploader does not handle."""
    now = timezone.now()
    uploaded_at = uploaded_at or now
    kind = data.kind
    if kind not in Kind.values:
        raise ActionError("invalid_kind", "请选择类别（照片、录音、录像、监控录像）", field="kind")
    if not kind_matches(kind, blob.media_type):
        wanted = "、".join(KIND_PREFIXES[kind])
        raise ActionError(
            "kind_mismatch",
            f"文件内容为 {blob.media_type}，与所选类别「{Kind(kind).label}」不符（应为 {wanted}*）",
            field="kind",
        )
    check_device(officer=officer, device=data.device, kind=kind)
    times = _recording_times(data, media, uploaded_at)
    start, end = times.start, times.end
    if (
        times.source == TimeSource.ENTERED
        and times.reason is None
        and kind in AV_KINDS
        and data.case is not None
        and data.case.is_major
    ):
        # 第五条: in a 重大 case a typed-in time counts only with its reason; asked for now, since
        # the insert-only record cannot take one later.
        raise ActionError(
            "time_reason_required",
            "文件中没有记录时间；重大复杂案件的音像记录手工填写时间的，请在“记录时间说明”中"
            "写明时间的依据（第五条），否则不计入该阶段的音像记录",
            field="time_reason",
        )
    if data.informed not in Informed.values:
        raise ActionError(
            "informed_required", "请说明记录前是否告知当事人（第十三条）", field="informed"
        )
    if data.informed != Informed.NO_PARTY and not data.informed_how.strip():
        raise ActionError(
            "informed_how_required",
            "请填写告知方式，或未告知的原因",
            field="informed_how",
        )
    recorder = data.officer or officer
    if recorder.agency_id != officer.agency_id:
        raise ActionError("officer_not_found", "记录人不存在", field="officer")
    delay, late = _lateness(recorded_end=end, uploaded_at=uploaded_at)
    if late and not data.late_reason.strip():
        raise ActionError(
            "late_reason_required",
            f"该记录结束后 {delay / 3600:.1f} 小时才上传，超过{settings.CASETRAIL_AV_DEADLINE_HOURS}"
            "小时（第三十条），请填写延迟上传理由",
            field="late_reason",
        )
    if data.case is not None:
        _check_case(data.case, officer)
    if data.mark:
        clean_mark(data.mark, data.mark_reason, field="mark")
        if data.case is None:
            raise ActionError("mark_needs_case", "标记涉密的音像记录须同时归入案件", field="case")
    existing = Item.objects.filter(agency_id=officer.agency_id, blob=blob).first()
    if existing is not None:
        raise ActionError(
            "duplicate", f"该文件已登记为音像记录 #{existing.pk}，无需重复上传", field="file"
        )
    item = Item.objects.create(
        agency_id=officer.agency_id,
        blob=blob,
        kind=kind,
        device=data.device,
        officer=recorder,
        uploaded_by=officer,
        uploaded_at=uploaded_at,
        recorded_start=start,
        recorded_end=end,
        time_source=times.source,
        clock=times.clock,
        file_recorded_start=times.file_start,
        file_recorded_end=times.file_end,
        time_reason=times.reason,
        place=clean_text(data.place, where="地点", field="place", limit=200),
        informed=data.informed,
        informed_how=clean_text(
            data.informed_how, where="告知方式", field="informed_how", limit=300
        ),
        description=clean_text(data.description, where="记录内容", field="description"),
        file_name=file_name[:200],
        original_name=original_name[:500],
        media=media,
        source=source,
        delay_seconds=delay,
        late=late,
        late_reason=clean_text(
            data.late_reason, where="延迟上传理由", field="late_reason", limit=500
        )
        if late
        else "",
    )
    rows: list[Any] = [item]
    if data.case is not None:
        rows.append(ItemLink.objects.create(item=item, case=data.case, by=officer, at=now))
        if data.mark:
            rows.append(
                add_mark(
                    case=data.case,
                    officer=officer,
                    target=f"evidence:{item.pk}",
                    kind=data.mark,
                    reason=data.mark_reason,
                )
            )
    act.record(
        agency=officer.agency_id,
        actor=officer,
        subject=f"evidence:{item.pk}",
        rows=rows,
        case=data.case.pk if data.case else None,
        blob=_blob_digests(blob),
    )
    if upload is not None:
        # The upload's bookkeeping follows its record in the same transaction.
        upload.item = item
        upload.state = Upload.State.DONE
        upload.error_code = upload.error_message = ""
        upload.updated_at = now
        upload.save(update_fields=["item", "state", "error_code", "error_message", "updated_at"])
    if blob.media_type.startswith(("video/", "image/")):
        blob_id = blob.pk
        act.on_commit(lambda: make_poster.enqueue(blob_id=blob_id))
    return item


@action(EvidenceAction.LINK)
def evidence_link(act: Act, /, *, item: Item, case: Case, officer: Officer) -> ItemLink:
    """Put an unlinked recording (in the officer's inbox) into a case the officer handles."""
    if item.agency_id != officer.agency_id:
        raise ActionError("not_found", "音像记录不存在", status=404)
    if officer.pk not in (item.uploaded_by_id, item.officer_id):
        raise ActionError("permission_denied", "只有上传人或记录人可以将记录归案", status=403)
    _check_case(case, officer)
    if ItemLink.objects.filter(item=item).exists():
        raise ActionError("already_linked", "该音像记录已归入案件，不能改归其他案件")
    link = ItemLink.objects.create(item=item, case=case, by=officer, at=timezone.now())
    act.record(
        agency=officer.agency_id,
        actor=officer,
        subject=f"evidence:{item.pk}",
        rows=[link],
        case=case.pk,
        blob=_blob_digests(item.blob),
    )
    return link


def _log_access(act: Act, item: Item, officer: Officer, what: str) -> AccessLog:
    """One view, play or download (第三十三条); the read is itself a ledger entry."""
    link = getattr(item, "link", None) if hasattr(item, "link") else None
    case_id = link.case_id if link is not None else None
    row = AccessLog.objects.create(item=item, officer=officer, what=what, at=timezone.now())
    act.record(
        agency=officer.agency_id,
        actor=officer,
        subject=f"evidence:{item.pk}",
        rows=[row],
        case=case_id,
    )
    return row


@action(EvidenceAction.VIEW)
def evidence_view(act: Act, /, *, item: Item, officer: Officer) -> AccessLog:
    """Log that the officer opened the item's page or record (第三十三条)."""
    return _log_access(act, item, officer, AccessLog.What.VIEW)


@action(EvidenceAction.PLAY)
def evidence_play(act: Act, /, *, item: Item, officer: Officer) -> AccessLog:
    """Log the first media request of a playback (第三十三条)."""
    return _log_access(act, item, officer, AccessLog.What.PLAY)


@action(EvidenceAction.DOWNLOAD)
def evidence_download(act: Act, /, *, item: Item, officer: Officer) -> AccessLog:
    """Log a download of the original (第三十三条)."""
    return _log_access(act, item, officer, AccessLog.What.DOWNLOAD)


# How each kind of read is logged, for the views that serve media.
ACCESS_ACTIONS = {
    AccessLog.What.VIEW: evidence_view,
    AccessLog.What.PLAY: evidence_play,
    AccessLog.What.DOWNLOAD: evidence_download,
}
