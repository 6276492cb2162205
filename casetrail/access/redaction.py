"""Redaction as derived material (第三十二、三十三条): functions that take the original's bytes (or
record) and return new bytes with the marked parts removed. The original is never touched; the
action ``redaction_create`` stores what these return as a new blob with its own digests.

- A record: its fields rendered as the 文书 layout (``documents.render``) with every personal part
  blanked as the masking of the record pages does (ID number, phone and address parts, personal
  free text withheld whole).
- A PDF: each page that has a box is rasterised (PDFium through pypdfium2, Apache-2.0) and the box
  burned in black; the page's text layer is not carried over, so no text under a box survives and
  extracting text afterwards finds none of it. PyMuPDF's ``apply_redactions`` would keep the rest
  of such a page as text, but it is AGPL-3.0 (or commercial): a server handed to agencies would owe
  its source to every user of the network service, which this project does not take on. Pages
  without a box are copied as they are (text and all).
- A photo: rectangles filled black with Pillow, and the metadata (EXIF: time, GPS) dropped.
"""

from __future__ import annotations

import dataclasses
import io
import math
from dataclasses import dataclass
from typing import Any

from casetrail.cases.models import Case
from casetrail.documents.content import PartyBlock, Printed, printed
from casetrail.lib.errors import ActionError
from casetrail.lib.masking import mask_address, mask_id_number
from casetrail.records.models import Record

#: Rasterising resolution of a redacted PDF page (dots per inch): legible print, modest size.
PDF_DPI = 150
MAX_REGIONS = 50


@dataclass(frozen=True)
class Box:
    """A rectangle: on a PDF page in points from the page's top left (``page`` from 1), or on a
    photo in pixels from its top left (``page`` 0)."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float

    def as_json(self) -> dict[str, Any]:
        """As the ledger keeps it: canonical JSON has no floats, so coordinates are decimal
        strings (to 1/100 point or pixel)."""
        out: dict[str, Any] = {"page": self.page}
        for key in ("x0", "y0", "x1", "y1"):
            out[key] = format(round(getattr(self, key), 2), "g")
        return out


def parse_boxes(raw: Any, *, pdf: bool) -> list[Box]:
    """Boxes from the API (a list of objects, or of lists) or a form (one per line: ``page x0 y0
    x1 y1`` for a PDF, ``x0 y0 x1 y1`` for a photo; commas or spaces). Refused: none, too many,
    not numbers, inverted or empty."""
    rows: list[list[Any]] = []
    if isinstance(raw, str):
        for line in raw.splitlines():
            parts = line.replace("，", ",").replace(",", " ").split()
            if parts:
                rows.append(parts)
    elif isinstance(raw, list):
        for r in raw:
            if isinstance(r, dict):
                keys = ("page", "x0", "y0", "x1", "y1") if pdf else ("x0", "y0", "x1", "y1")
                rows.append([r.get(k) for k in keys])
            elif isinstance(r, list | tuple):
                rows.append(list(r))
            else:
                rows.append([r])
    want = 5 if pdf else 4
    shape = (
        "页码 x0 y0 x1 y1（单位：点，自页面左上角）"
        if pdf
        else "x0 y0 x1 y1（单位：像素，自左上角）"
    )
    if not rows:
        raise ActionError(
            "regions_required", f"请给出要涂黑的区域，每行一个：{shape}", field="regions"
        )
    if len(rows) > MAX_REGIONS:
        raise ActionError("too_many_regions", f"区域不得超过{MAX_REGIONS}个", field="regions")
    out = []
    for n, row in enumerate(rows, 1):
        try:
            if len(row) != want:
                raise ValueError
            values = [float(v) for v in row]
            if not all(math.isfinite(v) for v in values):
                raise ValueError  # "nan" and "inf" read as floats, but are no coordinates
        except (TypeError, ValueError):
            raise ActionError(
                "invalid_region", f"第{n}个区域格式不对，应为：{shape}", field="regions"
            ) from None
        page = int(values[0]) if pdf else 0
        x0, y0, x1, y1 = values[-4:]
        if (pdf and (page < 1 or page != values[0])) or min(x0, y0) < 0 or x1 <= x0 or y1 <= y0:
            raise ActionError(
                "invalid_region",
                f"第{n}个区域无效（页码从1起，右下角应在左上角之后）",
                field="regions",
            )
        out.append(Box(page, x0, y0, x1, y1))
    return out


def redacted_printed(*, record: Record, case: Case, record_seq: int, now: Any) -> Printed:
    """The record's 文书 content with its personal parts blanked, titled as a copy."""
    whole = printed(record=record, case=case, doc_no=None, record_seq=record_seq, now=now)
    masked = dict(record.shown_fields(personal=False))
    fields = [(label, str(masked.get(label, text))) for label, text in whole.fields]
    party = whole.party
    if party is not None:
        party = PartyBlock(party.label, [_mask_party_line(line) for line in party.lines])
    return dataclasses.replace(
        whole,
        title=f"{whole.title}（复制件·已删除保密内容）",
        fields=fields,
        party=party,
    )


