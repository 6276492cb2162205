"""Destruction deletes the bytes (档案销毁): after the two-person approval the blobs only the
destroyed 案卷 held are gone from the store — after the commit, never before — and recorded as
destroyed, so `verify`, `verify-blobs`, fixity and backup stay clean; a blob another case still
names is kept; downloads answer 410 ``destroyed``; a legal hold still refuses and keeps every
byte; the daily pass deletes what a dead process left."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
import time_machine
from django.utils import timezone

from casetrail.approvals.actions import approval_decide
from casetrail.archive import actions
from casetrail.archive.disposal import blobs_to_destroy
from casetrail.archive.models import CaseFile, FileStatus
from casetrail.archive.tests.builders import archived_case
from casetrail.conftest import client_for
from casetrail.documents.models import IssuedDocument
from casetrail.evidence.destroyed import purge_destroyed
from casetrail.evidence.fixity import iter_blob_findings
from casetrail.evidence.models import Blob, DestroyedBlob, ItemLink, PendingDeletion
from casetrail.evidence.storage import blob_store
from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.verify import verify
from casetrail.lib.errors import ActionError

pytestmark = pytest.mark.django_db


def _after(f: CaseFile) -> dt.datetime:
    assert f.dispose_after is not None
    return timezone.make_aware(
        dt.datetime.combine(f.dispose_after, dt.time(10)) + dt.timedelta(days=2)
    )


def _destroy(f: CaseFile, personas, on_commit) -> None:
    """Two approvals; the second action's after-commit work runs as after a real commit."""
    with time_machine.travel(_after(f), tick=False), on_commit(execute=True):
        chain = actions.archive_destruction_propose(
            case_file=f, officer=personas["liu"], appraisal="保管期满，经鉴定无继续保存价值"
        )
        approval_decide(chain=chain, officer=personas["wang"], outcome="approve", opinion="同意")
        approval_decide(
            chain=chain, officer=personas["zhao"], outcome="approve", opinion="同意销毁"
        )


def _second_archived_case(personas, monkeypatch) -> CaseFile:
    """Another archived case of the demo's kind, on another pre-printed form number."""
    import dataclasses

    from casetrail.demo.story import Story

    start = Story.start_on_the_spot

    def renumbered(self, *, spot, **kwargs):
        spot = dataclasses.replace(spot, doc_no=spot.doc_no.replace("0001号", "0002号"))
        return start(self, spot=spot, **kwargs)

    monkeypatch.setattr(Story, "start_on_the_spot", renumbered)
    return archived_case(personas)


def test_it_deletes_the_destroyed_bytes_and_verify_stays_clean(
    personas, evidence_store, django_capture_on_commit_callbacks
):
    f = archived_case(personas)
    store = blob_store()
    doomed = blobs_to_destroy(f.case)
    document = IssuedDocument.objects.filter(case=f.case).first()
    item = ItemLink.objects.filter(case=f.case).first().item
    assert document and {document.blob_id, item.blob_id, f.pdf_id} <= {b.pk for b in doomed}
    assert all(store.exists(b.sha256) for b in doomed)

    _destroy(f, personas, django_capture_on_commit_callbacks)

    f.refresh_from_db()
    assert f.status == FileStatus.DESTROYED
    assert not any(store.exists(b.sha256) for b in doomed)  # the bytes are gone
    assert Blob.objects.filter(pk__in=[b.pk for b in doomed]).count() == len(doomed)  # rows stay
    rows = DestroyedBlob.objects.filter(sha256__in=[b.sha256 for b in doomed])
    assert rows.count() == len(doomed)
    assert {r.destroyed_by for r in rows} == {f"archive.destruction:{f.destruction.pk}"}
    assert LedgerEntry.objects.filter(canonical__contains='"evidence.DestroyedBlob"').exists()
    assert list(iter_blob_findings()) == []  # verify-blobs / fixity: recorded, not missing
    assert verify().intact

    # 410 destroyed, web and API, for the issued PDF, the media and the 案卷 PDF.
    zhang, liu = client_for("zhang"), client_for("liu")
    for client, url in [
        (zhang, f"/documents/{document.pk}/pdf/"),
        (zhang, f"/evidence/{item.pk}/media"),
        (liu, f"/archive/files/{f.pk}/pdf/"),
    ]:
        response = client.get(url)
        assert response.status_code == 410, url
        assert "已销毁" in response.content.decode()
    for url in [f"/api/documents/{document.pk}/pdf/", f"/api/evidence/{item.pk}/media"]:
        response = zhang.get(url)
        assert response.status_code == 410, url
        assert response.json() == {"code": "destroyed", "message": "已销毁"}


