"""All issued 文书 of a case in one PDF with a bookmark per document, for the case file (案卷).

The bundle is a print of the stored PDFs, made on request and not stored: each document stays the
sealed original in the blob store (merging pages into a new file cannot keep the seals' byte
ranges, so the bundle is for paper; the originals are what verification checks).
"""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter

from casetrail.cases.models import Case
from casetrail.documents.models import IssuedDocument
from casetrail.evidence.storage import blob_store


def issued_of(case: Case) -> list[IssuedDocument]:
    """The case's issued documents in the order they were issued (withdrawn ones too, marked)."""
    return list(
        IssuedDocument.objects.filter(case=case)
        .select_related("blob", "record", "withdrawal")
        .order_by("issued_at", "id")
    )


def bookmark(document: IssuedDocument) -> str:
    title = document.record.title + (f" {document.doc_no}" if document.doc_no else "")
    if getattr(document, "withdrawal", None) is not None:
        title += "（已撤回）"
    return title


def case_bundle(case: Case, documents: list[IssuedDocument] | None = None) -> tuple[bytes, int]:
    """(the PDF, its number of documents). One top-level bookmark per document, at its first page."""
    documents = issued_of(case) if documents is None else documents
    writer = PdfWriter()
    store = blob_store()
    for document in documents:
        data = b"".join(store.iter_bytes(document.blob.sha256))
        writer.append(PdfReader(io.BytesIO(data)), outline_item=bookmark(document))
    writer.add_metadata({"/Title": f"{case.label} 文书汇总", "/Author": case.agency.name})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(documents)
