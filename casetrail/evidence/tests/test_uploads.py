"""tus uploads end to end through the API: chunks, checksums, the blob store, records, refusals."""

from __future__ import annotations

import datetime as dt
import errno
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from casetrail.conftest import client_for
from casetrail.evidence import partfiles, uploads
from casetrail.evidence.models import AccessLog, Blob, Item, Upload
from casetrail.evidence.storage import blob_store
from casetrail.evidence.tests.helpers import TUS, create, head, patch, upload
from casetrail.evidence.tests.media_files import jpeg_bytes, make_video, wav_bytes
from casetrail.ledger.models import LedgerEntry

pytestmark = pytest.mark.usefixtures("evidence_store")


def video(tmp_path: Path, *, hours_ago: float = 1, seed: int = 0) -> bytes:
    created = timezone.now() - dt.timedelta(hours=hours_ago)
    return make_video(tmp_path / f"v{seed}.mp4", created=created, seed=seed).read_bytes()


def meta(case: Any = None, **extra: str) -> dict[str, str]:
    out = {
        "filename": "现场检查.mp4",
        "filetype": "video/mp4",
        "kind": "video",
        "place": "崇文镇某养老院",
        "informed": "told",
        "informed_how": "口头告知并出示执法记录仪",
        "description": "现场检查全过程",
    }
    if case is not None:
        out["case"] = str(case.pk)
    out.update(extra)
    return out


def test_it_advertises_tus_on_options(personas: Any) -> None:
    r = client_for("zhang").options("/api/uploads/")
    assert r.status_code == 204
    assert r["Tus-Version"] == "1.0.0"
    assert r["Tus-Resumable"] == "1.0.0"
    assert set(r["Tus-Extension"].split(",")) >= {"creation", "termination", "checksum"}
    assert r["Tus-Checksum-Algorithm"] == "sha1,sha256"
    assert int(r["Tus-Max-Size"]) > 0


