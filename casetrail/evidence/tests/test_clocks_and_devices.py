"""Camera clocks (issue 10 item 1) and devices (第三十七条): a device's clock setting reads the time
its files hold, an officer corrects an implausible file time with a reason the reviewer sees, and
an upload naming a retired or unknown device — or none where the agency requires one — is refused
with a code, writing nothing."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from casetrail.conftest import client_for
from casetrail.evidence.actions import device_register, device_update
from casetrail.evidence.models import Item, Upload
from casetrail.evidence.tests.helpers import create, upload
from casetrail.evidence.tests.media_files import jpeg_bytes, make_video, wav_bytes
from casetrail.evidence.tests.test_uploads import meta, video
from casetrail.ledger.models import LedgerEntry
from casetrail.org.models import Agency, Device, clock_tzinfo

pytestmark = pytest.mark.usefixtures("evidence_store")

BEIJING = ZoneInfo("Asia/Shanghai")


def beijing_clip(tmp_path: Path, *, ended_hours_ago: float, seed: int = 0) -> bytes:
    """A 2-second clip from a body camera whose clock runs on Beijing time."""
    start = timezone.now() - dt.timedelta(hours=ended_hours_ago, seconds=2)
    path = tmp_path / f"b{seed}.mp4"
    return make_video(path, created=start, seconds=2, seed=seed, camera_clock=BEIJING).read_bytes()


@pytest.fixture
def camera(personas: Any) -> Device:
    """张承办's body camera, registered without naming a clock: a body camera's default is the
    agency's time zone."""
    return device_register(officer=personas["sun"], serial="DSJ-BJ", assigned_to=personas["zhang"])


def _item(r: Any) -> Item:
    assert r.status_code == 204, r.content
    assert r["CaseTrail-Upload-State"] == "done", Upload.objects.last().error_message
    return Item.objects.get(pk=int(r["CaseTrail-Evidence"]))


def filed(case: Any, tmp_path: Path, *, hours_ago: float, device: str) -> Item:
    """A Beijing-time clip uploaded over tus naming ``device``, filed at once."""
    data = beijing_clip(tmp_path, ended_hours_ago=hours_ago)
    return _item(upload(client_for("zhang"), data, meta(case, device=device)))


# --- camera clocks -------------------------------------------------------------------------------


