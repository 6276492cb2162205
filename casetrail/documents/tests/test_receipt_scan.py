"""A 送达回证 signed on paper completes its service from the scan (issue 11 item 7): one form on the
document's page (and one API call) stores the scan, records the 送达回证 with the scan as its
signatures and attachment, in one ledger entry, so R22 sees the decision served. A scan that is
not an image or PDF is refused and nothing is written."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from casetrail.compliance.engine import RULES, CaseView
from casetrail.conftest import client_for
from casetrail.documents.issuing import issue
from casetrail.evidence.models import Blob
from casetrail.ledger.models import LedgerEntry
from casetrail.records.models import Record

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def scan_png() -> bytes:
    """A photo of the signed paper: a PNG no other test stores."""
    out = io.BytesIO()
    Image.new("RGB", (60, 40), (250, 250, 240)).save(out, format="PNG")
    return out.getvalue()


def unserved(case, record) -> list[str]:
    return [
        m.message for m in RULES["R22"].check(CaseView(case)) if f"record:{record.pk}" in m.subject
    ]


def counts() -> tuple[int, int, int]:
    return Record.objects.count(), Blob.objects.count(), LedgerEntry.objects.count()


def form(scan: bytes, name: str, content_type: str, **extra: str) -> dict:
    return {
        "file": SimpleUploadedFile(name, scan, content_type=content_type),
        "served_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "method": "direct",
        "recipient": "周某",
        "signer_relation": "self",
        "signer": "",
        "place": "陵川县崇文镇某街12号",
        "refusal_reason": "",
        **extra,
    }


@pytest.fixture
def issued(decision, personas, quick):
    document, _ = issue(record=decision, officer=personas["zhang"])
    return document


def test_it_records_the_service_from_the_scan_on_the_documents_page(issued, decision, personas):
    assert unserved(decision.case, decision)  # R22: not served yet
    page = client_for("zhang").get(f"/records/{decision.pk}/document/").content.decode()
    assert "登记签收的送达回证" in page and "打印送达回证" in page
    other = client_for("sun").get(f"/records/{decision.pk}/document/").content.decode()
    assert "登记签收的送达回证" not in other  # a supervisor reads, never records
    before = counts()
    scan = scan_png()
    r = client_for("zhang").post(
        f"/records/{decision.pk}/document/receipt/scan/", form(scan, "回证.png", "image/png")
    )
    assert r.status_code == 302, r.content.decode()[-2000:]
    receipt = Record.objects.get(kind="service_receipt", fields__document__id=decision.pk)
    assert receipt.fields["method"] == "direct" and receipt.fields["recipient"]["name"] == "周某"
    assert receipt.fields["server"][0]["id"] == personas["zhang"].pk
    blob = Blob.objects.get(size=len(scan), media_type="image/png")
    assert {(s.key, s.method, s.blob_id) for s in receipt.signatures.all()} == {
        ("recipient", "scan", blob.pk),
        ("server", "scan", blob.pk),
    }
    (attachment,) = receipt.attachments.all()
    assert (attachment.slot, attachment.blob_id) == ("signed_scan", blob.pk)
    entry = LedgerEntry.objects.order_by("-pk").first()
    assert entry.action == "document.receipt_scanned"
    assert counts() == (before[0] + 1, before[1] + 1, before[2] + 1)  # one entry for all of it
    assert unserved(decision.case, decision) == []  # R22 sees the decision served
    page = client_for("zhang").get(f"/records/{decision.pk}/document/").content.decode()
    assert "附签收扫描件" in page


@pytest.mark.parametrize(
    "scan, name, content_type",
    [
        (b"just some text, not a scan", "回证.pdf", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n but not an image", "回证.png", "image/png"),
        (b"MZ\x90\x00 an executable", "回证.jpg", "image/jpeg"),
    ],
)
def test_it_refuses_a_scan_that_is_not_an_image_or_pdf(issued, decision, scan, name, content_type):
    before = counts()
    r = client_for("zhang").post(
        f"/records/{decision.pk}/document/receipt/scan/", form(scan, name, content_type)
    )
    assert r.status_code == 400 and "PDF 文件或 JPEG、PNG 图片" in r.content.decode()
    api = client_for("zhang").post(
        f"/api/documents/{issued.pk}/receipt/", form(scan, name, content_type)
    )
    assert api.status_code == 400 and api.json()["code"] == "scan_type"
    assert counts() == before


def test_it_records_a_left_service_over_the_api(issued, decision, personas):
    url = f"/api/documents/{issued.pk}/receipt/"
    before = counts()
    r = client_for("zhang").post(url, form(PDF, "回证.pdf", "application/pdf", method="left"))
    assert r.status_code == 400 and r.json()["code"] == "field_required"
    r = client_for("sun").post(url, form(PDF, "回证.pdf", "application/pdf"))
    assert r.status_code == 403
    assert counts() == before
    r = client_for("zhang").post(
        url,
        form(PDF, "回证.pdf", "application/pdf", method="left", refusal_reason="当事人拒绝签收"),
    )
    assert r.status_code == 201, r.content
    receipt = Record.objects.get(pk=r.json()["record"])
    assert receipt.fields["refusal_reason"] == "当事人拒绝签收"
    assert receipt.signatures.get(key="recipient").method == "refused"
    assert r.json()["scan_sha256"] == receipt.attachments.get().blob.sha256
