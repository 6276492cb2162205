"""四性检测 (DA/T 70): each check fails on purpose and blocks archiving, naming what to fix."""

from __future__ import annotations

import os

import pytest

from casetrail.archive import actions, service
from casetrail.archive.models import CheckResult, FileStatus, ItemKind
from casetrail.archive.tests.builders import closed_case
from casetrail.demo.media import video_mp4
from casetrail.evidence.storage import blob_store
from casetrail.lib.errors import ActionError

pytestmark = pytest.mark.django_db


def _overwrite(sha256: str, data: bytes) -> None:
    path = blob_store().path(sha256)
    os.chmod(path, 0o644)
    path.write_bytes(data)
    os.chmod(path, 0o444)


def _failed(report) -> set[tuple[str, str]]:
    return {(r.code, r.target) for r in report.results.filter(passed=False)}


def _video(f):
    return f.items.filter(kind=ItemKind.MEDIA, blob__media_type__startswith="video/").first()


@pytest.mark.behind_the_application
def test_it_finds_a_replaced_blob_and_refuses_to_archive(personas, evidence_store):
    case = closed_case(personas)
    liu = personas["liu"]
    f = actions.archive_assemble(case=case, officer=liu)
    video = _video(f)
    _overwrite(video.blob.sha256, video_mp4(999))  # another clip, still a valid video

    report = service.check(case_file=f, officer=liu)

    assert not report.passed
    failed = _failed(report)
    target = f"{video.seq}. {video.title}"
    assert ("digest", target) in failed
    assert ("decode", target) not in failed  # it plays; it is just not the recorded clip
    detail = CheckResult.objects.get(report=report, code="digest", target=target).detail
    assert "sha256 of stored bytes differs" in detail
    with pytest.raises(ActionError) as err:
        actions.archive_submit(case_file=f, officer=liu, opinion="")
    assert err.value.code == "checks_failed"
    assert target in err.value.message
    f.refresh_from_db()
    assert f.status == FileStatus.DRAFT and f.chain_id is None


@pytest.mark.behind_the_application
def test_it_finds_an_unreadable_video(personas, evidence_store):
    case = closed_case(personas)
    liu = personas["liu"]
    f = actions.archive_assemble(case=case, officer=liu)
    video = _video(f)
    data = blob_store().path(video.blob.sha256).read_bytes()
    _overwrite(video.blob.sha256, data[:64] + b"\0" * (len(data) - 64))

    report = service.check(case_file=f, officer=liu)

    assert ("decode", f"{video.seq}. {video.title}") in _failed(report)


def test_it_finds_a_missing_required_document(personas, evidence_store):
    case = closed_case(personas, issue=False)  # the decision was never issued as its 文书
    liu = personas["liu"]
    f = actions.archive_assemble(case=case, officer=liu)

    report = service.check(case_file=f, officer=liu)

    required = report.results.filter(code="required", passed=False)
    assert required.exists()
    assert "尚未签发" in required.first().detail


def test_it_refuses_to_submit_before_the_checks_ran(personas, evidence_store):
    case = closed_case(personas)
    f = actions.archive_assemble(case=case, officer=personas["liu"])
    with pytest.raises(ActionError) as err:
        actions.archive_submit(case_file=f, officer=personas["liu"], opinion="")
    assert err.value.code == "checks_failed" and "尚未进行四性检测" in err.value.message


def test_it_refuses_to_assemble_an_open_case_or_for_someone_else(personas, open_case):
    with pytest.raises(ActionError) as err:
        actions.archive_assemble(case=open_case, officer=personas["liu"])
    assert err.value.code == "case_not_closed"
    with pytest.raises(ActionError) as err:
        actions.archive_assemble(case=open_case, officer=personas["zhang"])
    assert err.value.code == "not_custodian" and err.value.status == 403


def _clamd() -> str:
    import os as _os

    for candidate in (
        _os.environ.get("CASETRAIL_CLAMD", ""),
        "/var/run/clamav/clamd.ctl",
        "/run/clamav/clamd.ctl",
    ):
        if candidate and (not candidate.startswith("/") or _os.path.exists(candidate)):
            return candidate
    return ""


@pytest.mark.skipif(not _clamd(), reason="no clamd (Debian's clamav-daemon) on this machine")
def test_it_finds_the_eicar_test_signature_with_clamav(personas, evidence_store, settings):
    from casetrail.archive.checks import clamd_scan
    from casetrail.evidence.models import Blob

    eicar = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
    store = blob_store()
    path = evidence_store / "eicar.bin"
    path.write_bytes(eicar)
    import hashlib

    sha = hashlib.sha256(eicar).hexdigest()
    store.put_file(sha, path, move=False)
    blob = Blob(sha256=sha, sm3="", size=len(eicar), media_type="application/octet-stream")
    assert "FOUND" in clamd_scan(blob, _clamd())