def test_it_reads_a_beijing_time_camera_30_hours_late_as_30_hours_late(
    open_case: Any, camera: Device, tmp_path: Path
) -> None:
    assert camera.clock == "Asia/Shanghai"
    zhang = client_for("zhang")
    r = upload(zhang, beijing_clip(tmp_path, ended_hours_ago=30), meta(open_case, device="DSJ-BJ"))
    # Read as UTC it would be 22 hours old and not late; on the camera's clock it is 30 hours.
    assert r["CaseTrail-Upload-State"] == "needs_details"
    up = Upload.objects.get()
    assert up.error_code == "late_reason_required" and "30.0 小时" in up.error_message
    r = zhang.post(
        f"/api/evidence/uploads/{up.pk}/complete/",
        {"late_reason": "外出执法两天无网络", "case": open_case.pk},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    item = Item.objects.get()
    assert item.late and item.delay_hours == 30.0 and item.late_reason == "外出执法两天无网络"
    assert item.time_source == "media" and item.clock == "Asia/Shanghai"
    assert item.recorded_end - item.recorded_start == dt.timedelta(seconds=2)
    assert abs(item.recorded_end - (timezone.now() - dt.timedelta(hours=30))) < dt.timedelta(
        minutes=2
    )
    body = client_for("li").get(f"/api/evidence/{item.pk}/").json()
    assert body["clock"] == "Asia/Shanghai" and body["late"] is True


def test_it_reads_the_same_file_as_utc_from_a_camera_set_to_utc(
    open_case: Any, personas: Any, tmp_path: Path
) -> None:
    device_register(officer=personas["sun"], serial="DSJ-UTC", clock="UTC")
    item = filed(open_case, tmp_path, hours_ago=30, device="DSJ-UTC")
    assert not item.late and item.delay_hours == 22.0 and item.clock == "UTC"


def test_it_files_a_clip_recorded_an_hour_ago_on_a_beijing_time_camera(
    open_case: Any, camera: Device, tmp_path: Path
) -> None:
    item = filed(open_case, tmp_path, hours_ago=1, device="DSJ-BJ")
    assert not item.late and item.delay_hours == 1.0 and item.time_source == "media"
    # A fixed offset reads the same as the zone.
    assert clock_tzinfo("+08:00").utcoffset(None) == dt.timedelta(hours=8)


def test_it_imports_a_dock_on_the_cameras_clock(camera: Device, tmp_path: Path) -> None:
    dock = tmp_path / "dock"
    dock.mkdir()
    (dock / "old.mp4").write_bytes(beijing_clip(tmp_path, ended_hours_ago=30, seed=3))
    (dock / "new.mp4").write_bytes(beijing_clip(tmp_path, ended_hours_ago=1, seed=4))
    out = io.StringIO()
    call_command(
        "import_av", str(dock), "--device", "DSJ-BJ", "--late-reason", "出差两天", stdout=out
    )
    assert "导入 2" in out.getvalue() and "超时 1" in out.getvalue()
    delays = sorted((i.delay_hours, i.late, i.clock) for i in Item.objects.all())
    assert delays == [(1.0, False, "Asia/Shanghai"), (30.0, True, "Asia/Shanghai")]


def test_it_lets_the_officer_correct_an_implausible_file_time_with_a_reason(
    open_case: Any, personas: Any, tmp_path: Path
) -> None:
    zhang = client_for("zhang")
    # No device named: the file's time is read as MP4 defines it (UTC), 7 hours in the future.
    r = upload(zhang, beijing_clip(tmp_path, ended_hours_ago=1), meta(open_case))
    assert r["CaseTrail-Upload-State"] == "needs_details"
    up = Upload.objects.get()
    assert up.error_code == "recorded_in_future" and "记录时间说明" in up.error_message
    ended = timezone.localtime() - dt.timedelta(hours=1)
    url = f"/api/evidence/uploads/{up.pk}/complete/"
    # Times typed in without a reason do not override the file: still refused, nothing written.
    r = zhang.post(url, {"recorded_end": ended.isoformat()}, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "recorded_in_future"
    assert not Item.objects.exists()
    reason = "执法记录仪时钟为北京时间，文件时间按UTC读取后晚了8小时；实际拍摄于上午检查时"
    r = zhang.post(
        url,
        {"recorded_end": ended.isoformat(), "time_reason": reason},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    item = Item.objects.get()
    assert item.time_source == "corrected" and item.time_reason == reason and item.time_trusted
    # The start keeps the file's duration; the file's own time is kept beside the correction.
    assert abs(item.recorded_end - ended) < dt.timedelta(seconds=1)
    assert item.recorded_end - item.recorded_start == dt.timedelta(seconds=2)
    assert item.file_recorded_end - item.recorded_end > dt.timedelta(hours=7, minutes=59)
    assert not item.late
    entry = LedgerEntry.objects.filter(action="evidence.record_create").last()
    assert entry is not None and reason in entry.canonical
    # The reviewer sees the reason and the original time, on the page and over the API.
    page = client_for("li").get(f"/evidence/{item.pk}/").content.decode()
    assert "人工更正" in page and reason in page and "文件中的原时间" in page
    body = client_for("li").get(f"/api/evidence/{item.pk}/").json()
    assert body["time_source"] == "corrected" and body["file_recorded_end"] is not None
    case_page = client_for("li").get(f"/cases/{open_case.pk}/section/media/").content.decode()
    assert reason in case_page


def test_it_keeps_an_exif_time_with_its_own_offset_whatever_the_device_clock(
    open_case: Any, personas: Any
) -> None:
    device_register(officer=personas["sun"], serial="CAM-1", kind="camera", clock="UTC")
    taken = timezone.now().replace(microsecond=0) - dt.timedelta(hours=1)
    photo = jpeg_bytes(taken=taken)  # EXIF 北京时间 with OffsetTimeOriginal +08:00
    r = upload(
        client_for("zhang"),
        photo,
        meta(open_case, device="CAM-1", kind="photo", filename="p.jpg", filetype="image/jpeg"),
    )
    item = _item(r)
    assert item.recorded_end == taken and item.clock is None


def test_it_counts_typed_in_times_only_with_a_reason(open_case: Any, tmp_path: Path) -> None:
    zhang = client_for("zhang")
    ended = (timezone.localtime() - dt.timedelta(minutes=30)).isoformat()
    common = {"kind": "audio", "filename": "询问.wav", "filetype": "audio/wav"}
    r = upload(zhang, wav_bytes(seed=1), meta(open_case, recorded_end=ended, **common))
    bare = _item(r)
    assert bare.time_source == "entered" and bare.time_reason is None and not bare.time_trusted
    r = upload(
        zhang,
        wav_bytes(seed=2),
        meta(
            open_case, recorded_end=ended, time_reason="录音笔无时钟，按询问笔录时间填写", **common
        ),
    )
    told = _item(r)
    assert told.time_trusted and told.time_reason == "录音笔无时钟，按询问笔录时间填写"
    page = client_for("li").get(f"/evidence/{bare.pk}/").content.decode()
    assert "未说明时间依据" in page


# --- devices ------------------------------------------------------------------------------------


def test_it_registers_a_device_with_its_clock_and_refuses_an_invalid_one(personas: Any) -> None:
    sun = client_for("sun")
    r = sun.post(
        "/api/devices/", {"serial": "PHONE-1", "kind": "phone"}, content_type="application/json"
    )
    assert r.status_code == 201 and r.json()["clock"] == "UTC"
    r = sun.post(
        "/api/devices/", {"serial": "DSJ-2", "clock": "+08:00"}, content_type="application/json"
    )
    assert r.status_code == 201 and r.json()["clock_label"] == "固定偏移 UTC+08:00"
    before = (Device.objects.count(), LedgerEntry.objects.count())
    for bad in ("CST", "+25:00", "Mars/Olympus"):
        r = sun.post(
            "/api/devices/", {"serial": f"X-{bad}", "clock": bad}, content_type="application/json"
        )
        assert r.status_code == 400 and r.json()["code"] == "invalid_clock"
        assert "Asia/Shanghai" in r.json()["message"]
    assert (Device.objects.count(), LedgerEntry.objects.count()) == before
    device = Device.objects.get(serial="DSJ-2")
    r = sun.post(
        f"/api/devices/{device.pk}/",
        {"status": "in_service", "clock": "Asia/Shanghai"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["clock"] == "Asia/Shanghai"
    page = sun.get("/evidence/devices/").content.decode()
    assert "当地时间 Asia/Shanghai" in page and "固定偏移 UTC+08:00" not in page


def test_it_refuses_an_upload_naming_a_retired_device_everywhere(
    open_case: Any, camera: Device, personas: Any, tmp_path: Path
) -> None:
    zhang = client_for("zhang")
    # Recorded while in service; the device is then retired before the file is filed.
    r = upload(zhang, beijing_clip(tmp_path, ended_hours_ago=1), meta(open_case))
    up = Upload.objects.get()
    device_update(
        officer=personas["sun"], device=camera, assigned_to=None, status=Device.Status.RETIRED
    )
    uploads_before = Upload.objects.count()
    # tus creation: refused before any byte, no upload made.
    r = create(zhang, 1000, meta(open_case, device="DSJ-BJ"))
    assert r.status_code == 400 and r.json()["code"] == "device_retired"
    assert "已停用" in r.json()["message"] and Upload.objects.count() == uploads_before
    # The completion API and form: refused with the same code, no record.
    url = f"/api/evidence/uploads/{up.pk}/complete/"
    r = zhang.post(url, {"device": "DSJ-BJ"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "device_retired"
    form = {"device": "DSJ-BJ", "informed": "told", "informed_how": "口头告知"}
    r = zhang.post(f"/evidence/uploads/{up.pk}/complete/", form)
    assert r.status_code == 400 and "已停用" in r.content.decode()
    assert not Item.objects.exists()
    # The completion form no longer offers it.
    assert (
        'value="DSJ-BJ"' not in zhang.get(f"/evidence/uploads/{up.pk}/complete/").content.decode()
    )
    # import-av: refused before any file is read.
    dock = tmp_path / "dock"
    dock.mkdir()
    (dock / "a.mp4").write_bytes(beijing_clip(tmp_path, ended_hours_ago=2, seed=5))
    cert = personas["zhang"].certificate_no
    with pytest.raises(CommandError, match="已停用"):
        call_command(
            "import_av", str(dock), "--device", "DSJ-BJ", "--officer", cert, stdout=io.StringIO()
        )
    assert not Item.objects.exists()


def test_it_refuses_an_unknown_device_on_completion(open_case: Any, tmp_path: Path) -> None:
    zhang = client_for("zhang")
    upload(zhang, wav_bytes(seed=3), meta(open_case, kind="audio", filename="a.wav"))
    up = Upload.objects.get()
    r = zhang.post(
        f"/api/evidence/uploads/{up.pk}/complete/",
        {"device": "NO-SUCH", "recorded_end": timezone.localtime().isoformat()},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["code"] == "device_not_found"
    assert "未在本机关登记" in r.json()["message"] and not Item.objects.exists()


def test_it_requires_a_device_on_audio_video_when_the_agency_says_so(
    open_case: Any, camera: Device, personas: Any, tmp_path: Path
) -> None:
    zhang, admin = client_for("zhang"), client_for("admin")
    assert zhang.get("/api/devices/policy/").json() == {"av_device_required": False}
    # Not required: a clip without a device is filed.
    _item(upload(zhang, video(tmp_path, hours_ago=0.5, seed=1), meta(open_case)))
    # Only an administrator changes the setting, with a reason; each change is ledgered.
    body = {"av_device_required": True, "reason": "局务会决定：音像记录一律注明执法记录仪"}
    r = zhang.post("/api/devices/policy/", body, content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "not_an_admin"
    r = admin.post("/api/devices/policy/", {**body, "reason": " "}, content_type="application/json")
    assert r.status_code == 400
    assert not Agency.objects.get(pk=camera.agency_id).requires_av_device
    r = admin.post("/api/devices/policy/", body, content_type="application/json")
    assert r.status_code == 200 and r.json() == {"av_device_required": True}
    entry = LedgerEntry.objects.get(action="org.agency_settings")
    assert "局务会决定" in entry.canonical
    r = admin.post("/api/devices/policy/", body, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "setting_unchanged"
    # Required: a video upload without a device is refused at creation …
    uploads_before = Upload.objects.count()
    r = create(zhang, 1000, meta(open_case))
    assert r.status_code == 400 and r.json()["code"] == "device_required"
    assert Upload.objects.count() == uploads_before
    # … a file whose kind is left to its content waits for the device, then is filed with one;
    untyped = {k: v for k, v in meta(open_case).items() if k != "kind"}
    r = upload(zhang, video(tmp_path, hours_ago=0.5, seed=2), untyped)
    assert r["CaseTrail-Upload-State"] == "needs_details"
    up = Upload.objects.get(state="needs_details")
    assert up.error_code == "device_required"
    r = zhang.post(
        f"/api/evidence/uploads/{up.pk}/complete/",
        {"device": "DSJ-BJ"},
        content_type="application/json",
    )
    assert r.status_code == 201 and Item.objects.get(upload=up).device == camera
    # … and a photo needs none.
    taken = timezone.now() - dt.timedelta(minutes=10)
    r = upload(
        zhang,
        jpeg_bytes(taken=taken, seed=4),
        meta(open_case, kind="photo", filename="p.jpg", filetype="image/jpeg"),
    )
    assert _item(r).device is None
    page = admin.get("/evidence/devices/").content.decode()
    assert "所有音像记录须注明登记在册的记录设备" in page
    # The web form turns it off again.
    r = admin.post("/evidence/devices/policy/", {"av_device_required": "", "reason": "试行结束"})
    assert r.status_code == 302
    assert not Agency.objects.get(pk=camera.agency_id).requires_av_device
    assert client_for("sun").post("/evidence/devices/policy/", {"reason": "x"}).status_code == 403


def test_it_lets_only_the_agencys_administrator_change_the_device_setting(
    personas: Any, other_agency: Any
) -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from casetrail.demo.personas import DEMO_PASSWORD

    get_user_model().objects.create_user(username="outsider", password=DEMO_PASSWORD)
    body = {"av_device_required": True, "reason": "统一要求"}
    expected = {  # who: (GET api, POST api, POST page)
        "anon": (401, 401, 302),
        "outsider": (403, 403, 403),
        "ma": (200, 403, 403),
        "zhang": (200, 403, 403),
        "sun": (200, 403, 403),
        "admin": (200, 200, 302),
    }
    for who, (get, post, page) in expected.items():
        c = Client() if who == "anon" else client_for(who)
        got = (
            c.get("/api/devices/policy/").status_code,
            c.post("/api/devices/policy/", body, content_type="application/json").status_code,
            c.post(
                "/evidence/devices/policy/", {"av_device_required": "", "reason": "x"}
            ).status_code,
        )
        assert got == (get, post, page), who
    # The administrator's two changes (on, then off again by the page) are the only ones.
    assert LedgerEntry.objects.filter(action="org.agency_settings").count() == 2
    assert not Agency.objects.get(pk=personas["admin"].agency_id).requires_av_device
    assert not Agency.objects.get(name="陵川县市场监督管理局").requires_av_device
