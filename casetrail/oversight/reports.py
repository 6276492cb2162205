"""The 评议考核 report of one year for the agency or one unit (第三十四条): the year's numbers, each
indicator's value and score, the weights and the weighted total — computed here, kept by the
``report_issue`` action as a ledgered record, and laid out as one table (``report_table``) that
the XLSX export writes and the documents app's PDF renderer will take when it lands."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.utils import timezone

from casetrail.compliance.holidays import calendar
from casetrail.documents.content import chinese_date
from casetrail.documents.render import layout, pdf_a, seal_place
from casetrail.documents.seal import apply_seal
from casetrail.evidence.models import Item
from casetrail.lib.errors import ActionError
from casetrail.org.models import Agency, Unit
from casetrail.oversight.indicators import DEFAULT_WEIGHTS, INDICATORS
from casetrail.oversight.models import (
    EvaluationReport,
    Finding,
    FindingState,
    Publication,
    Sample,
)
from casetrail.oversight.publishing import PUBLISH_WORKDAYS
from casetrail.oversight.sampling import period_bounds, period_kind, period_label
from casetrail.oversight.stats import dashboard
from casetrail.records.models import Record


def check_weights(weights: dict[str, Any] | None) -> dict[str, int]:
    """The weights to use: the defaults, or the agency's (every indicator, whole numbers ≥ 0,
    summing to 100)."""
    if not weights:
        return dict(DEFAULT_WEIGHTS)
    out = {}
    for code in DEFAULT_WEIGHTS:
        value = weights.get(code)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ActionError("invalid_weights", f"指标“{code}”的权重应为非负整数", field="weights")
        out[code] = value
    if set(weights) - set(DEFAULT_WEIGHTS):
        raise ActionError("invalid_weights", "权重中有未知的指标", field="weights")
    if sum(out.values()) != 100:
        raise ActionError("invalid_weights", "各项指标权重之和应为 100", field="weights")
    return out


def numbers(*, agency_id: int, period: str, unit_id: int | None) -> dict[str, int]:
    """The counts the indicators read, for the period — a year (2026), a quarter (2026-Q3) or a
    month (2026-07) — and the unit."""
    start, end = period_bounds(period, what="考核期间")
    d = dashboard(
        agency_id=agency_id,
        year=start.year,
        period=period_kind(period),
        unit_id=unit_id,
        only=period,
    )
    case_ids = {pk for c in d.started.values() for pk in c.cases}
    uploads = Item.objects.filter(agency_id=agency_id, uploaded_at__gte=start, uploaded_at__lt=end)
    if unit_id:
        uploads = uploads.filter(link__case__unit_id=unit_id)
    found = Finding.objects.filter(agency_id=agency_id, raised_at__gte=start, raised_at__lt=end)
    if unit_id:
        found = found.filter(unit_id=unit_id)
    settled = found.filter(state__in=[FindingState.CLOSED, FindingState.CORRECTED]).count()
    sample_ok = sample_items = 0
    for sample in Sample.objects.filter(agency_id=agency_id, period__startswith=period[:4]):
        if not _within(sample.period, start, end):
            continue
        latest = {r.case_id: r for r in sample.reviews.select_related("case").order_by("at", "id")}
        for review in latest.values():
            if unit_id and review.case.unit_id != unit_id:
                continue
            for r in review.results:
                if r["result"] != "na":
                    sample_items += 1
                    sample_ok += r["result"] == "ok"
    decisions = Record.objects.filter(
        case__agency_id=agency_id, kind="administrative_decision", created_at__gte=start
    ).filter(created_at__lt=end, replaces__isnull=True)
    if unit_id:
        decisions = decisions.filter(case__unit_id=unit_id)
    on_time = 0
    cal = calendar()
    for p in Publication.objects.filter(decision__in=decisions, published_at__isnull=False):
        due = cal.add_workdays(p.decided_on, PUBLISH_WORKDAYS).day
        on_time += timezone.localdate(p.published_at) <= due if p.published_at else 0
    return {
        "cases": len(case_ids),
        "inspections": len(d.inspections_filmed.of),
        "inspections_filmed": len(d.inspections_filmed.hit),
        "major": len(d.major_filmed.of),
        "major_filmed": len(d.major_filmed.hit),
        "uploads": uploads.count(),
        "late_uploads": uploads.filter(late=True).count(),
        "findings": found.count(),
        "findings_settled": settled,
        "sample_items": sample_items,
        "sample_ok": sample_ok,
        "decisions": decisions.count(),
        "published_on_time": on_time,
    }


def _within(period: str, start: dt.datetime, end: dt.datetime) -> bool:
    """Whether a sample's period lies inside [start, end) (a 2026-07 sample counts in 2026-Q3)."""
    first, last = period_bounds(period)
    return start <= first and last <= end


