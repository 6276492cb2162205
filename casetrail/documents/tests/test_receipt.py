"""Print and scan back: the blank 送达回证 of an issued decision, signed on paper, scanned, and
recorded as the service record that proves the decision served (第二十二、二十四条; R22)."""

from __future__ import annotations

import io

from pypdf import PdfReader

from casetrail.compliance.engine import RULES, CaseView
from casetrail.compliance.tests.builders import png, value_for
from casetrail.conftest import client_for
from casetrail.documents.issuing import issue
from casetrail.documents.verification import verify_code
from casetrail.evidence.ingest import store_bytes
from casetrail.records.actions import SignatureInput, record_attach, record_create
from casetrail.records.catalogue import CATALOGUE


def unserved(case, record) -> list[str]:
    return [
        m.message for m in RULES["R22"].check(CaseView(case)) if f"record:{record.pk}" in m.subject
    ]


def test_it_prints_a_blank_receipt_and_the_signed_scan_completes_the_service(
    decision, served_case, personas
):
    document, _ = issue(record=decision, officer=personas["zhang"])
    response = client_for("zhang").get(f"/records/{decision.pk}/document/receipt/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1  # one sheet to sign
    text = "".join(p.extract_text() for p in reader.pages).replace("\n", "")
    assert "送达回证" in text and f"行政执法决定书（{document.doc_no}）" in text
    assert "受送达人或签收人签名或盖章" in text and "周某" in text
    # The paper carries the decision's code: its scan names the document it proves served.
    assert f"SM3 {document.code}" in text
    code = f"CT1|{document.agency.credit_code}|{document.record_seq}|{document.code}"
    assert verify_code(code).document.pk == document.pk
    assert unserved(served_case, decision)  # not served yet

    # Signed on paper, scanned: the scan is the recipient's and the server's signature, and the
    # signed paper itself is attached to the 送达回证 (上传签字件).
    scan = store_bytes(officer=personas["zhang"], data=png(), media_type="image/png")
    doc = CATALOGUE["service_receipt"]
    fields = {f.name: value_for(served_case, f, personas) for f in doc.fields if f.required}
    fields.update(document=decision.pk, method="direct", signer_relation="self")
    fields["server"] = [personas["zhang"].pk, personas["li"].pk]
    receipt = record_create(
        case=served_case,
        officer=personas["zhang"],
        kind="service_receipt",
        fields=fields,
        signatures=[
            SignatureInput("recipient", "周某", "scan", blob_sha256=scan.sha256),
            SignatureInput("server", "张承办", "scan", blob_sha256=scan.sha256),
        ],
    )
    record_attach(
        record=receipt, officer=personas["zhang"], slot="signed_scan", blob_sha256=scan.sha256
    )
    assert receipt.attachments.get().blob_id == scan.pk
    assert unserved(served_case, decision) == []


def test_it_refuses_the_blank_receipt_before_the_document_is_issued(decision):
    response = client_for("zhang").get(f"/records/{decision.pk}/document/receipt/")
    assert response.status_code == 404
    assert "请先签发" in response.content.decode()


def test_it_refuses_a_scan_that_is_not_an_image_or_pdf(open_case, personas, evidence_store):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from casetrail.compliance.tests.builders import make

    interview = make(open_case, personas, "interview_record")
    response = client_for("zhang").post(
        f"/records/{interview.pk}/attach/",
        {
            "slot": "signed_scan",
            "file": SimpleUploadedFile(
                "x.exe", b"MZ\x90\x00", content_type="application/x-msdownload"
            ),
        },
    )
    assert response.status_code == 400
    assert "扫描件应为 PDF、JPEG 或 PNG" in response.content.decode()
    assert not interview.attachments.exists()
