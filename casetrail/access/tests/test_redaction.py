"""Each kind of redaction checked by extraction: no text left under a PDF box (and the other pages
as they were), photo pixels changed only in the region, a record's personal parts gone from its
rendered copy; through the action, the original never touched and the derived file ledgered with
its original's digests."""

from __future__ import annotations

import io
import json

import pypdfium2 as pdfium
import pytest
from PIL import Image
from pypdf import PdfReader

from casetrail.access.actions import Authority, copy_decisions_set, copy_request_register
from casetrail.access.redaction import Box, parse_boxes, redact_image, redact_pdf
from casetrail.access.tests.conftest import AGENT, AGENT_LETTER, photo
from casetrail.approvals.actions import approval_decide
from casetrail.conftest import client_for
from casetrail.documents.models import IssuedDocument
from casetrail.evidence.storage import blob_store
from casetrail.ledger.models import LedgerEntry
from casetrail.lib.errors import ActionError


def two_pages() -> bytes:
    from weasyprint import HTML

    html = (
        "<html><body style='font-size:20pt'><p>SECRET-ALPHA public-beta</p>"
        "<p style='page-break-before:always'>PAGE-TWO-TEXT</p></body></html>"
    )
    return bytes(HTML(string=html).write_pdf())


def box_of(pdf: bytes, word: str) -> Box:
    """Where ``word`` is on page 1, in points from the top left."""
    doc = pdfium.PdfDocument(pdf)
    page = doc[0]
    height = page.get_height()
    text = page.get_textpage()
    search = text.search(word)
    index, count = search.get_next()
    boxes = [text.get_charbox(i) for i in range(index, index + count)]
    left, bottom = min(b[0] for b in boxes), min(b[1] for b in boxes)
    right, top = max(b[2] for b in boxes), max(b[3] for b in boxes)
    doc.close()
    return Box(1, left - 2, height - top - 2, right + 2, height - bottom + 2)


def text_of_page(pdf: bytes, index: int) -> str:
    return PdfReader(io.BytesIO(pdf)).pages[index].extract_text() or ""


def test_it_leaves_no_text_under_a_pdf_box():
    original = two_pages()
    assert "SECRET-ALPHA" in text_of_page(original, 0)
    box = box_of(original, "SECRET-ALPHA")
    redacted = redact_pdf(original, [box])
    assert "SECRET-ALPHA" not in text_of_page(redacted, 0)
    assert "SECRET-ALPHA" not in "".join(
        pdfium.PdfDocument(redacted)[0].get_textpage().get_text_range() for _ in [0]
    )
    assert "PAGE-TWO-TEXT" in text_of_page(redacted, 1)  # a page without a box stays text
    # The box is black where it was drawn.
    image = pdfium.PdfDocument(redacted)[0].render(scale=1).to_pil().convert("RGB")
    cx, cy = int((box.x0 + box.x1) / 2), int((box.y0 + box.y1) / 2)
    assert image.getpixel((cx, cy)) == (0, 0, 0)
    assert len(PdfReader(io.BytesIO(redacted)).pages) == 2


def test_it_changes_photo_pixels_only_in_the_region():
    source = Image.new("RGB", (60, 40))
    for x in range(60):
        for y in range(40):
            source.putpixel((x, y), (x * 4, y * 6, 128))
    exif = Image.Exif()
    exif[0x0132] = "2026:11:30 09:00:00"
    buffer = io.BytesIO()
    source.save(buffer, "PNG", exif=exif)
    data, media_type = redact_image(buffer.getvalue(), [Box(0, 10, 5, 30, 25)])
    assert media_type == "image/png"
    out = Image.open(io.BytesIO(data))
    assert not out.getexif()
    for x in range(60):
        for y in range(40):
            inside = 10 <= x < 30 and 5 <= y < 25
            expected = (0, 0, 0) if inside else source.getpixel((x, y))
            assert out.getpixel((x, y)) == expected, (x, y)


@pytest.mark.parametrize(
    "raw",
    ["", "1 2 3", "0 1 1 2 2", "1 5 5 4 4", [{"page": 1, "x0": "a"}], "1,1,1,2,2\n" * 51],
)
def test_it_refuses_regions_that_are_not_boxes(raw):
    with pytest.raises(ActionError) as err:
        parse_boxes(raw, pdf=True)
    assert err.value.code in ("regions_required", "invalid_region", "too_many_regions")


def test_it_redacts_a_pdf_and_a_photo_through_the_action(copy_case, personas):
    """The issued decision with a box, the scene photo with a region: derived blobs, the
    originals unchanged, each ledgered with its original's digests and entry."""
    case = copy_case
    picture = photo(case, personas["zhang"])
    document = IssuedDocument.objects.get(case=case)
    original_pdf = b"".join(blob_store().iter_bytes(document.blob.sha256))
    copy = copy_request_register(
        case=case,
        officer=personas["zhang"],
        fields=AGENT,
        items=[
            {"kind": "document", "id": document.pk, "proposed": "redacted"},
            {"kind": "media", "id": picture.pk, "proposed": "redacted"},
        ],
        opinion="建议删除个人信息后提供",
        authority=Authority(AGENT_LETTER, "application/pdf"),
    )
    approval_decide(chain=copy.chain, officer=personas["wang"], outcome="approve", opinion="同意")
    copy_decisions_set(
        request=copy,
        officer=personas["zhao"],
        decisions=[
            {"item": i.pk, "disposition": "redacted", "reason": "当事人身份证号属个人隐私"}
            for i in copy.items.all()
        ],
    )
    approval_decide(chain=copy.chain, officer=personas["zhao"], outcome="approve", opinion="同意")
    zhang = client_for("zhang")
    pdf_item = copy.items.get(kind="document")
    party_id = case.parties.first().id_number
    assert party_id in "".join(
        p.extract_text() or "" for p in PdfReader(io.BytesIO(original_pdf)).pages
    )
    r = zhang.post(
        f"/api/copies/{copy.pk}/items/{pdf_item.pk}/redaction/",
        {"reason": "第三十三条", "regions": [{"page": 1, "x0": 0, "y0": 0, "x1": 595, "y1": 420}]},
        content_type="application/json",
    )
    assert r.status_code == 201, r.json()
    derived = b"".join(blob_store().iter_bytes(r.json()["sha256"]))
    assert party_id not in text_of_page(derived, 0)
    assert b"".join(blob_store().iter_bytes(document.blob.sha256)) == original_pdf
    entry = json.loads(LedgerEntry.objects.get(subject=f"redaction:{r.json()['id']}").canonical)
    assert entry["payload"]["original"]["sha256"] == document.blob.sha256

    photo_item = copy.items.get(kind="media")
    r = zhang.post(
        f"/api/copies/{copy.pk}/items/{photo_item.pk}/redaction/",
        {"reason": "第三十三条", "regions": [{"x0": 0, "y0": 0, "x1": 40, "y1": 30}]},
        content_type="application/json",
    )
    assert r.status_code == 201, r.json()
    image = Image.open(io.BytesIO(b"".join(blob_store().iter_bytes(r.json()["sha256"]))))
    assert image.getpixel((5, 5)) == (0, 0, 0) and image.getpixel((100, 70)) == (200, 200, 200)
    off = zhang.post(
        f"/api/copies/{copy.pk}/items/{photo_item.pk}/redaction/",
        {"reason": "第三十三条", "regions": [{"x0": 0, "y0": 0, "x1": 400, "y1": 30}]},
        content_type="application/json",
    )
    assert off.status_code == 400 and off.json()["code"] == "invalid_region"
