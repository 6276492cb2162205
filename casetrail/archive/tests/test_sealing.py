"""Sealing (第三十条): an archived 案卷 takes nothing without approval; a 附卷 approved by the unit
head makes a new version with a 备考表 note, the old version kept."""

from __future__ import annotations

import io

import pikepdf
import pytest
from pypdf import PdfReader

from casetrail.approvals.actions import approval_decide
from casetrail.archive import actions
from casetrail.archive.models import CaseFile, FileStatus
from casetrail.archive.selectors import current_file_of
from casetrail.archive.tests.builders import archived_case
from casetrail.cases.models import Stage
from casetrail.evidence.storage import blob_store
from casetrail.lib.errors import ActionError

pytestmark = pytest.mark.django_db


def _pdf(path):
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(path)
    return path


def test_it_adds_material_to_an_archived_file_only_through_its_approval(
    personas, evidence_store, tmp_path
):
    f = archived_case(personas)
    case = f.case
    liu = personas["liu"]
    with pytest.raises(ActionError) as err:  # no 附件 on an archived case, no new 立卷
        actions.archive_attach(
            case=case,
            officer=liu,
            path=_pdf(tmp_path / "a.pdf"),
            title="补充材料",
            responsible="",
            date=f.date_to,
            reason="归档后发现",
        )
    assert err.value.code == "case_not_closed"

    chain = actions.archive_addition_propose(
        case_file=f,
        officer=liu,
        path=_pdf(tmp_path / "b.pdf"),
        title="当事人补交的整改报告",
        responsible="陵川县康乐颐养院",
        date=f.date_to,
        reason="归档后当事人补交，与本案履行情况相关",
    )
    assert current_file_of(case).pk == f.pk  # nothing added before the approval
    with pytest.raises(ActionError):
        approval_decide(chain=chain, officer=liu, outcome="approve", opinion="同意")
    approval_decide(chain=chain, officer=personas["wang"], outcome="approve", opinion="同意附卷")

    f.refresh_from_db()
    new = current_file_of(case)
    assert f.status == FileStatus.SUPERSEDED and new.version == f.version + 1
    assert new.status == FileStatus.ARCHIVED and new.archive_code == f.archive_code
    assert new.items.filter(note="附卷", title="当事人补交的整改报告").exists()
    assert new.pages == f.pages + 1
    text = PdfReader(io.BytesIO(b"".join(blob_store().iter_bytes(new.pdf.sha256)))).pages[-1]
    assert "附卷" in text.extract_text()
    assert CaseFile.objects.filter(case=case).count() == 2  # the old version stays
    case.refresh_from_db()
    assert case.stage == Stage.ARCHIVED
    from casetrail.ledger.verify import verify

    assert verify().intact  # every row as its last ledger entry says


def test_it_keeps_the_file_as_it_was_when_the_addition_is_refused(
    personas, evidence_store, tmp_path
):
    f = archived_case(personas)
    chain = actions.archive_addition_propose(
        case_file=f,
        officer=personas["liu"],
        path=_pdf(tmp_path / "b.pdf"),
        title="无关材料",
        responsible="",
        date=f.date_to,
        reason="误报",
    )
    approval_decide(chain=chain, officer=personas["wang"], outcome="refuse", opinion="与本案无关")
    f.refresh_from_db()
    assert f.status == FileStatus.ARCHIVED and current_file_of(f.case).pk == f.pk


def test_it_proposes_an_addition_on_the_page(personas, evidence_store, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from casetrail.conftest import client_for

    f = archived_case(personas)
    data = _pdf(tmp_path / "c.pdf").read_bytes()
    form = {
        "title": "复查照片说明",
        "responsible": "",
        "date": "2026-11-30",
        "reason": "归档后补充",
    }
    upload = SimpleUploadedFile("c.pdf", data, content_type="application/pdf")
    r = client_for("zhang").post(f"/cases/{f.case_id}/archive/addition/", {**form, "file": upload})
    assert r.status_code == 403
    upload = SimpleUploadedFile("c.pdf", data, content_type="application/pdf")
    r = client_for("liu").post(f"/cases/{f.case_id}/archive/addition/", {**form, "file": upload})
    assert r.status_code == 302
    chain = f.case.chains.get(kind="case_file_addition")
    assert chain.status == "pending_review" and current_file_of(f.case).pk == f.pk
