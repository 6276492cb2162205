"""The 案卷 as one PDF/A: the cover (GB/T 9705) and 卷内目录 rendered with the documents app's
typeface and PDF/A output, then the issued PDFs themselves — concatenated with pikepdf, never
rendered again — with a continuous 页号 stamped top right of each of their pages (an overlay made
with the same embedded face), then the 音像资料目录 and the 卷内备考表; one bookmark per part and
per document.

The cover and the 卷内目录 carry the page numbers of the documents, so the documents' page counts
are known first (kept on each document and 附件 row; an upload's counted before it is stored,
``file_page_count``); the front matter and the closing sheets are not numbered (DA/T
22 / the usual 案卷 practice: 页号 on the file's documents)."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pikepdf
from django.utils import timezone

from casetrail.archive.models import CaseFile, FileItem
from casetrail.documents.render import layout, layout_html, page_html, pdf_a
from casetrail.evidence.storage import blob_store

MM = 72 / 25.4  # PDF points per millimetre


@contextlib.contextmanager
def open_blob_pdf(sha256: str) -> Iterator[pikepdf.Pdf]:
    """A stored PDF opened with pikepdf: from its path on the file store, else read whole (the
    documents are small; media are never opened this way). Refused inside a transaction on both
    backends (``BlobStore.reading``): on S3 it is a download."""
    store = blob_store()
    store.reading(f"the PDF {sha256[:12]}…")
    if store.is_file:
        pdf = pikepdf.open(store.path(sha256))
    else:
        pdf = pikepdf.open(io.BytesIO(b"".join(store.iter_bytes(sha256))))
    try:
        yield pdf
    finally:
        pdf.close()


def file_page_count(path: Path) -> int | None:
    """The page count of the PDF at the local ``path`` (an upload not yet stored), or None when
    it is not a readable PDF."""
    try:
        with pikepdf.open(path) as pdf:
            return len(pdf.pages)
    except (pikepdf.PdfError, OSError):
        return None


def _first_page_with(document: Any, anchor: str) -> int | None:
    for index, page in enumerate(document.pages):
        if anchor in page.anchors:
            return index
    return None


@dataclass(frozen=True)
class MediaRow:
    seq: int
    part: str
    title: str
    officer: str
    device: str
    start: str
    end: str
    duration: str
    format: str
    size: int
    sha256: str
    sm3: str


def media_rows(media: list[FileItem]) -> list[MediaRow]:
    """The 音像资料目录 (DA/T 63 metadata items where they apply)."""
    rows = []
    for n, m in enumerate(media, start=1):
        item = m.item
        assert item is not None
        start = item.recorded_start or item.recorded_end
        rows.append(
            MediaRow(
                seq=m.seq,
                part=f"Y{n:03d}",
                title=m.title,
                officer=item.officer.name,
                device=item.device.serial if item.device_id and item.device else "",
                start=f"{timezone.localtime(start):%Y-%m-%d %H:%M:%S}",
                end=f"{timezone.localtime(item.recorded_end):%Y-%m-%d %H:%M:%S}",
                duration=item.duration_label,
                format=item.blob.media_type,
                size=item.blob.size,
                sha256=item.blob.sha256,
                sm3=item.blob.sm3,
            )
        )
    return rows


DIGIT_W, DIGIT_H = 3.2, 6.0  # mm: one digit of the 页号, set in the embedded face


def _digit_forms(out: pikepdf.Pdf) -> list[pikepdf.Object]:
    """The ten digits as Form XObjects of ``out``: rendered once (the CJK face embedded and
    subset, PDF/A), so stamping 页号 on hundreds of pages costs a few bytes of content each."""
    digits = pdf_a(layout("archive/pdf/numbers.html", {"numbers": range(10)}))
    source = pikepdf.open(io.BytesIO(digits))
    forms = [out.copy_foreign(pikepdf.Page(p).as_form_xobject()) for p in source.pages]
    source.close()
    return forms


def _stamp_numbers(out: pikepdf.Pdf, pages: list[Any], first: int) -> None:
    """The 页号 first, first+1, … top right of each page, as an overlay (the page's own content
    is untouched underneath): each number drawn from the digit forms, right-aligned."""
    if not pages:
        return
    forms = _digit_forms(out)
    for n, page in enumerate(pages, start=first):
        box = page.mediabox
        right, top = float(box[2]) - 12 * MM, float(box[3]) - 14 * MM
        ops = [b"q"]
        text = str(n)
        for i, ch in enumerate(text):
            name = page.add_resource(forms[int(ch)], pikepdf.Name.XObject, prefix="Pg")
            x = right - (len(text) - i) * DIGIT_W * MM
            ops.append(f"q 1 0 0 1 {x:.2f} {top:.2f} cm {name} Do Q".encode())
        ops.append(b"Q")
        page.contents_add(b"\n".join(ops), prepend=False)


@dataclass(frozen=True)
class Printed:
    """What the 案卷 PDF prints, before any layout: the HTML of the front matter (cover, 卷内目录)
    and of the closing sheets (音像资料目录, 卷内备考表), the issued PDFs set between them (``sources``:
    件号, 题名 and SHA-256 of each, in order) and the title in its metadata. Equal ``Printed`` make
    the same pages; ``digest`` (SHA-256, hex) stands for them."""

    front: str
    back: str
    sources: tuple[tuple[int, str, str], ...]
    title: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(
            json.dumps(dataclasses.astuple(self), ensure_ascii=False).encode()
        ).hexdigest()


def printed(
    *,
    case_file: CaseFile,
    items: list[FileItem],
    media: list[FileItem],
    notes: list[str],
    checker: str,
) -> Printed:
    """What the 案卷 of ``case_file`` prints (its rows need not be saved yet). ``items`` carry
    their page numbers already (``start_page``, ``pages``). Milliseconds: no layout."""
    filing_no = f"{case_file.year}-{case_file.piece_no:04d}"
    context = {"f": case_file, "items": items, "filing_no": filing_no}
    return Printed(
        front=page_html("archive/pdf/front.html", context),
        back=page_html(
            "archive/pdf/back.html",
            {**context, "media": media_rows(media), "notes": notes, "checker": checker},
        ),
        sources=tuple((entry.seq, entry.title, entry.blob.sha256) for entry in items),
        title=f"{case_file.title} {case_file.archive_code}",
    )


def build(pages: Printed, dest: Path) -> int:
    """Write the 案卷 PDF/A of ``pages`` to ``dest``; returns its page count."""
    front_doc = layout_html(pages.front)
    back_doc = layout_html(pages.back)
    index_at = _first_page_with(front_doc, "index") or 0
    media_at = _first_page_with(back_doc, "media")
    notes_at = _first_page_with(back_doc, "notes") or 0
    out = pikepdf.open(io.BytesIO(pdf_a(front_doc)))
    back = pikepdf.open(io.BytesIO(pdf_a(back_doc)))
    marks: list[tuple[str, int]] = [("封面", 0), ("卷内目录", index_at)]
    # QPDF copies a foreign page's streams when the result is written: the sources stay open
    # until then.
    sources = contextlib.ExitStack()
    try:
        numbered: list[Any] = []
        for seq, title, sha256 in pages.sources:
            source = sources.enter_context(open_blob_pdf(sha256))
            # The seal's appearance goes into the page content and the signature field is left
            # out: the copy is no longer the signed file (the issued PDF, kept beside it in the
            # package, is), so a reader must not show a signature that no longer verifies.
            source.flatten_annotations(mode="all")
            first = len(out.pages)
            out.add_pages_from(source, forms="strip")
            numbered.extend(out.pages[first:])
            marks.append((f"{seq} {title}", first))
        _stamp_numbers(out, numbered, 1)
        back_first = len(out.pages)
        out.pages.extend(back.pages)
        if media_at is not None:
            marks.append(("音像资料目录", back_first + media_at))
        marks.append(("卷内备考表", back_first + notes_at))
        with out.open_outline() as outline:
            outline.root.clear()  # the renderer's own, from the headings
            outline.root.extend(pikepdf.OutlineItem(title, page) for title, page in marks)
        with out.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["dc:title"] = pages.title
        out.save(dest, linearize=False)
        return len(out.pages)
    finally:
        sources.close()
        back.close()
        out.close()
