"""The lean font objects change nothing in the PDF: the same document rendered with WeasyPrint's
own ``Font`` and with ``LeanFont`` is the same to the byte, its text still extracts, and the patch
refuses a WeasyPrint version it was not written for."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from pypdf import PdfReader

from casetrail.documents import lean_fonts
from casetrail.documents.content import printed
from casetrail.documents.render import render

NOON = dt.datetime(2026, 11, 30, 12, 0, tzinfo=dt.UTC)


def _content(record: Any) -> Any:
    return printed(record=record, case=record.case, doc_no=None, record_seq=7, now=NOON)


def test_it_renders_the_same_bytes_with_and_without_lean_fonts(start_form):
    content = _content(start_form)
    lean = render(content)  # the renderer's font set-up installs lean_fonts
    assert lean_fonts.installed()
    lean_fonts.uninstall()
    try:
        assert not lean_fonts.installed()
        reference = render(content)
    finally:
        lean_fonts.install()
    assert lean_fonts.installed()
    assert lean.pdf == reference.pdf
    assert lean.pages == reference.pages
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(lean.pdf)).pages)
    assert start_form.case.agency.name in text
    assert start_form.title in text


def test_it_refuses_a_weasyprint_version_it_was_not_written_for(monkeypatch):
    import weasyprint

    lean_fonts.uninstall()
    monkeypatch.setattr(weasyprint, "__version__", "71.0")
    try:
        with pytest.raises(lean_fonts.LeanFontsUnsupported, match=r"71\.0"):
            lean_fonts.install()
        assert not lean_fonts.installed()
    finally:
        monkeypatch.undo()
        lean_fonts.install()
    assert lean_fonts.installed()
