"""Audio/video records: the 24-hour rule, the inbox, linking, playback with Range and the access
log, devices, and who may see what."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from casetrail.conftest import client_for
from casetrail.evidence.models import AccessLog, Item, Upload
from casetrail.evidence.selectors import late_recordings_for
from casetrail.evidence.tests.helpers import create, upload
from casetrail.evidence.tests.test_uploads import meta, video
from casetrail.ledger.models import LedgerEntry
from casetrail.org.models import Device

pytestmark = pytest.mark.usefixtures("evidence_store")


def test_it_requires_a_reason_for_a_recording_uploaded_after_24_hours(
    open_case: Any, personas: Any, tmp_path: Path
) -> None:
    zhang = client_for("zhang")
    r = upload(zhang, video(tmp_path, hours_ago=30), meta(open_case))
    assert r.status_code == 204 and r["CaseTrail-Upload-State"] == "needs_details"
    up = Upload.objects.get()
    assert up.error_code == "late_reason_required" and "第三十条" in up.error_message
    assert not Item.objects.exists()
    # The inbox shows it; the form refuses without a reason and accepts one.
    assert "补充信息" in zhang.get("/evidence/inbox/").content.decode()
    # The worklist's button counts it (counted, not read: issue 18).
    assert '<span class="tag warn">0 + 待补充 1</span>' in zhang.get("/").content.decode()
    url = f"/evidence/uploads/{up.pk}/complete/"
    form = {"informed": "told", "informed_how": "口头告知", "case": str(open_case.pk)}
    r = zhang.post(url, form)
    assert r.status_code == 400 and "延迟上传理由" in r.content.decode()
    r = zhang.post(url, {**form, "late_reason": "现场无网络，次日返回单位后上传"})
    assert r.status_code == 302
    item = Item.objects.get()
    assert item.late and item.delay_hours >= 30 and item.late_reason.startswith("现场无网络")
    # A finding on the worklists of the officer and of the supervisor, not of others.
    assert late_recordings_for(personas["zhang"]) == [item]
    assert late_recordings_for(personas["sun"]) == [item]
    assert late_recordings_for(personas["li"]) == []
    for who in ("zhang", "sun"):
        page = client_for(who).get("/").content.decode()
        assert "音像记录超时上传" in page and f"/evidence/{item.pk}/" in page
    assert client_for("zhang").get("/api/evidence/late/").json()[0]["id"] == item.pk


def test_it_keeps_unlinked_recordings_in_the_inbox_until_linked(
    open_case: Any, personas: Any, tmp_path: Path
) -> None:
    zhang = client_for("zhang")
    r = upload(zhang, video(tmp_path), meta())
    item = Item.objects.get(pk=int(r["CaseTrail-Evidence"]))
    assert not hasattr(item, "link") or item.link is None
    assert zhang.get("/api/evidence/inbox/").json()["unlinked"][0]["id"] == item.pk
    assert f"/evidence/{item.pk}/" in zhang.get("/evidence/inbox/").content.decode()
    assert '我的待归案音像记录 <span class="tag warn">1</span>' in zhang.get("/").content.decode()
    # Unlinked: its uploader and the supervisor see it; a colleague does not.
    assert client_for("li").get(f"/evidence/{item.pk}/").status_code == 404
    assert client_for("sun").get(f"/evidence/{item.pk}/").status_code == 200
    # So is its ledger entry, which has no case: the uploader and the supervisor, nobody else.
    entry = LedgerEntry.objects.get(action="evidence.record_create", subject=f"evidence:{item.pk}")
    code = open_case.agency.credit_code
    for who, status in [("zhang", 200), ("sun", 200), ("li", 404), ("wang", 404), ("liu", 404)]:
        api = client_for(who).get(f"/api/ledgers/{code}/entries/{entry.seq}")
        page = client_for(who).get(f"/ledger/{code}/entries/{entry.seq}/")
        assert (api.status_code, page.status_code) == (status, status), who
    r = zhang.post(f"/evidence/{item.pk}/link/", {"case": open_case.pk})
    assert r.status_code == 302
    assert zhang.get("/api/evidence/inbox/").json()["unlinked"] == []
    assert '我的待归案音像记录 <span class="tag">0</span>' in zhang.get("/").content.decode()
    # Now the case decides: li handles the case and sees it.
    assert client_for("li").get(f"/evidence/{item.pk}/").status_code == 200
    again = zhang.post(
        f"/api/evidence/{item.pk}/link/", {"case": open_case.pk}, content_type="application/json"
    )
    assert again.status_code == 400 and again.json()["code"] == "already_linked"
    assert LedgerEntry.objects.filter(action="evidence.link", case_ref=open_case.pk).exists()


def test_it_plays_with_http_range_and_logs_every_read(
    open_case: Any, other_agency: Any, tmp_path: Path
) -> None:
    data = video(tmp_path)
    li = client_for("li")
    r = upload(client_for("zhang"), data, meta(open_case))
    pk = int(r["CaseTrail-Evidence"])
    assert li.get(f"/evidence/{pk}/").status_code == 200
    r = li.get(f"/evidence/{pk}/media", headers={"Range": "bytes=0-99"})
    assert r.status_code == 206
    assert r["Content-Range"] == f"bytes 0-99/{len(data)}" and r["Accept-Ranges"] == "bytes"
    assert b"".join(r.streaming_content) == data[:100]
    r = li.get(
        f"/evidence/{pk}/media", headers={"Range": "bytes=100-"}
    )  # seeking: not logged again
    assert b"".join(r.streaming_content) == data[100:]
    r = li.get(f"/evidence/{pk}/media", headers={"Range": "bytes=-10"})
    assert b"".join(r.streaming_content) == data[-10:]
    r = li.get(f"/evidence/{pk}/media", headers={"Range": f"bytes={len(data)}-"})
    assert r.status_code == 416 and r["Content-Range"] == f"bytes */{len(data)}"
    r = li.get(f"/evidence/{pk}/media?download=1")
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    assert b"".join(r.streaming_content) == data
    r = client_for("zhang").get(f"/api/evidence/{pk}/media", headers={"Range": "bytes=0-9"})
    assert r.status_code == 206 and b"".join(r.streaming_content) == data[:10]
    whats = sorted(AccessLog.objects.filter(item_id=pk).values_list("officer__name", "what"))
    assert whats == [
        ("張承办".replace("張", "张"), "play"),
        ("李承办", "download"),
        ("李承办", "play"),
        ("李承办", "view"),
    ]
    assert LedgerEntry.objects.filter(action="evidence.play").count() == 2
    # Other agencies and officers without a part in the case get 404.
    assert client_for("ma").get(f"/evidence/{pk}/media").status_code == 404
    assert client_for("liu").get(f"/api/evidence/{pk}/").status_code == 404


def test_it_lists_a_cases_evidence_over_the_api(
    open_case: Any, other_agency: Any, tmp_path: Path
) -> None:
    upload(client_for("zhang"), video(tmp_path), meta(open_case))
    rows = client_for("li").get(f"/api/evidence/?case={open_case.pk}").json()
    assert len(rows) == 1 and rows[0]["case"] == open_case.pk
    assert rows[0]["blob"]["size"] > 0 and len(rows[0]["blob"]["sm3"]) == 64
    assert client_for("ma").get(f"/api/evidence/?case={open_case.pk}").status_code == 404


def test_it_registers_devices_that_recordings_refer_to(
    open_case: Any, personas: Any, tmp_path: Path
) -> None:
    sun = client_for("sun")
    r = sun.post(
        "/api/devices/",
        {"serial": "DSJ-001", "model": "DSJ-V9", "officer": personas["li"].pk},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert client_for("zhang").post("/api/devices/", {"serial": "X"}).status_code == 403
    r = sun.post("/evidence/devices/", {"serial": "DSJ-001", "kind": "body_camera"})
    assert r.status_code == 400 and "已登记" in r.content.decode()
    assert "DSJ-001" in client_for("zhang").get("/evidence/devices/").content.decode()
    # A recording names the device; its assigned officer is the recorder.
    r = upload(client_for("zhang"), video(tmp_path), meta(open_case, device="DSJ-001"))
    item = Item.objects.get(pk=int(r["CaseTrail-Evidence"]))
    assert item.device.serial == "DSJ-001" and item.officer == personas["li"]
    assert item.uploaded_by == personas["zhang"]
    device = Device.objects.get()
    r = sun.post(
        f"/api/devices/{device.pk}/", {"status": "repair"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == "repair" and r.json()["officer"] is None
    assert LedgerEntry.objects.filter(action="evidence.device_update").count() == 1
    # A device the agency never registered is refused at creation, before any byte is sent.
    r = create(client_for("zhang"), 100, meta(open_case, device="NOPE"))
    assert r.status_code == 400 and r.json()["code"] == "device_not_found"
    assert not Upload.objects.filter(metadata__device="NOPE").exists()


def test_it_refuses_a_case_the_uploader_does_not_handle(
    open_case: Any, personas: Any, tmp_path: Path
) -> None:
    r = upload(client_for("wang"), video(tmp_path), meta(open_case))
    assert r["CaseTrail-Upload-State"] == "needs_details"
    assert Upload.objects.get().error_code == "not_assigned"


def test_it_renders_the_upload_page_with_its_tus_client(open_case: Any) -> None:
    page = client_for("zhang").get(f"/evidence/upload/?case={open_case.pk}").content.decode()
    assert "evidence/upload.js" in page and 'data-endpoint="/api/uploads/"' in page
    assert f'value="{open_case.pk}" selected' in page
    js = client_for("zhang").get("/static/evidence/upload.js")
    assert js.status_code == 200


def test_it_does_not_log_future_recordings(open_case: Any, tmp_path: Path) -> None:
    upload(client_for("zhang"), video(tmp_path, hours_ago=-5), meta(open_case))
    assert Upload.objects.get().error_code == "recorded_in_future"
    assert timezone.now()  # nothing recorded
    assert not Item.objects.exists()
    _ = dt
