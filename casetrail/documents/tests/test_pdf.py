"""The issued PDF as an independent reader sees it: PDF/A-2b (output intent, embedded subset
fonts, XMP identification) checked with pikepdf, the agency's seal validated by pyHanko against the
seal's certificate, and verification naming what differs in an altered copy."""

from __future__ import annotations

import io
import os
import stat

import pikepdf
import pytest
from cryptography.hazmat.primitives import serialization
from django.core.management import call_command
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore  # noqa: F401  (API check)

from casetrail.conftest import client_for
from casetrail.documents.issuing import issue
from casetrail.documents.seal import certificate, key_paths
from casetrail.documents.tests.test_issue import pdf_of
from casetrail.documents.verification import verify_code, verify_pdf


@pytest.fixture
def issued(start_form, personas):
    document, _ = issue(record=start_form, officer=personas["zhang"])
    return document


def test_it_writes_pdf_a_2b_with_output_intent_subset_fonts_and_xmp(issued):
    with pikepdf.open(io.BytesIO(pdf_of(issued))) as pdf:
        intents = pdf.Root.OutputIntents
        assert len(intents) >= 1
        assert intents[0].S == pikepdf.Name.GTS_PDFA1
        assert "/DestOutputProfile" in intents[0]
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "2"
        assert meta["pdfaid:conformance"] == "B"
        fonts = []
        for page in pdf.pages:
            for _name, font in page.Resources.get("/Font", {}).items():
                for descendant in font.get("/DescendantFonts", [font]):
                    fonts.append(descendant)
        assert fonts
        for font in fonts:
            descriptor = font.FontDescriptor
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            # A subset font's name has a six-letter tag: ABCDEF+NotoSerifCJKsc-Regular.
            assert str(font.BaseFont)[7:8] == "+", font.BaseFont
            assert "Serif-CJK-SC" in str(font.BaseFont), font.BaseFont


def test_it_seals_with_a_pades_signature_the_validator_accepts(issued):
    cert = certificate(issued.agency)
    from asn1crypto import x509 as asn1_x509

    root = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    reader = PdfFileReader(io.BytesIO(pdf_of(issued)))
    (signature,) = reader.embedded_signatures
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    status = validate_pdf_signature(signature, ValidationContext(trust_roots=[root]))
    assert status.intact and status.valid and status.trusted
    assert status.coverage.name == "ENTIRE_FILE"
    assert status.signing_cert.subject.native["organization_name"] == "陵川县民政局"


def test_it_keeps_the_seal_key_readable_by_its_owner_only(issued):
    key_path, cert_path = key_paths(issued.agency)
    assert stat.S_IMODE(os.stat(key_path).st_mode) == 0o600
    assert cert_path.exists()


def test_it_verifies_the_issued_pdf_and_names_what_differs_in_an_altered_copy(issued, capsys):
    data = pdf_of(issued)
    ok = verify_pdf(data)
    assert ok.matches and ok.document.pk == issued.pk and ok.findings == []
    # Alter one word of the text layer's content stream, as a forger with a PDF editor would.
    with pikepdf.open(io.BytesIO(data)) as pdf:
        pdf.pages[0].Contents.write(pdf.pages[0].Contents.read_bytes().replace(b"Tj", b"Tj", 1))
        pdf.pages[0].MediaBox = [0, 0, 595, 800]
        out = io.BytesIO()
        pdf.save(out)
    altered = verify_pdf(out.getvalue())
    assert not altered.matches
    assert altered.document is not None and altered.document.pk == issued.pk
    assert any("摘要与签发的 PDF 不一致" in f for f in altered.findings)
    assert any("电子印章" in f for f in altered.findings), altered.findings


def test_it_checks_the_code_of_a_paper_copy(issued):
    code = f"CT1|{issued.agency.credit_code}|{issued.record_seq}|{issued.code}"
    assert verify_code(code).matches
    wrong = verify_code(code[:-1] + ("0" if code[-1] != "0" else "1"))
    assert not wrong.matches and "SM3 摘要不符" in wrong.findings[0]
    assert not verify_code("随便写的").matches


def test_it_verifies_from_the_command_line(issued, tmp_path, capsys):
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf_of(issued))
    call_command("verify_document", str(path))
    out = capsys.readouterr().out
    assert "核验结果：一致" in out and "张承办" in out
    path.write_bytes(pdf_of(issued) + b"\n% appended\n")
    with pytest.raises(SystemExit) as exit_:
        call_command("verify_document", str(path))
    assert exit_.value.code == 1
    assert "不一致" in capsys.readouterr().out


@pytest.mark.parametrize(("who", "status"), [("zhang", 200), ("sun", 200), ("ma", 200)])
def test_it_verifies_over_the_api_within_the_agency_only(issued, other_agency, who, status):
    code = f"CT1|{issued.agency.credit_code}|{issued.record_seq}|{issued.code}"
    response = client_for(who).post(
        "/api/documents/verify/", {"code": code}, content_type="application/json"
    )
    assert response.status_code == status
    # Another agency's staff learn nothing about this agency's documents.
    assert response.json()["matches"] is (who != "ma")


def test_it_shows_the_staff_verification_page(issued):
    data = pdf_of(issued)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for("zhang").post(
        "/documents/verify/",
        {"file": SimpleUploadedFile("doc.pdf", data, content_type="application/pdf")},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "文件与签发的 PDF 完全相同" in html and "张承办" in html
