"""Issuing a record as its 文书: 文号 drawn, PDF/A rendered, sealed, stored, ledgered; refused when
its chain has not passed; issuing twice returns the first."""

from __future__ import annotations

import io
import json

from pypdf import PdfReader

from casetrail.documents.issuing import issue
from casetrail.documents.models import IssuedDocument
from casetrail.evidence.storage import blob_store
from casetrail.ledger.models import LedgerEntry


def pdf_of(document: IssuedDocument) -> bytes:
    return b"".join(blob_store().iter_bytes(document.blob.sha256))


def test_it_issues_the_decision_with_its_number_sealed_and_ledgered(decision, personas):
    document, new = issue(record=decision, officer=personas["zhang"])
    assert new
    year = document.issued_at.year
    assert document.doc_no == f"陵民罚决〔{year}〕1号"
    data = pdf_of(document)
    assert data.startswith(b"%PDF-")
    entry = LedgerEntry.objects.get(subject=f"document:{document.pk}")
    payload = json.loads(entry.canonical)["payload"]
    assert payload["pdf"]["sha256"] == document.blob.sha256
    assert payload["pdf"]["sm3"] == document.blob.sm3
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "行政执法决定书" in text
    assert document.doc_no in text
    again, new_again = issue(record=decision, officer=personas["zhang"])
    assert (again.pk, new_again) == (document.pk, False)
    assert IssuedDocument.objects.count() == 1