def evaluate(n: dict[str, int], weights: dict[str, int]) -> tuple[list[dict[str, Any]], str]:
    """Each indicator's row and the weighted total, scores as decimal strings with one place
    (weights of 不适用 indicators scaled away)."""
    rows = []
    scored = []
    for i in INDICATORS:
        measured = i.measure(n)
        rows.append(
            {
                "code": i.code,
                "title": i.title,
                "article": i.article,
                "weight": weights[i.code],
                "value": measured[0] if measured else "不适用",
                "score": f"{measured[1]:.1f}" if measured else None,
            }
        )
        if measured and weights[i.code]:
            scored.append((measured[1], weights[i.code]))
    total_weight = sum(w for _, w in scored)
    total = sum(s * w for s, w in scored) / total_weight if total_weight else 0.0
    return rows, f"{total:.1f}"


def report_table(report: EvaluationReport) -> tuple[str, list[list[Any]]]:
    """The report as a title and rows (header first): what the XLSX holds and what a PDF renderer
    (the documents app) lays out."""
    scope = report.unit.name if report.unit else "全局"
    title = (
        f"{report.agency.name}{period_label(report.period)}行政执法全过程记录评议考核（{scope}）"
    )
    rows: list[list[Any]] = [["指标", "依据", "权重", "实际", "得分"]]
    for r in report.indicators:
        score = float(r["score"]) if r["score"] is not None else "不适用"
        rows.append([r["title"], r["article"], r["weight"], r["value"], score])
    rows.append(["综合得分", "", 100, "", float(report.total)])
    return title, rows


def report_pdf(
    *, agency: Agency, unit: Unit | None, period: str, indicators: list[dict[str, Any]], total: str
) -> bytes:
    """The report as a sealed PDF/A (the documents app's face, PDF/A output and the agency's
    PAdES seal over the sign-off): what ``report_issue`` keeps as issued. Raises ``FontMissing``
    or ``SealError`` (nothing is issued)."""
    draft = EvaluationReport(agency=agency, unit=unit, period=period, indicators=indicators)
    draft.total = total
    title, rows = report_table(draft)
    document = layout(
        "oversight/pdf/report.html",
        {
            "title": title,
            "agency": agency.name,
            "period": period_label(period),
            "scope": unit.name if unit else "全局",
            "head": rows[0],
            "rows": rows[1:],
            "date": chinese_date(timezone.localdate()),
        },
    )
    page, seal_x, seal_y = seal_place(document)
    sealed, _ = apply_seal(
        pdf_a(document), agency=agency, page=page, x=seal_x, y=seal_y, reason="评议考核报告"
    )
    return sealed


def report_xlsx(report: EvaluationReport) -> bytes:
    """The report as an XLSX workbook: the indicators sheet and the numbers behind them."""
    from openpyxl import Workbook

    title, rows = report_table(report)
    book = Workbook()
    sheet = book.active
    sheet.title = "评议考核"
    sheet.append([title])
    sheet.append(
        [f"出具：{report.issued_by.name}，{timezone.localtime(report.issued_at):%Y-%m-%d %H:%M}"]
    )
    for row in rows:
        sheet.append(row)
    numbers_sheet = book.create_sheet("基础数据")
    numbers_sheet.append(["项目", "数量"])
    for key, value in report.numbers.items():
        numbers_sheet.append([key, value])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
