"""评议考核 (第三十四条; issue 16 item 5): indicators with the agency's weights (data), scores
computed from the year's numbers, the report kept as issued (ledgered) and exported as XLSX that
reads back with openpyxl."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from casetrail.conftest import client_for, film
from casetrail.ledger.models import LedgerEntry
from casetrail.oversight.indicators import DEFAULT_WEIGHTS
from casetrail.oversight.models import EvaluationReport
from casetrail.oversight.refresh import refresh
from casetrail.oversight.reports import evaluate
from casetrail.oversight.tests.builders import post


def test_it_scores_the_indicators_by_their_weights() -> None:
    n = {
        "inspections": 4,
        "inspections_filmed": 3,
        "major": 0,
        "major_filmed": 0,
        "uploads": 10,
        "late_uploads": 1,
        "findings": 4,
        "findings_settled": 2,
        "sample_items": 10,
        "sample_ok": 9,
        "decisions": 0,
        "published_on_time": 0,
    }
    rows, total = evaluate(n, DEFAULT_WEIGHTS)
    scores = {r["code"]: r["score"] for r in rows}
    assert scores == {
        "av_inspections": "75.0",
        "av_major": None,
        "uploads_on_time": "90.0",
        "findings_settled": "50.0",
        "samples_ok": "90.0",
        "published_on_time": None,
    }
    # (75×20 + 90×15 + 50×20 + 90×20) / 75: the 不适用 indicators' weights are scaled away.
    assert total == "75.3"


@pytest.fixture
def year_of_uploads(open_case: Any, personas: Any, evidence_store: Any) -> Any:
    film(open_case, personas["zhang"])
    film(open_case, personas["zhang"], hours_ago=30, late_reason="设备维修")
    refresh(agency=personas["sun"].agency)  # one late_upload finding, not settled
    return open_case


def test_it_issues_a_report_and_exports_it_as_xlsx(year_of_uploads: Any) -> None:
    year = timezone.localdate().year
    weights = dict(DEFAULT_WEIGHTS, uploads_on_time=25, published_on_time=0)
    r = post("sun", "/api/reports/", {"year": year, "weights": weights})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["numbers"]["uploads"] == 2 and body["numbers"]["late_uploads"] == 1
    assert body["numbers"]["findings"] == 1 and body["numbers"]["findings_settled"] == 0
    scores = {i["code"]: i["score"] for i in body["indicators"]}
    assert scores["uploads_on_time"] == "50.0" and scores["findings_settled"] == "0.0"
    # (50×25 + 0×20) / 45 with the agency's weights.
    assert body["total"] == "27.8"
    entry = LedgerEntry.objects.order_by("-pk").first()
    assert entry.action == "oversight.report_issue"
    report = EvaluationReport.objects.get()
    xlsx = client_for("zhao").get(f"/oversight/reports/{report.pk}/xlsx/")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")
    sheet = load_workbook(io.BytesIO(xlsx.content))["评议考核"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0].endswith("年度行政执法全过程记录评议考核（全局）")
    by_title = {row[0]: row for row in rows[2:]}
    assert by_title["音像记录24小时内存储率"][2:] == [25, "1/2", 50.0]
    assert by_title["行政处罚决定按时公示率"][3:] == ["不适用", "不适用"]
    assert by_title["综合得分"][4] == 27.8
    # The sealed PDF/A kept as issued: its blob in the entry, the same bytes served, the text.
    assert body["pdf"]["sha256"] == report.pdf.sha256
    assert {"table": "evidence.Blob", "id": report.pdf.pk} in [
        {"table": f["table"], "id": f["id"]} for f in entry.entry["payload"]["rows"]
    ]
    pdf = client_for("zhao").get(body["pdf"]["url"])
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    data = b"".join(pdf.streaming_content)
    assert hashlib.sha256(data).hexdigest() == report.pdf.sha256
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "评议考核" in text and "音像记录24小时内存储率" in text and "27.8" in text
    assert client_for("zhang").get(body["pdf"]["url"]).status_code == 403


@pytest.mark.parametrize(
    "weights",
    [dict(DEFAULT_WEIGHTS, av_major=99), {"av_major": 100}, dict(DEFAULT_WEIGHTS, x=0)],
)
def test_it_refuses_weights_that_are_not_one_hundred(personas: Any, weights: Any) -> None:
    r = post("sun", "/api/reports/", {"year": timezone.localdate().year, "weights": weights})
    assert r.status_code == 400 and r.json()["code"] == "invalid_weights"
    assert not EvaluationReport.objects.exists()


@pytest.mark.parametrize(
    "who, reads, issues", [("sun", 200, 201), ("zhao", 200, 403), ("zhang", 403, 403)]
)
def test_it_lets_supervisors_issue_and_the_director_read(
    personas: Any, who: str, reads: int, issues: int
) -> None:
    year = timezone.localdate().year
    assert client_for(who).get("/oversight/reports/").status_code == reads
    assert post(who, "/api/reports/", {"year": year}).status_code == issues
    assert client_for(who).get("/api/reports/").status_code == reads


def test_it_issues_through_the_page_and_keeps_others_out(personas: Any, other_agency: Any) -> None:
    sun = client_for("sun")
    form = {"period": str(timezone.localdate().year), "unit": str(personas["zhang"].unit_id)}
    form |= {f"w_{code}": str(w) for code, w in DEFAULT_WEIGHTS.items()}
    r = sun.post("/oversight/reports/", form)
    assert r.status_code == 302, r.content.decode()[:2000]
    report = EvaluationReport.objects.get()
    assert report.unit == personas["zhang"].unit
    assert "社会事务股" in sun.get(f"/oversight/reports/{report.pk}/").content.decode()
    assert client_for("gou").get(f"/oversight/reports/{report.pk}/").status_code == 404
    assert client_for("gou").get(f"/api/reports/{report.pk}/").status_code == 404


def test_it_issues_a_report_of_a_quarter_and_of_a_month(year_of_uploads: Any) -> None:
    """The same indicators over one quarter or one month: counted inside the period only."""
    today = timezone.localdate()
    quarter = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    month = f"{today.year}-{today.month:02d}"
    for period in (quarter, month):
        r = post("sun", "/api/reports/", {"period": period})
        assert r.status_code == 201, r.content
        assert r.json()["period"] == period
        assert r.json()["numbers"]["uploads"] == 2
    # A month before this quarter holds none of them; a month not begun yet is refused.
    earlier = f"{today.year - 1}-12"
    assert post("sun", "/api/reports/", {"period": earlier}).json()["numbers"]["uploads"] == 0
    r = post("sun", "/api/reports/", {"period": f"{today.year + 1}-01"})
    assert r.status_code == 400 and r.json()["code"] == "invalid_period"
    r = post("sun", "/api/reports/", {"period": "2026-Q5"})
    assert r.status_code == 400 and r.json()["code"] == "invalid_period"
    assert EvaluationReport.objects.count() == 3
    report = EvaluationReport.objects.get(period=quarter)
    xlsx = client_for("sun").get(f"/oversight/reports/{report.pk}/xlsx/")
    title = load_workbook(io.BytesIO(xlsx.content))["评议考核"]["A1"].value
    assert f"{today.year}年第" in title and "季度行政执法全过程记录评议考核" in title
