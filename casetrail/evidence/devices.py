"""Which device a recording names (第三十七条: recording devices are registered and managed, so each
recording can be traced to one): the checks the record's action and the upload's metadata share."""

from __future__ import annotations

from casetrail.evidence.models import Kind
from casetrail.lib.errors import ActionError
from casetrail.org.models import Device, Officer

AV_KINDS = (Kind.AUDIO, Kind.VIDEO, Kind.SURVEILLANCE)


def device_by_serial(*, officer: Officer, serial: str) -> Device | None:
    """The agency's registered device with this serial (None for an empty one); a serial the
    agency has not registered is refused."""
    serial = serial.strip()
    if not serial:
        return None
    device = Device.objects.filter(agency_id=officer.agency_id, serial=serial).first()
    if device is None:
        raise ActionError(
            "device_not_found",
            f"设备 {serial[:60]} 未在本机关登记，请选择登记在册的记录设备（第三十七条）",
            field="device",
        )
    return device


def check_device(*, officer: Officer, device: Device | None, kind: str) -> None:
    """A device of the agency that is not retired; none only where the agency does not require
    one on audio/video records (``kind`` "" when not yet known: not checked for that)."""
    if device is None:
        if kind in AV_KINDS and officer.agency.requires_av_device:
            raise ActionError(
                "device_required",
                "本机关要求音像记录注明记录设备（执法记录仪等），请选择登记在册的设备",
                field="device",
            )
        return
    if device.agency_id != officer.agency_id:
        raise ActionError("device_not_found", "设备不存在", field="device")
    if not device.in_use:
        raise ActionError(
            "device_retired",
            f"设备 {device.serial} 已停用，不能登记其音像记录；如设备仍在使用，"
            "请管理员先将其状态改回“在用”",
            field="device",
        )
