"""A 文书's pages: the family's HTML template laid out by WeasyPrint as PDF/A-2b (ISO 19005-2,
level B), the CJK face embedded and subset, the verification line and QR code on every page.

Rendering happens once, when the document is issued (``actions.document_issue``); an issued PDF is
never rendered again, so a later template change never alters it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import segno
from django.template.loader import render_to_string

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
    """The QR code (ISO/IEC 18004, level M) of ``text`` as an SVG data URI for the template."""
    return str(segno.make(text, error="m", micro=False).svg_data_uri(scale=2.5, border=0))


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


def render(printed: Printed) -> Rendered:
    """Lay out and write the document. Raises ``FontMissing`` when the face is not installed."""
    from weasyprint import HTML

    document = HTML(string=html_of(printed)).render()
    seal_page, seal_x, seal_y = len(document.pages) - 1, 400.0, 200.0
    for index, page in enumerate(document.pages):
        anchor = page.anchors.get("seal")
        if anchor is not None:
            seal_page = index
            x, y = anchor[0], anchor[1]
            # The anchor is the sign-off's top left corner (CSS px from the top left of the page);
            # the seal is centred over the agency's name, as a seal is pressed on paper.
            seal_x = (x + 132) * CSS_PX_TO_PT
            seal_y = page.height * CSS_PX_TO_PT - (y + 38) * CSS_PX_TO_PT
    pdf = document.write_pdf(pdf_variant="pdf/a-2b", custom_metadata=True)
    return Rendered(bytes(pdf), len(document.pages), seal_page, seal_x, seal_y)
