"""The documents app's links beside each record (registered with ``records.links``): 打印 for
every catalogued record, 上传签字件 where the entry has a signed-scan slot and the viewer handles
the case. Asked once per record on a list, so it reads nothing per record: the viewer's cases are
read once per officer object and kept on it."""

from __future__ import annotations

from django.urls import reverse

from casetrail.cases.hooks import CasePage
from casetrail.cases.models import CaseOfficer
from casetrail.documents.models import IssuedDocument
from casetrail.org.models import Officer
from casetrail.records.catalogue import CATALOGUE
from casetrail.records.models import Record

_CACHE = "_documents_assigned_case_ids"
# The documents a 送达回证 may prove served (the catalogue's refs of its ``document`` field).
_RECEIPT_DOCUMENT = CATALOGUE["service_receipt"].field("document")
SERVED = frozenset(_RECEIPT_DOCUMENT.refers_to if _RECEIPT_DOCUMENT is not None else ())


def _assigned(officer: Officer) -> set[int]:
    ids: set[int] | None = getattr(officer, _CACHE, None)
    if ids is None:
        ids = set(CaseOfficer.objects.filter(officer=officer).values_list("case_id", flat=True))
        setattr(officer, _CACHE, ids)
    return ids


def links(record: Record, officer: Officer) -> list[tuple[str, str]]:
    doc = record.doc
    if doc is None:
        return []
    out = [(reverse("document-record", args=[record.pk]), "打印")]
    if record.kind in SERVED:
        out.append((reverse("document-blank-receipt", args=[record.pk]), "打印送达回证"))
    scan = next((a.name for a in doc.attachments if a.kind == "signed_scan"), None)
    if scan and record.case_id in _assigned(officer):
        out.append((reverse("record-attach", args=[record.pk]) + f"?slot={scan}", "上传签字件"))
    return out


def case_links(page: CasePage) -> list[tuple[str, str]]:
    """打印全部文书 beside the case's steps, once the case has an issued document."""
    if not page.memo.setdefault(
        "documents_issued", IssuedDocument.objects.filter(case=page.case).exists()
    ):
        return []
    return [(reverse("case-documents-pdf", args=[page.case.pk]), "打印全部文书")]
