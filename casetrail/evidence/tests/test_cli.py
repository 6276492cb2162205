"""`casetrail import-av` and `casetrail verify-blobs` / iter_blob_findings."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from casetrail.evidence.actions import device_register
from casetrail.evidence.fixity import iter_blob_findings
from casetrail.evidence.models import Blob, Item, Upload
from casetrail.evidence.storage import blob_store
from casetrail.evidence.tests.media_files import jpeg_bytes, make_video

pytestmark = pytest.mark.usefixtures("evidence_store")


@pytest.fixture
def dock(personas: Any, tmp_path: Path) -> Path:
    # The dock's files hold UTC times, as the MP4 specification says; the camera is set so.
    device_register(
        officer=personas["sun"], serial="DSJ-9", assigned_to=personas["zhang"], clock="UTC"
    )
    d = tmp_path / "dock"
    (d / "DCIM").mkdir(parents=True)
    now = timezone.now()
    make_video(d / "DCIM" / "a.mp4", created=now - dt.timedelta(hours=2), seed=1)
    make_video(d / "DCIM" / "late.mp4", created=now - dt.timedelta(hours=40), seed=2)
    (d / "p.jpg").write_bytes(jpeg_bytes(taken=now - dt.timedelta(hours=1)))
    (d / "notes.txt").write_bytes(b"not media")
    return d


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_it_imports_a_dock_and_is_safe_to_run_again(dock: Path, personas: Any) -> None:
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in dock.rglob("*") if p.is_file()}
    out = run("import_av", str(dock), "--device", "DSJ-9")
    assert "导入 2" in out and "超时 1" in out and "待补充信息 1" in out and "拒收 1" in out
    assert Item.objects.count() == 2
    assert all(
        i.officer == personas["zhang"] and i.device.serial == "DSJ-9" for i in Item.objects.all()
    )
    assert all(i.source == "import" and not hasattr(i, "link") for i in Item.objects.all())
    assert Upload.objects.get(state="needs_details").error_code == "late_reason_required"
    # Sources untouched.
    assert before == {
        p: (p.stat().st_mtime_ns, p.read_bytes()) for p in dock.rglob("*") if p.is_file()
    }
    again = run("import_av", str(dock), "--device", "DSJ-9")
    assert "跳过（已存储） 3" in again and Item.objects.count() == 2 and Blob.objects.count() == 3


def test_it_records_a_late_reason_given_on_the_command_line(dock: Path) -> None:
    run(
        "import_av", str(dock), "--device", "DSJ-9", "--late-reason", "记录仪在外地执法，返回后导入"
    )
    late = Item.objects.get(late=True)
    assert late.late_reason.startswith("记录仪在外地")


def test_it_finds_missing_and_altered_blobs(dock: Path, personas: Any) -> None:
    run("import_av", str(dock), "--device", "DSJ-9")
    assert list(iter_blob_findings()) == []
    seen: list[tuple[int, int]] = []
    list(
        iter_blob_findings(
            agency_id=personas["zhang"].agency_id, progress=lambda d, t: seen.append((d, t))
        )
    )
    assert seen[-1][0] == seen[-1][1] > 0
    store = blob_store()
    a, b = list(Blob.objects.order_by("id"))[:2]
    path = store.path(a.sha256)
    os.chmod(path, 0o644)
    with path.open("r+b") as fh:
        fh.seek(10)
        fh.write(b"X")
    store.path(b.sha256).unlink()
    findings = list(iter_blob_findings())
    assert f"blob {a.sha256[:12]}…: sha256 of stored bytes differs" in findings
    assert f"blob {a.sha256[:12]}…: sm3 of stored bytes differs" in findings
    assert any("writable" in f for f in findings)
    assert f"blob {b.sha256[:12]}…: missing from the store" in findings
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exc:
        import contextlib

        from django.core.management import execute_from_command_line

        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            execute_from_command_line(["casetrail", "verify_blobs", "--progress"])
    assert exc.value.code == 1
    assert (
        "missing from the store" in out.getvalue() and "verify-blobs: 4 findings" in out.getvalue()
    )
    assert "%" in err.getvalue()


def test_it_refuses_an_unknown_device(personas: Any, tmp_path: Path) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="未登记"):
        call_command("import_av", str(tmp_path), "--device", "NOPE")


def test_it_reads_the_blobs_a_page_at_a_time(
    dock: Path, personas: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fixity check never holds every blob (624,767 rows at 10^5 generated cases): it reads
    them in id order, a page of BATCH a query, whatever their number."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from casetrail.evidence import fixity

    run("import_av", str(dock), "--device", "DSJ-9")
    monkeypatch.setattr(fixity, "BATCH", 2)
    ids = list(Blob.objects.order_by("id").values_list("id", flat=True))
    assert len(ids) == 3
    with CaptureQueriesContext(connection) as queries:
        pages = [[b.id for b in page] for page in fixity.blob_pages(None)]
    assert pages == [ids[:2], ids[2:]]
    assert sum('FROM "evidence_blob"' in q["sql"] for q in queries.captured_queries) == 2
    # The same pages for 张承办's agency, and the check cut into ranges finds what one pass finds.
    assert [[b.id for b in p] for p in fixity.blob_pages(personas["zhang"].agency_id)] == pages
    store = blob_store()
    path = store.path(Blob.objects.get(id=ids[2]).sha256)
    os.chmod(path, 0o644)
    path.write_bytes(b"X")
    os.chmod(path, 0o444)
    assert fixity.blob_bounds(None, step=1) == ids[1:]
    units = [fixity.BlobRange(None, lo, hi) for lo, hi in [(None, ids[1]), (ids[1], None)]]
    by_range = [line for unit in units for line in fixity.range_findings(unit)]
    assert by_range == list(iter_blob_findings()) and len(by_range) == 3