def test_it_uploads_a_video_in_chunks_into_the_case(
    open_case: Any, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    data = video(tmp_path)
    client = client_for("zhang")
    with django_capture_on_commit_callbacks(execute=True):
        r = upload(client, data, meta(open_case), chunk=len(data) // 3 + 1)
    assert r.status_code == 204, r.content
    assert r["Upload-Offset"] == str(len(data))
    assert r["CaseTrail-Upload-State"] == "done"
    item = Item.objects.get(pk=int(r["CaseTrail-Evidence"]))
    assert item.link.case == open_case
    assert item.blob.size == len(data)
    assert item.blob.media_type == "video/mp4"
    assert item.time_source == "media" and not item.late
    assert item.media["duration_ms"] == 1000 and item.media["width"] == 64
    assert item.recorded_end - item.recorded_start == dt.timedelta(seconds=1)
    # Stored whole, read-only, at its SHA-256 address; no partial file left.
    path = blob_store().path(item.blob.sha256)
    assert path.read_bytes() == data
    assert not stat.S_IMODE(path.stat().st_mode) & 0o222
    assert not list(Path(settings.CASETRAIL_UPLOAD_DIR).glob("*.part"))
    import hashlib

    assert item.blob.sha256 == hashlib.sha256(data).hexdigest()
    assert item.blob.sm3 == hashlib.new("sm3", data).hexdigest()
    # Ledger: the blob with its digests, the record and its link to the case.
    entries = {e.action: e for e in LedgerEntry.objects.filter(action__startswith="evidence.")}
    assert item.blob.sm3 in entries["evidence.blob_ingest"].canonical
    assert '"evidence.ItemLink"' in entries["evidence.record_create"].canonical
    assert entries["evidence.record_create"].case_ref == open_case.pk
    # The poster frame was made by the background task.
    assert item.blob.poster.key
    # HEAD after completion still answers with the full offset.
    assert head(client, r.url)["Upload-Offset"] == str(len(data))
    # The case page lists it with a player.
    page = client.get(f"/cases/{open_case.pk}/section/media/").content.decode()
    assert f"/evidence/{item.pk}/media" in page and "<video" in page


def test_it_refuses_bad_tus_requests(open_case: Any, other_agency: Any) -> None:
    zhang = client_for("zhang")
    assert (
        zhang.generic("POST", "/api/uploads/", b"", headers={"Upload-Length": "5"}).status_code
        == 412
    )
    assert create(zhang, -1).status_code == 400
    assert zhang.generic("POST", "/api/uploads/", b"", headers=TUS).status_code == 400
    assert create(zhang, 10, None, **{"Upload-Metadata": "filename !!!"}).status_code == 400
    assert create(zhang, 10**15).status_code == 413
    assert (
        client_for(None)
        .generic("POST", "/api/uploads/", b"", headers={**TUS, "Upload-Length": "5"})
        .status_code
        == 401
    )
    r = create(zhang, 10, meta())
    url = r["Location"]
    assert r["Upload-Offset"] == "0" and "Upload-Expires" in r
    assert patch(zhang, url, 3, b"abc").status_code == 409
    assert patch(zhang, url, 0, b"abc", content_type="application/octet-stream").status_code == 415
    assert patch(zhang, url, 0, b"x" * 11).status_code == 413
    # Checksum mismatch: 460, the chunk is discarded.
    bad = patch(zhang, url, 0, b"abc", **{"Upload-Checksum": "sha256 " + "A" * 43 + "="})
    assert bad.status_code == 460
    assert head(zhang, url)["Upload-Offset"] == "0"
    assert patch(zhang, url, 0, b"abc", **{"Upload-Checksum": "md5 xyz"}).status_code == 400
    assert patch(zhang, url, 0, b"abc", checksum=True).status_code == 204
    assert head(zhang, url)["Upload-Offset"] == "3"
    # Someone else's upload does not exist for them; another agency's neither.
    assert head(client_for("li"), url).status_code == 404
    assert head(client_for("ma"), url).status_code == 404
    assert head(zhang, "/api/uploads/00000000-0000-0000-0000-000000000000").status_code == 404


def test_it_terminates_an_upload(personas: Any) -> None:
    zhang = client_for("zhang")
    r = create(zhang, 10, meta())
    url = r["Location"]
    patch(zhang, url, 0, b"abcde")
    upload_row = Upload.objects.get()
    assert upload_row.part_path.exists()
    assert zhang.generic("DELETE", url, headers=TUS).status_code == 204
    assert not upload_row.part_path.exists()
    assert head(zhang, url).status_code == 410
    assert patch(zhang, url, 5, b"fghij").status_code == 410


def test_it_expires_abandoned_uploads(personas: Any) -> None:
    zhang = client_for("zhang")
    url = create(zhang, 10, meta())["Location"]
    Upload.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    # The scheduler's task (immediate backend in tests) does it without any new upload.
    assert uploads.expire_abandoned_uploads.enqueue().return_value == 1
    assert Upload.objects.get().state == Upload.State.EXPIRED
    assert head(zhang, url).status_code == 410


def test_it_stores_identical_content_once(open_case: Any, tmp_path: Path) -> None:
    data = video(tmp_path)
    first = upload(client_for("zhang"), data, meta(open_case))
    second = upload(client_for("zhang"), data, meta(open_case))
    assert first.status_code == second.status_code == 204
    assert Blob.objects.count() == 1 and Item.objects.count() == 1
    assert Upload.objects.filter(error_code="duplicate").count() == 1
    assert second["CaseTrail-Evidence"] == first["CaseTrail-Evidence"]


def test_it_refuses_a_file_whose_content_is_not_its_kind(open_case: Any) -> None:
    r = upload(client_for("zhang"), jpeg_bytes(taken=timezone.now()), meta(open_case))
    assert r.status_code == 422
    assert r.json()["code"] == "kind_mismatch" and "image/jpeg" in r.json()["message"]
    assert not Blob.objects.exists() and not Item.objects.exists()
    r = upload(client_for("zhang"), b"just some text", meta(open_case, kind=""))
    assert r.status_code == 422 and r.json()["code"] == "unsupported_type"


def test_it_sanitises_file_names(open_case: Any, tmp_path: Path) -> None:
    data = video(tmp_path)
    r = upload(client_for("zhang"), data, meta(open_case, filename="../../etc/\x00pa\tss\nwd.mp4"))
    item = Item.objects.get(pk=int(r["CaseTrail-Evidence"]))
    assert "/" not in item.file_name and "\x00" not in item.file_name and "\n" not in item.file_name
    assert item.file_name.endswith("passwd.mp4") and "\\" not in item.file_name
    assert item.original_name == "../../etc/\\x00pa\tss\nwd.mp4"  # NUL kept as its escape


def test_it_reads_photo_time_and_gps_from_exif(open_case: Any) -> None:
    taken = timezone.now() - dt.timedelta(hours=2)
    data = jpeg_bytes(taken=taken, gps=(35.7752, 113.2801))
    r = upload(client_for("zhang"), data, meta(open_case, kind="photo", filename="a.jpg"))
    item = Item.objects.get(pk=int(r["CaseTrail-Evidence"]))
    assert item.kind == "photo" and item.time_source == "media"
    assert abs((item.recorded_end - taken).total_seconds()) < 1
    assert item.media["gps"] == {"lat": "35.775200", "lon": "113.280100"}


def test_it_needs_entered_times_for_a_recording_without_any(open_case: Any) -> None:
    zhang = client_for("zhang")
    r = upload(zhang, wav_bytes(), meta(open_case, kind="audio", filename="询问.wav"))
    assert r["CaseTrail-Upload-State"] == "needs_details"
    up = Upload.objects.get()
    assert up.error_code == "recorded_end_required" and up.blob_id
    status = zhang.get(f"/api/evidence/uploads/{up.pk}/").json()
    assert status["state"] == "needs_details"
    end = timezone.now() - dt.timedelta(hours=1)
    r = zhang.post(
        f"/api/evidence/uploads/{up.pk}/complete/",
        {
            "recorded_end": end.isoformat(),
            "recorded_start": (end - dt.timedelta(minutes=5)).isoformat(),
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    item = Item.objects.get()
    assert item.time_source == "entered" and item.kind == "audio"
    assert item.link.case == open_case


def test_it_keeps_the_upload_resumable_when_the_disk_is_full(
    open_case: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = video(tmp_path)
    zhang = client_for("zhang")
    url = create(zhang, len(data), meta(open_case))["Location"]
    assert patch(zhang, url, 0, data[:1000]).status_code == 204
    assert len(data) > 1000
    real_write = os.write

    def full(fd: int, buf: Any) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(partfiles.os, "write", full)
    r = patch(zhang, url, 1000, data[1000:])
    assert r.status_code == 507
    monkeypatch.setattr(partfiles.os, "write", real_write)
    assert head(zhang, url)["Upload-Offset"] == "1000"
    assert not Blob.objects.exists()
    r = patch(zhang, url, 1000, data[1000:])
    assert r.status_code == 204 and r["CaseTrail-Upload-State"] == "done"
    assert blob_store().path(Blob.objects.get().sha256).read_bytes() == data


def test_it_resumes_in_another_process_without_cached_hash_state(
    open_case: Any, tmp_path: Path
) -> None:
    data = video(tmp_path)
    zhang = client_for("zhang")
    url = create(zhang, len(data), meta(open_case))["Location"]
    half = len(data) // 2
    assert patch(zhang, url, 0, data[:half]).status_code == 204
    uploads._HASHERS.clear()  # as after a restart or on another worker
    # Bytes past the acknowledged offset (a request cut off by a crash) are cut away.
    with open(Upload.objects.get().part_path, "ab") as fh:
        fh.write(b"garbage from a killed request")
    assert head(zhang, url)["Upload-Offset"] == str(half)
    r = patch(zhang, url, half, data[half:])
    assert r.status_code == 204
    import hashlib

    assert Blob.objects.get().sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.behind_the_application
def test_it_keeps_recorded_facts_insert_only(open_case: Any, tmp_path: Path) -> None:
    upload(client_for("zhang"), video(tmp_path), meta(open_case))
    for table in ("evidence_blob", "evidence_item", "evidence_itemlink"):
        with pytest.raises(Exception, match="insert-only"):
            with connection.cursor() as cur:
                from django.db import transaction

                with transaction.atomic():
                    cur.execute(f"UPDATE {table} SET id = id")
    assert AccessLog.objects.count() == 0
