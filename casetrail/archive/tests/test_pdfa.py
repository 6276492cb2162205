"""PDF/A-2b in substance (pikepdf; veraPDF, a Java tool, is not installable here): an issued 文书
and the 案卷 PDF have the GTS_PDFA1 output intent with its ICC profile, every font embedded,
XMP pdfaid 2/B, no encryption and no JavaScript; each clause broken on purpose is named, and the
四性检测 refuses a 案卷 whose PDF breaks one."""

from __future__ import annotations

import io

import pikepdf
import pytest

from casetrail.archive import pdfa
from casetrail.archive.render import open_blob_pdf
from casetrail.archive.tests.builders import archived_case
from casetrail.documents.models import IssuedDocument
from casetrail.evidence.storage import blob_store

pytestmark = pytest.mark.django_db


def _fonts_of(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    return [font for page in pdf.pages for _k, font in pdfa._fonts(page.obj.Resources, set())]


def test_it_finds_an_issued_document_and_the_case_file_pdf_a_2b(personas, evidence_store):
    f = archived_case(personas)
    document = IssuedDocument.objects.filter(case=f.case).first()
    assert document is not None
    for sha256 in (document.blob.sha256, f.pdf.sha256):
        with open_blob_pdf(sha256) as pdf:
            assert pdfa.problems(pdf) == []
            assert not pdf.is_encrypted
            (intent,) = [i for i in pdf.Root.OutputIntents if i.S == "/GTS_PDFA1"]
            profile = intent.DestOutputProfile.read_bytes()
            assert profile[36:40] == b"acsp"  # an ICC profile's signature
            fonts = _fonts_of(pdf)
            assert fonts
            for font in fonts:
                target = font.DescendantFonts[0] if font.Subtype == "/Type0" else font
                assert any(k in target.FontDescriptor for k in ("/FontFile2", "/FontFile3"))
            meta = pdf.open_metadata()
            assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"


def _broken(sha256: str, change) -> pikepdf.Pdf:
    data = b"".join(blob_store().iter_bytes(sha256))
    pdf = pikepdf.open(io.BytesIO(data))
    change(pdf)
    out = io.BytesIO()
    pdf.save(out)
    return pikepdf.open(io.BytesIO(out.getvalue()))


def test_it_names_each_broken_clause(personas, evidence_store):
    f = archived_case(personas)
    sha = f.pdf.sha256

    def no_intent(pdf):
        del pdf.Root["/OutputIntents"]

    def no_font_program(pdf):
        for font in _fonts_of(pdf):
            target = font.DescendantFonts[0] if font.Subtype == "/Type0" else font
            for key in pdfa.EMBEDDED:
                if key in target.FontDescriptor:
                    del target.FontDescriptor[key]

    def part_one(pdf):
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as meta:
            meta["pdfaid:part"] = "1"

    def javascript(pdf):
        pdf.Root.OpenAction = pdf.make_indirect(
            pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
        )

    cases = {
        "GTS_PDFA1": no_intent,
        "字体未嵌入": no_font_program,
        "PDF/A-2B": part_one,
        "JavaScript": javascript,
    }
    for expected, change in cases.items():
        found = pdfa.problems(_broken(sha, change))
        assert any(expected in line for line in found), (expected, found)

    data = b"".join(blob_store().iter_bytes(sha))
    out = io.BytesIO()
    pikepdf.open(io.BytesIO(data)).save(out, encryption=pikepdf.Encryption(owner="o", user="", R=6))
    encrypted = pikepdf.open(io.BytesIO(out.getvalue()))
    assert "文件已加密" in pdfa.problems(encrypted)


def test_it_fails_the_usability_check_for_a_case_file_pdf_without_its_output_intent(
    personas, evidence_store
):
    import os

    from casetrail.archive.checks import Context, pdfs_readable

    f = archived_case(personas)

    def no_intent(pdf):
        del pdf.Root["/OutputIntents"]

    broken = _broken(f.pdf.sha256, no_intent)
    path = blob_store().path(f.pdf.sha256)
    os.chmod(path, 0o644)
    broken.save(path)
    os.chmod(path, 0o444)
    results = list(pdfs_readable(Context(f, list(f.items.select_related("blob")))))
    (failed,) = [r for r in results if not r.passed]
    assert failed.target == "案卷 PDF" and "GTS_PDFA1" in failed.detail
