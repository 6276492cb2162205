"""`casetrail verify-document` on what a person may bring: a withdrawn document (named withdrawn,
with its reason, exit 3), an altered copy (digest mismatch and an invalid seal named), and a PDF
whose verification line names a ledger number the agency never issued (unknown sequence)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pikepdf
import pytest
from django.core.management import call_command

from casetrail.documents.actions import document_withdraw
from casetrail.documents.content import printed
from casetrail.documents.issuing import issue
from casetrail.documents.render import render
from casetrail.documents.tests.test_issue import pdf_of


@pytest.fixture
def issued(start_form, personas):
    document, _ = issue(record=start_form, officer=personas["zhang"])
    return document


def _verify(capsys, *args: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """The command's exit status and what it printed."""
    try:
        call_command("verify_document", *args)
    except SystemExit as exit_:
        return int(exit_.code or 0), capsys.readouterr().out
    return 0, capsys.readouterr().out


def test_it_reports_a_withdrawn_document_with_its_reason_and_exit_3(
    issued, personas, tmp_path, capsys
):
    path = tmp_path / "withdrawn.pdf"
    path.write_bytes(pdf_of(issued))
    document_withdraw(document=issued, officer=personas["zhang"], reason="当事人名称有误，另行签发")
    code, out = _verify(capsys, str(path))
    assert code == 3
    assert "已撤回：当事人名称有误，另行签发（张承办" in out
    assert "已撤回，不再有效" in out and "核验结果：一致" not in out


def test_it_names_the_digest_mismatch_and_the_invalid_seal_of_an_altered_copy(
    issued, tmp_path, capsys
):
    # Rewritten by a PDF editor (pikepdf saves the whole file anew), one page box changed.
    with pikepdf.open(io.BytesIO(pdf_of(issued))) as pdf:
        pdf.pages[0].MediaBox = [0, 0, 595, 800]
        out = io.BytesIO()
        pdf.save(out)
    path = tmp_path / "altered.pdf"
    path.write_bytes(out.getvalue())
    code, text = _verify(capsys, str(path))
    assert code == 1
    assert "不一致（digest_mismatch）：文件摘要与签发的 PDF 不一致" in text
    assert "不一致（signature_invalid）：电子印章" in text, text
    assert "核验结果：不一致" in text


def test_it_names_a_sequence_the_agency_never_issued(start_form, tmp_path, capsys):
    noon = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)
    content = printed(record=start_form, case=start_form.case, doc_no=None, record_seq=7, now=noon)
    forged = render(dataclasses.replace(content, record_seq=987654))
    path = tmp_path / "forged.pdf"
    path.write_bytes(forged.pdf)
    code, text = _verify(capsys, str(path))
    assert code == 1
    assert "不一致（unknown_sequence）：" in text and "账本序号 987654 下没有签发的文书" in text
    code, text = _verify(
        capsys, "--code", f"CT1|{start_form.case.agency.credit_code}|987654|{'0' * 16}"
    )
    assert code == 1 and "unknown_sequence" in text
