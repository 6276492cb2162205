"""The demo's oversight step (issue 16 item 6): the one finding the demo honestly produces (a late
recording) with 孙监督's order, the 公示 of the three demo decisions, an 抽查 with a review and the
评议考核 report of the year — through the actions, once."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from casetrail.cases.models import Case
from casetrail.conftest import client_for
from casetrail.demo.documents import issue_demo_documents
from casetrail.demo.oversight import load_oversight
from casetrail.demo.stories import load_demo_cases
from casetrail.documents.tests.builders import stand_in_pages
from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.verify import verify
from casetrail.oversight.models import EvaluationReport, Finding, Publication, Sample


def test_it_raises_publishes_samples_and_reports_once(
    personas: Any, evidence_store: Any, monkeypatch: Any
) -> None:
    titles = [c.title for c in load_demo_cases(personas)]
    cases = list(Case.objects.filter(title__in=titles))
    # A decision is published with its 文号, drawn when the demo issues it (pages stood in for).
    stand_in_pages(monkeypatch)
    issue_demo_documents(personas, cases)
    line = load_oversight(personas, cases)
    assert "公示决定 3 件" in line
    (finding,) = Finding.objects.all()
    assert (finding.kind, finding.state) == ("late_upload", "ordered")
    assert Publication.objects.filter(state="published").count() == 3
    feed = client_for(None).get("/public/decisions.json").json()
    assert feed["count"] == 3
    sample = Sample.objects.get()
    assert sample.reviews.count() == 1 and set(sample.drawn) <= {c.pk for c in cases}
    report = EvaluationReport.objects.get()
    assert report.period == str(timezone.localdate().year)
    entries = LedgerEntry.objects.count()
    assert load_oversight(personas, cases) == line
    assert LedgerEntry.objects.count() == entries
    assert verify().intact
