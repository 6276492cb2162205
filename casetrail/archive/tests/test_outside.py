"""#18: the clamd scan of the 四性检测 is refused inside a transaction (it streams every file to
clamd, up to a minute's timeout each); the 案卷 PDF is rendered and stored before the
transaction of 立卷, of 添加附件 and of the 附卷 approval's last step, and again inside only when
the 件号 foreseen was taken or what it prints changed meanwhile."""

from __future__ import annotations

import dataclasses
import io

import pikepdf
import pytest
from django.db import transaction
from pypdf import PdfReader

from casetrail.approvals.actions import approval_decide
from casetrail.archive import actions, render
from casetrail.archive.assembly import cover_facts
from casetrail.archive.checks import clamd_scan
from casetrail.archive.models import Addition, FileStatus, PieceCounter
from casetrail.archive.policy import policy_of
from casetrail.archive.selectors import current_file_of
from casetrail.archive.tests.builders import archived_case, closed_case
from casetrail.evidence.models import Blob
from casetrail.evidence.storage import blob_store
from casetrail.lib.errors import ActionError
from casetrail.lib.outside import InsideTransaction, open_transactions


def test_it_refuses_the_clamd_scan_inside_a_transaction(db):
    blob = Blob(sha256="0" * 64)
    with pytest.raises(InsideTransaction, match="the clamd scan"):
        with transaction.atomic():
            clamd_scan(blob, "127.0.0.1:9")
    with pytest.raises(OSError):  # outside one it goes to clamd (nothing listens on port 9)
        clamd_scan(blob, "127.0.0.1:9")


def _blank_pdf(path):
    pdf = pikepdf.new()
    pdf.add_blank_page()
    pdf.save(path)
    return path


def _made_in(monkeypatch, meanwhile=None) -> list[list[str]]:
    """The transactions open at each rendering of a 案卷 PDF; ``meanwhile(n)`` runs before the
    n-th rendering (from 1)."""
    made: list[list[str]] = []
    build = render.build

    def spy(pages, dest):
        made.append(open_transactions())
        if meanwhile is not None:
            meanwhile(len(made))
        return build(pages, dest)

    monkeypatch.setattr(render, "build", spy)
    return made


def test_it_renders_and_stores_the_case_file_before_the_transaction(
    personas, evidence_store, blob_uploads, monkeypatch, tmp_path
):
    case = closed_case(personas)
    made = _made_in(monkeypatch)
    blob_uploads.clear()  # the issued documents'
    liu = personas["liu"]
    first = actions.archive_assemble(case=case, officer=liu)
    assert made == [[]]  # rendered once, outside any transaction
    assert blob_uploads == [(first.pdf.sha256, [])]
    assert (first.piece_no, first.version) == (1, 1)

    blob_uploads.clear()
    second = actions.archive_attach(
        case=case,
        officer=liu,
        path=_blank_pdf(tmp_path / "a.pdf"),
        title="现场示意图",
        responsible="",
        date=first.date_to,
        reason="现场情况说明",
    )
    assert made == [[], []]
    attachment = second.items.get(note="附件").blob
    assert blob_uploads == [(attachment.sha256, []), (second.pdf.sha256, [])]
    assert second.version == 2 and second.piece_no == first.piece_no
    # What was stored before is the PDF of the version written: its 档号 and the new 附件.
    pdf = pikepdf.open(io.BytesIO(b"".join(blob_store().iter_bytes(second.pdf.sha256))))
    assert len(pdf.pages) > len(
        pikepdf.open(io.BytesIO(b"".join(blob_store().iter_bytes(first.pdf.sha256)))).pages
    )
    text = PdfReader(io.BytesIO(b"".join(blob_store().iter_bytes(second.pdf.sha256))))
    assert second.archive_code in text.pages[0].extract_text()
    assert "现场示意图" in "".join(p.extract_text() for p in text.pages[:3])


# The counter is advanced behind the application, standing in for another 立卷 of the year that
# drew the 件号 while this one rendered (building a second closed case would double the test).
@pytest.mark.behind_the_application
def test_it_renders_again_under_the_lock_when_the_foreseen_piece_number_was_taken(
    personas, evidence_store, blob_uploads, monkeypatch
):
    case = closed_case(personas)
    policy = policy_of(case.agency)
    retention, _, year = cover_facts(case, policy)

    def another_file_meanwhile(n: int) -> None:
        if n == 1:  # while it renders, another 立卷 of the year draws the 件号 foreseen
            counter, _ = PieceCounter.objects.get_or_create(
                year=year,
                agency=case.agency,
                fonds_code=policy.fonds_code,
                category_code=policy.category_code,
                retention=retention,
                org_code=policy.org_code,
            )
            counter.last += 1
            counter.save(update_fields=["last"])

    made = _made_in(monkeypatch, another_file_meanwhile)
    blob_uploads.clear()
    f = actions.archive_assemble(case=case, officer=personas["liu"])
    assert f.piece_no == 2
    # Rendered for 件号 1 outside, then for 件号 2 inside (the one place marked known); the
    # file kept is the second.
    assert made == [[], ["default"]]
    assert [inside for _, inside in blob_uploads] == [[], ["default"]]
    text = PdfReader(io.BytesIO(b"".join(blob_store().iter_bytes(f.pdf.sha256))))
    assert f.archive_code in text.pages[0].extract_text()


