"""The documents app's links beside each record (registered with ``records.links``): 打印 for
every catalogued record, 上传签字件 where the entry has a signed-scan slot and the viewer handles
the case. Asked once per record on a list, so it reads nothing per record: whether the viewer handles
a case is asked once per case and kept on the officer object."""

from __future__ import annotations

from django.urls import reverse

from casetrail.cases.hooks import CasePage
from casetrail.cases.models import CaseOfficer
from casetrail.documents.models import IssuedDocument
from casetrail.org.models import Officer
from casetrail.records.catalogue import CATALOGUE
from casetrail.records.models import Record

_CACHE = "_documents_handles_case"
# The documents a 送达回证 may prove served (the catalogue's refs of its ``document`` field).
_RECEIPT_DOCUMENT = CATALOGUE["service_receipt"].field("document")
SERVED = frozenset(_RECEIPT_DOCUMENT.refers_to if _RECEIPT_DOCUMENT is not None else ())


def _handles(officer: Officer, record: Record) -> bool:
    """Whether ``officer`` is assigned to the record's case: asked once per case and officer
    object. From the case's assignments when the record comes with its case and they are loaded
    (the case page: no query), else one indexed query for that case — never every case of the
    officer's (a handler of a large agency has tens of thousands: issue 18)."""
    known: dict[int, bool] = officer.__dict__.setdefault(_CACHE, {})
    if record.case_id not in known:
        if Record.case.is_cached(record):
            known[record.case_id] = record.case.is_assigned(officer.pk)
        else:
            assigned = CaseOfficer.objects.filter(officer=officer, case_id=record.case_id)
            known[record.case_id] = assigned.exists()
    return known[record.case_id]


def links(record: Record, officer: Officer) -> list[tuple[str, str]]:
    doc = record.doc
    if doc is None:
        return []
    out = [(reverse("document-record", args=[record.pk]), "打印")]
    if record.kind in SERVED:
        out.append((reverse("document-blank-receipt", args=[record.pk]), "打印送达回证"))
    scan = next((a.name for a in doc.attachments if a.kind == "signed_scan"), None)
    if scan and _handles(officer, record):
        out.append((reverse("record-attach", args=[record.pk]) + f"?slot={scan}", "上传签字件"))
    return out


def case_links(page: CasePage) -> list[tuple[str, str]]:
    """打印全部文书 beside the case's steps, once the case has an issued document."""
    if not page.memo.setdefault(
        "documents_issued", IssuedDocument.objects.filter(case=page.case).exists()
    ):
        return []
    return [(reverse("case-documents-pdf", args=[page.case.pk]), "打印全部文书")]
