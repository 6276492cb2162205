"""Issue a record once: what views, the API, the CLI and the demo call."""

from __future__ import annotations

from casetrail.documents.actions import document_issue
from casetrail.documents.models import IssuedDocument
from casetrail.lib.errors import ActionError
from casetrail.org.models import Officer
from casetrail.records.models import Record


def issue(*, record: Record, officer: Officer) -> tuple[IssuedDocument, bool]:
    """(the document, whether it was issued now). Issuing twice returns the first document —
    the same PDF and 文号 — never a second rendering."""
    first = IssuedDocument.objects.filter(record=record).first()
    if first is not None:
        return first, False
    try:
        return document_issue(record=record, officer=officer), True
    except ActionError as exc:
        if exc.code != "already_issued":
            raise
        # Issued by someone else between our look and our lock.
        return IssuedDocument.objects.get(record=record), False