def _propose_addition(f, personas, path):
    return actions.archive_addition_propose(
        case_file=f,
        officer=personas["liu"],
        path=path,
        title="当事人补交的整改报告",
        responsible="陵川县康乐颐养院",
        date=f.date_to,
        reason="归档后当事人补交，与本案履行情况相关",
    )


def _addition_proposed(personas, tmp_path):
    f = archived_case(personas, package=False)
    return f, _propose_addition(f, personas, _blank_pdf(tmp_path / "b.pdf"))


def _decided(chain, personas, outcome, opinion, monkeypatch, blob_uploads, meanwhile=None):
    """王审核 decides the 附卷审批: the transactions open at each rendering of a 案卷 PDF."""
    made = _made_in(monkeypatch, meanwhile)
    blob_uploads.clear()
    approval_decide(chain=chain, officer=personas["wang"], outcome=outcome, opinion=opinion)
    return made


def test_it_renders_and_stores_the_addition_before_the_approval_transaction(
    personas, evidence_store, blob_uploads, monkeypatch, tmp_path
):
    f, chain = _addition_proposed(personas, tmp_path)
    made = _decided(chain, personas, "approve", "同意附卷", monkeypatch, blob_uploads)
    new = current_file_of(f.case)
    assert (new.version, new.status) == (f.version + 1, FileStatus.ARCHIVED)
    assert made == [[]]  # rendered once, outside any transaction
    assert blob_uploads == [(new.pdf.sha256, [])]
    # What was stored before is the PDF of the version written: its 备考表 names the material.
    text = PdfReader(io.BytesIO(b"".join(blob_store().iter_bytes(new.pdf.sha256))))
    assert "当事人补交的整改报告" in text.pages[-1].extract_text().replace("\n", "")


def test_it_renders_nothing_before_a_refused_addition(
    personas, evidence_store, blob_uploads, monkeypatch, tmp_path
):
    f, chain = _addition_proposed(personas, tmp_path)
    made = _decided(chain, personas, "refuse", "与本案无关", monkeypatch, blob_uploads)
    assert made == [] and blob_uploads == []
    assert current_file_of(f.case).pk == f.pk


def test_it_renders_the_addition_again_under_the_lock_when_the_cover_changed_meanwhile(
    personas, evidence_store, blob_uploads, monkeypatch, tmp_path
):
    f, chain = _addition_proposed(personas, tmp_path)
    liu = personas["liu"]

    def renamed_meanwhile(n: int) -> None:
        if n == 1:  # while the hook renders, the custodian renames the 全宗 (printed on the cover)
            policy = dataclasses.replace(policy_of(f.case.agency), fonds_name="陵川县民政局新全宗")
            actions.archive_settings_set(officer=liu, policy=policy)

    made = _decided(
        chain, personas, "approve", "同意附卷", monkeypatch, blob_uploads, renamed_meanwhile
    )
    new = current_file_of(f.case)
    # Rendered with the old name outside, then with the new one inside (the place marked
    # known); the file kept is the second.
    assert made == [[], ["default"]]
    assert [inside for _, inside in blob_uploads] == [[], ["default"]]
    assert new.fonds_name == "陵川县民政局新全宗"
    text = PdfReader(io.BytesIO(b"".join(blob_store().iter_bytes(new.pdf.sha256))))
    assert "陵川县民政局新全宗" in text.pages[0].extract_text()


def test_it_counts_an_added_pdfs_pages_before_the_transaction(personas, evidence_store, tmp_path):
    f = archived_case(personas, package=False)
    (tmp_path / "a.txt").write_bytes(b"not a PDF")
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.7 and nothing else")
    for name, message in (
        ("a.txt", "附卷材料应为 PDF 文件"),
        ("broken.pdf", "附卷材料不是可读取的 PDF 文件"),
    ):
        with pytest.raises(ActionError) as err:
            _propose_addition(f, personas, tmp_path / name)
        assert (err.value.code, err.value.message) == ("not_a_pdf", message)
    pdf = pikepdf.new()
    for _ in range(3):
        pdf.add_blank_page()
    pdf.save(tmp_path / "three.pdf")
    # Counted from the upload before it was stored: a read of the store inside the action's
    # transaction would have been refused (``BlobStore.reading``).
    chain = _propose_addition(f, personas, tmp_path / "three.pdf")
    assert Addition.objects.get(chain=chain).pages == 3
