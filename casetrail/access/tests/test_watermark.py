"""The per-recipient watermark: on a photo it marks the picture across (same size, metadata gone);
on a PDF it is an update after the issued bytes, readable as text."""

from __future__ import annotations

import io

from PIL import Image, ImageChops
from pypdf import PdfReader

from casetrail.access.watermark import watermark_image, watermark_pdf

TEXT = "仅供王律师使用 · 调用〔2026〕1号 · 2026-11-30"


def test_it_marks_a_photo_across_and_drops_its_metadata():
    source = Image.new("RGB", (300, 200), (250, 250, 250))
    exif = Image.Exif()
    exif[0x0132] = "2026:11:30 09:00:00"
    buffer = io.BytesIO()
    source.save(buffer, "JPEG", quality=95, exif=exif)
    data, media_type = watermark_image(buffer.getvalue(), TEXT)
    marked = Image.open(io.BytesIO(data))
    assert media_type == "image/jpeg" and marked.size == source.size
    assert not marked.getexif()
    diff = ImageChops.difference(marked.convert("RGB"), source).getbbox()
    assert diff is not None and diff[2] - diff[0] > 150  # across the picture, not a corner


def test_it_adds_the_mark_to_a_pdf_after_its_bytes():
    from weasyprint import HTML

    original = bytes(HTML(string="<p>行政执法决定书</p>").write_pdf())
    marked = watermark_pdf(original, TEXT)
    assert marked.startswith(original)
    text = "".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(marked)).pages)
    assert "仅供王律师使用" in text