def _mask_party_line(line: str) -> str:
    label, sep, value = line.partition("：")
    if label.startswith("身份证件号码"):
        return f"{label}{sep}{mask_id_number(value)}"
    if label.startswith("住址"):
        return f"{label}{sep}{mask_address(value)}"
    return line


def blanked_fields(record: Record) -> list[str]:
    """The labels of the fields whose personal parts the redacted copy blanks."""
    whole = dict(record.shown_fields(personal=True))
    masked = dict(record.shown_fields(personal=False))
    return [label for label, text in whole.items() if masked.get(label) != text]


def redact_pdf(data: bytes, boxes: list[Box]) -> bytes:
    """The PDF with each page that has a box rasterised and the box burned in black; other pages
    as they were. Refused: not a PDF, a box off the page's number range."""
    import pypdfium2 as pdfium
    from PIL import ImageDraw
    from pypdf import PdfReader, PdfWriter

    try:
        source = pdfium.PdfDocument(data)
        reader = PdfReader(io.BytesIO(data))
    except Exception:
        raise ActionError("not_a_pdf", "原件不是可读取的 PDF 文件") from None
    pages = len(reader.pages)
    by_page: dict[int, list[Box]] = {}
    for box in boxes:
        if box.page > pages:
            raise ActionError(
                "invalid_region", f"原件只有{pages}页，没有第{box.page}页", field="regions"
            )
        by_page.setdefault(box.page, []).append(box)
    scale = PDF_DPI / 72
    writer = PdfWriter()
    for index in range(pages):
        if index + 1 not in by_page:
            writer.add_page(reader.pages[index])
            continue
        image = source[index].render(scale=scale).to_pil().convert("RGB")
        draw = ImageDraw.Draw(image)
        for b in by_page[index + 1]:
            draw.rectangle([b.x0 * scale, b.y0 * scale, b.x1 * scale, b.y1 * scale], fill=(0, 0, 0))
        buffer = io.BytesIO()
        image.save(buffer, format="PDF", resolution=PDF_DPI)
        writer.add_page(PdfReader(io.BytesIO(buffer.getvalue())).pages[0])
    source.close()
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def redact_image(data: bytes, boxes: list[Box]) -> tuple[bytes, str]:
    """The photo with the boxes filled black and its metadata dropped; (bytes, media type)."""
    from PIL import Image, ImageDraw, UnidentifiedImageError

    try:
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError):
        raise ActionError("not_an_image", "原件不是可读取的照片") from None
    fmt = "PNG" if image.format == "PNG" else "JPEG"
    rgb = image.convert("RGB")
    for b in boxes:
        if b.x1 > rgb.width or b.y1 > rgb.height:
            raise ActionError(
                "invalid_region",
                f"区域超出照片范围（{rgb.width}×{rgb.height} 像素）",
                field="regions",
            )
    draw = ImageDraw.Draw(rgb)
    for b in boxes:
        draw.rectangle([b.x0, b.y0, b.x1 - 1, b.y1 - 1], fill=(0, 0, 0))
    out = io.BytesIO()
    if fmt == "PNG":
        rgb.save(out, format="PNG")
        return out.getvalue(), "image/png"
    rgb.save(out, format="JPEG", quality=95)
    return out.getvalue(), "image/jpeg"
