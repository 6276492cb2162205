"""The visible per-recipient watermark of a copy (第三十二条): the recipient, the 调用单 number and
the date, across every page of a PDF and across a photo, so a copy that leaks names whom it was
given to. Applied to the copy in the package only; originals and redactions stay as stored.
"""

from __future__ import annotations

import html
import io
from functools import cache

from PIL import Image, ImageDraw, ImageFont

from casetrail.documents.fonts import faces
from casetrail.documents.render import font_configuration

GREY = (160, 0, 0)


@cache
def _stamp(text: str) -> bytes:
    """One A4 page (PDF) with ``text`` repeated diagonally in light red, transparent elsewhere;
    laid out with the 文书's font set-up (one Pango font map a thread, lean fonts)."""
    from weasyprint import HTML

    regular, _bold = faces()
    line = html.escape(text)
    rows = "".join(f'<p style="margin:0 0 110px {(i % 2) * 60}px">{line}</p>' for i in range(8))
    doc = (
        "<html><head><style>@page{size:A4;margin:0}"
        f"body{{font-family:'{regular.family}';font-size:15pt;color:rgba(180,0,0,0.28);"
        "margin:0;padding:60px 20px;}"
        ".r{transform:rotate(-30deg);transform-origin:50% 50%;width:140%;margin-left:-20%}"
        f'</style></head><body><div class="r">{rows}</div></body></html>'
    )
    return bytes(HTML(string=doc).write_pdf(font_config=font_configuration()))


def watermark_pdf(data: bytes, text: str) -> bytes:
    """Every page of the PDF with the watermark over it (scaled to the page's size), written as
    an incremental update: the signed revision of a sealed 文书 stays byte for byte in front, so
    its seal still verifies over what was issued, and the watermark is visibly a later addition."""
    from pypdf import PdfReader, PdfWriter, Transformation

    stamp = PdfReader(io.BytesIO(_stamp(text))).pages[0]
    sw, sh = float(stamp.mediabox.width), float(stamp.mediabox.height)
    writer = PdfWriter(io.BytesIO(data), incremental=True)
    for page in writer.pages:
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        x0, y0 = float(page.mediabox.left), float(page.mediabox.bottom)
        t = Transformation().scale(w / sw, h / sh).translate(x0, y0)
        page.merge_transformed_page(stamp, t, over=True)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def watermark_image(data: bytes, text: str) -> tuple[bytes, str]:
    """The photo with the watermark drawn across it, metadata dropped; (bytes, media type)."""
    regular, _bold = faces()
    image = Image.open(io.BytesIO(data))
    fmt = "PNG" if image.format == "PNG" else "JPEG"
    base = image.convert("RGBA")
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    size = max(12, base.width // 30)
    font = ImageFont.truetype(regular.path, size, index=regular.index)
    step = size * 4
    for n, y in enumerate(range(0, base.height, step)):
        draw.text(((n % 2) * size * 3, y), text, font=font, fill=(*GREY, 110))
    merged = Image.alpha_composite(base, layer).convert("RGB")
    out = io.BytesIO()
    if fmt == "PNG":
        merged.save(out, format="PNG")
        return out.getvalue(), "image/png"
    merged.save(out, format="JPEG", quality=92)
    return out.getvalue(), "image/jpeg"
