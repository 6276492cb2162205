"""Custody (第三十一条): scheduled fixity finds a replaced blob and raises a finding on the
custodian's and the supervisor's worklists; the register of every use (查阅, 借阅 with its return,
复制); the package is never half there."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.utils import timezone

from casetrail.archive import actions, fixity, service
from casetrail.archive.models import FixityCheck, Package, Use
from casetrail.archive.package import work_dir
from casetrail.archive.tests.builders import archived_case
from casetrail.conftest import client_for
from casetrail.evidence.storage import blob_store
from casetrail.ledger.models import LedgerEntry
from casetrail.lib.errors import ActionError
from casetrail.oversight.models import Finding
from casetrail.oversight.refresh import refresh

pytestmark = pytest.mark.django_db


@pytest.mark.behind_the_application
def test_it_finds_a_replaced_blob_on_its_fixity_cycle(personas, evidence_store):
    f = archived_case(personas)
    first = fixity.run()
    assert [r.case_file_id for r in first] == [f.pk] and first[0].passed
    assert fixity.run() == []  # checked this cycle: not due again before a week
    later = timezone.now() + dt.timedelta(days=7, minutes=1)

    photo = f.items.filter(blob__media_type="image/jpeg").first()
    path = blob_store().path(photo.blob.sha256)
    os.chmod(path, 0o644)
    path.write_bytes(b"\xff\xd8 not the photo that was archived")
    os.chmod(path, 0o444)

    (run,) = fixity.run(later)
    assert not run.passed and any(photo.blob.sha256[:12] in line for line in run.findings)
    assert LedgerEntry.objects.filter(action="archive.fixity").count() == 2
    worklist = client_for("liu").get("/").content.decode()
    assert "档案定期检测异常" in worklist and f.archive_code in worklist
    refresh(agency=f.agency)
    finding = Finding.objects.get(kind="archive_fixity")
    assert finding.case_id == f.case_id and str(run.pk) in finding.subject


def test_it_spreads_the_cycle_over_the_days(personas, evidence_store):
    f = archived_case(personas)
    assert len(fixity.run(budget=1)) == 1  # at least one file even on a tiny budget
    assert FixityCheck.objects.filter(case_file=f).count() == 1


def test_it_registers_every_use_of_an_archived_file(personas, evidence_store):
    f = archived_case(personas)
    liu = personas["liu"]
    read = actions.archive_use_record(
        case_file=f,
        officer=liu,
        kind="read",
        user_name="孙监督",
        purpose="案卷评查",
        approved_by="赵局长",
    )
    with pytest.raises(ActionError) as err:
        actions.archive_use_record(
            case_file=f,
            officer=liu,
            kind="borrow",
            user_name="李承办",
            purpose="行政复议答辩",
            approved_by="赵局长",
        )
    assert err.value.code == "due_back_required"
    borrow = actions.archive_use_record(
        case_file=f,
        officer=liu,
        kind="borrow",
        user_name="李承办",
        purpose="行政复议答辩",
        approved_by="赵局长",
        due_back=timezone.localdate() + dt.timedelta(days=7),
    )
    actions.archive_use_return(use=borrow, officer=liu)
    with pytest.raises(ActionError) as err:
        actions.archive_use_return(use=borrow, officer=liu)
    assert err.value.code == "already_returned"
    with pytest.raises(ActionError) as err:
        actions.archive_use_record(
            case_file=f,
            officer=personas["zhang"],
            kind="copy",
            user_name="x",
            purpose="y",
            approved_by="z",
        )
    assert err.value.status == 403
    assert list(Use.objects.values_list("kind", flat=True)) == ["read", "borrow"]
    assert read.pk and LedgerEntry.objects.filter(action="archive.use").count() == 2


def test_it_leaves_no_package_when_packaging_dies_half_way(personas, evidence_store, monkeypatch):
    f = archived_case(personas)
    before = Package.objects.count()

    def dies(*args, **kwargs):
        raise KeyboardInterrupt  # as abrupt as it gets within the process

    monkeypatch.setattr("casetrail.archive.service.write_package", dies)
    with pytest.raises(KeyboardInterrupt):
        service.package(case_file=f, officer=personas["liu"])
    assert Package.objects.count() == before
    assert not [p for p in work_dir().iterdir() if p.name.startswith(".aip-")]
    # What a kill -9 leaves (a temporary file, never under a blob's name) is removed by the next
    # attempt once stale; the next package is complete.
    stale = work_dir() / ".aip-killed.tar"
    stale.write_bytes(b"half a tar")
    os.utime(stale, (0, 0))
    monkeypatch.undo()
    package = service.package(case_file=f, officer=personas["liu"])
    assert not stale.exists() and package.blob.size > 0


def test_it_exports_the_package_from_the_command_line(personas, evidence_store, tmp_path):
    import io

    import bagit
    from django.core.management import call_command
    from django.core.management.base import CommandError

    from casetrail.archive.models import Transfer

    f = archived_case(personas)
    out = io.StringIO()
    dest = tmp_path / "export" / "aip"
    call_command(
        "archive_export",
        f.case.number,
        str(dest),
        receiver="陵川县档案馆",
        receiver_person="周馆员",
        stdout=out,
    )
    assert f.archive_code in out.getvalue()
    bagit.Bag(str(dest)).validate()
    assert Transfer.objects.get().receiver_person == "周馆员"
    with pytest.raises(CommandError):  # never over an existing folder
        call_command("archive_export", f.case.number, str(dest), stdout=out)
    with pytest.raises(CommandError):
        call_command("archive_export", "no such case", str(tmp_path / "x"), stdout=out)
