"""A 文书's pages: the family's HTML template laid out by WeasyPrint as PDF/A-2b (ISO 19005-2,
level B), the CJK face embedded and subset, the verification line and QR code on every page.

Rendering happens once, when the document is issued (``actions.document_issue``); an issued PDF is
never rendered again, so a later template change never alters it.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

import segno
from django.template.loader import render_to_string

from casetrail.documents import lean_fonts
from casetrail.documents.content import Printed
from casetrail.documents.fonts import faces

# WeasyPrint reports each layout step at INFO on a handler of its own: one line a step a document
# on the server's console. Warnings (a missing glyph, an unreadable image) still show.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
CSS_PX_TO_PT = 0.75  # WeasyPrint lays out in CSS px (1/96 in); PDF user space is in pt (1/72 in)


@dataclass(frozen=True)
class Rendered:
    """The unsigned PDF/A bytes, its page count and where the seal goes: (page index from 0, x
    and y of the seal's centre in PDF points from the page's lower left corner)."""

    pdf: bytes
    pages: int
    seal_page: int
    seal_x: float
    seal_y: float


def qr_data_uri(text: str) -> str:
    """The QR code (ISO/IEC 18004, level M) of ``text`` as a PNG data URI for the template: 8 px
    a module, placed at 3.2 dppx (``image-resolution`` in pdf/base.html: 2.5 CSS px, 0.66 mm a
    module, about 300 dpi) and drawn without smoothing (``image-rendering: pixelated``), so its
    edges stay sharp. A bitmap, not SVG: WeasyPrint drew the SVG's modules one path each, a
    tenth of the time a document took to write."""
    return str(segno.make(text, error="m", micro=False).png_data_uri(scale=8, border=0))


def sign_line(printed: Printed) -> str:
    """The 笔录's signature line of every page: the first two signers' labels with a blank."""
    labels = printed.signatures[:2] or ["签名"]
    return "　".join(f"{label}：＿＿＿＿＿＿" for label in labels)


def html_of(printed: Printed) -> str:
    regular, _bold = faces()  # FontMissing before anything is laid out
    return render_to_string(
        printed.template,
        {
            "p": printed,
            "font": regular.family,
            "qr": qr_data_uri(printed.verify_code),
            "sign_line": sign_line(printed),
        },
    )


_FONTS = threading.local()


def font_configuration() -> Any:
    """WeasyPrint's font configuration (Pango's font map), made once per thread and kept: made
    anew for every document, as WeasyPrint does unless given one, each document loaded the CJK
    collection again and the process grew by some 25 MB a document (Pango objects are not shared
    between threads, hence one per thread). Installs ``lean_fonts`` first (raises
    ``LeanFontsUnsupported`` on another WeasyPrint version)."""
    config = getattr(_FONTS, "config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        # The PDF writer reads a CJK collection only when it needs it (see lean_fonts); refuses
        # loudly on a WeasyPrint it was not written for.
        lean_fonts.install()

        config = _FONTS.config = FontConfiguration()
    return config


def layout(template: str, context: dict[str, Any]) -> Any:
    """A WeasyPrint document of ``template`` (an HTML template given ``font``, the 文书 face, in
    its context) laid out with this thread's font configuration: the 文书, and the pages other
    apps print in the same face (the 案卷's front matter, the 评议考核 report). Raises
    ``FontMissing`` when the face is not installed."""
    return layout_html(page_html(template, context))


def page_html(template: str, context: dict[str, Any]) -> str:
    """The HTML of ``template`` given the 文书 face as ``font``: everything a page prints, before
    its (far costlier) layout. Raises ``FontMissing`` when the face is not installed."""
    regular, _bold = faces()  # FontMissing before anything is laid out
    return render_to_string(template, {**context, "font": regular.family})


def layout_html(html: str) -> Any:
    """``html`` (from ``page_html``) laid out with this thread's font configuration."""
    from weasyprint import HTML

    return HTML(string=html).render(font_config=font_configuration())


def pdf_a(document: Any) -> bytes:
    """The laid-out document written as PDF/A-2b (ISO 19005-2, level B), the face embedded."""
    return bytes(document.write_pdf(pdf_variant="pdf/a-2b", custom_metadata=True))


def seal_place(document: Any) -> tuple[int, float, float]:
    """Where the seal goes on a laid-out document: (page index from 0, x and y of its centre in PDF
    points from the page's lower left corner), over the sign-off marked ``id="seal"`` (else the
    last page's lower right)."""
    for index, page in enumerate(document.pages):
        anchor = page.anchors.get("seal")
        if anchor is not None:
            x, y = anchor[0], anchor[1]
            # The anchor is the sign-off's top left corner (CSS px from the top left of the page);
            # the seal is centred over the agency's name, as a seal is pressed on paper.
            seal_x = (x + 132) * CSS_PX_TO_PT
            seal_y = page.height * CSS_PX_TO_PT - (y + 38) * CSS_PX_TO_PT
            return index, seal_x, seal_y
    return len(document.pages) - 1, 400.0, 200.0


def render(printed: Printed) -> Rendered:
    """Lay out and write the document. Raises ``FontMissing`` when the face is not installed."""
    from weasyprint import HTML

    document = HTML(string=html_of(printed)).render(font_config=font_configuration())
    seal_page, seal_x, seal_y = seal_place(document)
    return Rendered(pdf_a(document), len(document.pages), seal_page, seal_x, seal_y)