def test_it_keeps_a_blob_another_case_still_holds(
    personas, evidence_store, tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    f = archived_case(personas)
    other = _second_archived_case(personas, monkeypatch)
    document = IssuedDocument.objects.filter(case=f.case).first()
    assert document is not None
    # The same bytes reach the other case's 案卷 as a 附卷 (one blob row: content-addressed).
    copy = tmp_path / "same.pdf"
    shutil.copyfile(blob_store().path(document.blob.sha256), copy)
    chain = actions.archive_addition_propose(
        case_file=other,
        officer=personas["liu"],
        path=copy,
        title="与另案相同的文书",
        responsible="陵川县民政局",
        date=other.date_to,
        reason="另案材料",
    )
    approval_decide(chain=chain, officer=personas["wang"], outcome="approve", opinion="同意附卷")
    assert document.blob not in blobs_to_destroy(f.case)

    _destroy(f, personas, django_capture_on_commit_callbacks)

    assert blob_store().exists(document.blob.sha256)
    assert not DestroyedBlob.objects.filter(sha256=document.blob.sha256).exists()
    assert not blob_store().exists(f.pdf.sha256)
    assert client_for("liu").get(f"/archive/files/{other.pk}/pdf/").status_code == 200
    assert verify().intact


def test_it_refuses_during_a_legal_hold_and_keeps_every_byte(
    personas, evidence_store, django_capture_on_commit_callbacks
):
    f = archived_case(personas)
    doomed = blobs_to_destroy(f.case)
    actions.archive_hold_place(
        case=f.case, officer=personas["sun"], kind="litigation", reason="当事人提起行政诉讼"
    )
    with time_machine.travel(_after(f), tick=False), pytest.raises(ActionError) as err:
        actions.archive_destruction_propose(case_file=f, officer=personas["liu"], appraisal="期满")
    assert err.value.code == "legal_hold"
    assert all(blob_store().exists(b.sha256) for b in doomed)
    assert not DestroyedBlob.objects.exists()


def test_it_keeps_the_bytes_when_the_destruction_rolls_back(
    personas, evidence_store, django_capture_on_commit_callbacks
):
    """The bytes go after the commit only: a hold placed between the approvals refuses the
    second one, its transaction rolls back, nothing is deleted."""
    f = archived_case(personas)
    doomed = blobs_to_destroy(f.case)
    with time_machine.travel(_after(f), tick=False):
        chain = actions.archive_destruction_propose(
            case_file=f, officer=personas["liu"], appraisal="保管期满"
        )
        approval_decide(chain=chain, officer=personas["wang"], outcome="approve", opinion="同意")
        actions.archive_hold_place(
            case=f.case, officer=personas["sun"], kind="review", reason="当事人申请行政复议"
        )
        with pytest.raises(ActionError):
            approval_decide(
                chain=chain, officer=personas["zhao"], outcome="approve", opinion="同意"
            )
    assert all(blob_store().exists(b.sha256) for b in doomed)
    assert not DestroyedBlob.objects.exists()


def test_it_purges_what_a_dead_process_left(
    personas, evidence_store, monkeypatch, django_capture_on_commit_callbacks
):
    f = archived_case(personas)
    doomed = blobs_to_destroy(f.case)
    # The process dies between its commit and the deletion: nothing is deleted then.
    monkeypatch.setattr("casetrail.evidence.writes.delete_bytes", lambda sha256: False)
    _destroy(f, personas, django_capture_on_commit_callbacks)
    store = blob_store()
    assert all(store.exists(b.sha256) for b in doomed)
    assert PendingDeletion.objects.count() == len(doomed)
    assert purge_destroyed() == len(doomed)
    assert not any(store.exists(b.sha256) for b in doomed)
    assert not PendingDeletion.objects.exists()
    assert purge_destroyed() == 0
    assert list(iter_blob_findings()) == []


def test_it_never_purges_the_same_bytes_stored_again_after_the_deletion(
    personas, evidence_store, django_capture_on_commit_callbacks, tmp_path
):
    f = archived_case(personas)
    again = blobs_to_destroy(f.case)[0]
    store = blob_store()
    data = b"".join(store.iter_bytes(again.sha256))
    _destroy(f, personas, django_capture_on_commit_callbacks)
    assert not store.exists(again.sha256)
    assert not PendingDeletion.objects.exists()  # deleted after the commit: nothing pending
    # The same file brought into another case later: its bytes are stored again, and stay.
    (tmp_path / "again").write_bytes(data)
    store.put_file(again.sha256, tmp_path / "again", move=True)
    assert purge_destroyed() == 0
    assert store.exists(again.sha256)


def test_it_leaves_destroyed_blobs_out_of_a_backup(
    personas, evidence_store, django_capture_on_commit_callbacks
):
    from casetrail.ops.backup import _copy_blobs, _snapshot_facts

    f = archived_case(personas)
    doomed = {b.sha256 for b in blobs_to_destroy(f.case)}
    _destroy(f, personas, django_capture_on_commit_callbacks)
    listed, _ledgers = _snapshot_facts(None)
    assert listed and not doomed & {sha for sha, _size in listed}
    # Destroyed after the snapshot listed it: skipped, not an error.
    copied = _copy_blobs([(sha, 0) for sha in sorted(doomed)], evidence_store / "bk")
    assert copied == {}
