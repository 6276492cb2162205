"""The compliance app's parts of a case (registered from ``ComplianceConfig.ready()``): the case
page's 本阶段还需 (with the exemption proposals waiting for approval), warnings, deadlines and the
approved exemptions; the overdue and due deadlines on the worklist and in ``/api/worklist/``."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from casetrail.approvals.selectors import load_chains
from casetrail.cases.hooks import CasePage, Glance, Panel, WorklistSection
from casetrail.compliance.deadlines import deadlines_of
from casetrail.compliance.engine import CaseView, checklist, warnings
from casetrail.compliance.models import CaseDeadline, CaseDeadlineDirty
from casetrail.compliance.selectors import pending_exemptions, subject_labels
from casetrail.compliance.stored import (
    as_deadline,
    deadlines_for,
    first_ids,
    shown,
    stored_due,
    watched_for,
)
from casetrail.lib import paging
from casetrail.lib.listing import id_link, minute
from casetrail.org.models import Officer, Role


def _view(page: CasePage) -> CaseView:
    # What the rules read of the case (records, chains, stage changes), loaded once a page view:
    # the checklist and the deadlines share it.
    if "case_view" not in page.memo:
        load_chains(page.case)  # the rules read case.chains (and their steps) several times
        page.memo["case_view"] = CaseView(page.case)
    view: CaseView = page.memo["case_view"]
    return view


def _checklist(page: CasePage) -> list[Any]:
    # One evaluation per page view: the 待办事项 section and the overview's line share it.
    if "checklist" not in page.memo:
        page.memo["checklist"] = checklist(page.case, _view(page)) if page.case.is_open else []
    items: list[Any] = page.memo["checklist"]
    return items


def _deadlines(page: CasePage) -> list[Any]:
    if "deadlines" not in page.memo:
        page.memo["deadlines"] = deadlines_of(page.case, _view(page))
    items: list[Any] = page.memo["deadlines"]
    return items


def _next_open(page: CasePage) -> Any:
    """The case's nearest deadline not yet met (dates to know left out). Read from the stored
    rows the actions keep (``CaseDeadline``: the registry's calendar as of the case's last
    action) unless the case is marked for recomputation or the page computed its calendar
    already — then from the live calendar. The overview needs one deadline, not the calendar
    (issue 18: computing it was a third of the case page's time)."""
    case = page.case
    if "deadlines" not in page.memo and not CaseDeadlineDirty.objects.filter(pk=case.pk).exists():
        row = (
            CaseDeadline.objects.filter(case_id=case.pk, done=False, info=False)
            .order_by("due_at", "id")
            .first()
        )
        if row is None:
            return None
        row.case = case
        return as_deadline(row)
    open_ = sorted(
        (d for d in _deadlines(page) if not d.done and not d.info), key=lambda d: d.due_at
    )
    return open_[0] if open_ else None


def panel(page: CasePage) -> dict[str, Any]:
    case = page.case
    pending = pending_exemptions(case)
    return {
        # Each unmet item with the exemption proposal waiting for approval, if one is.
        "checklist": [(f, pending.get((f.rule.id, f.missing.subject))) for f in _checklist(page)],
        "warnings": warnings(case, _view(page)),
        "exemptions": _exemptions(case),
        "may_record": page.is_assigned and case.is_open and case.stage != "start",
    }


def _exemptions(case: Any) -> list[tuple[Any, str]]:
    exemptions = list(case.exemptions.select_related("officer"))
    labels = subject_labels([(e.case_id, e.subject) for e in exemptions])
    return [(e, labels[(e.case_id, e.subject)]) for e in exemptions]


def deadlines_panel(page: CasePage) -> dict[str, Any] | None:
    deadlines = _deadlines(page)
    return {"deadlines": deadlines} if deadlines else None


def glance(page: CasePage) -> list[Glance]:
    """The overview's 本阶段还需 (unmet items, exempted ones left out) and 下一期限 (the nearest
    deadline not yet met, overdue ones first)."""
    case = page.case
    lines = []
    if case.is_open and case.stage != "start":
        unmet = [f for f in _checklist(page) if not f.exempted]
        todo = reverse("case-section", args=[case.pk, "todo"])
        if unmet:
            first = unmet[0].missing.message
            more = f"等 {len(unmet)} 项" if len(unmet) > 1 else ""
            lines.append(Glance(10, "本阶段还需", f"{first}{more}", todo, "warn"))
        else:
            lines.append(Glance(10, "本阶段还需", "本阶段要求均已满足", todo, "ok"))
    d = _next_open(page)
    if d is not None:
        tone = "bad" if d.overdue else "warn"
        text = f"{d.title}：{d.due_at:%Y-%m-%d}{'（已逾期）' if d.overdue else ''}"
        lines.append(
            Glance(20, "下一期限", text, reverse("case-section", args=[case.pk, "deadlines"]), tone)
        )
    return lines


# How many of each list the worklist shows (the most urgent first); the counts are of all. A
# supervisor of a large agency may have tens of thousands overdue: the page stays one screen.
WORKLIST_SHOWN = 20
# /api/worklist/ lists at most this many deadlines (earliest first).
WORKLIST_API_LIMIT = 500


def worklist(officer: Officer) -> dict[str, Any] | None:
    rows = stored_due(watched_for(officer=officer))
    now = timezone.now()
    # The ids of each list up to WORKLIST_COUNT_CAP + 1 (「超过 100」; the full count is on the
    # list behind the section's link): one index walk gives both the most urgent shown and the
    # total — for an officer on thousands of cases a walk of the agency's deadlines with an
    # EXISTS per row, so its length is the cost; the rows of both lists then come with their
    # cases in one query.
    cap = paging.WORKLIST_COUNT_CAP
    overdue = first_ids(rows.filter(due_at__lt=now), cap + 1)
    due = first_ids(rows.filter(due_at__gte=now), cap + 1)
    # A stored row's due time never changes (a changed deadline is a new row): the rows split
    # as their ids did.
    found = shown(overdue[:WORKLIST_SHOWN] + due[:WORKLIST_SHOWN])
    shown_overdue = [d for d in found if d.due_at < now]
    shown_due = [d for d in found if d.due_at >= now]
    if not shown_overdue and not shown_due:
        if not {Role.HANDLER, Role.SUPERVISOR} & officer.role_set:
            return None  # deadlines bear on handlers (and supervisors watch them)
    due_total, overdue_total = len(due), len(overdue)
    return {
        "due": shown_due,
        "overdue": shown_overdue,
        # Each card's link and time prepared once a page, not per card in the template.
        "due_rows": cards(shown_due),
        "overdue_rows": cards(shown_overdue),
        "due_total": due_total,
        "due_shown": paging.counted(due_total, cap),
        "overdue_total": overdue_total,
        "overdue_shown": paging.counted(overdue_total, cap),
    }


def cards(deadlines: list[Any]) -> list[tuple[Any, str, str]]:
    """Each deadline with its case's link and its time as shown (the worklist, the full list)."""
    link = id_link("case-detail")
    return [(d, link(d.case.pk), minute(d.due_at)) for d in deadlines]


def worklist_api(officer: Officer) -> list[dict[str, Any]]:
    return [
        {
            "case": d.case.pk,
            "rule": d.rule,
            "title": d.title,
            "basis": d.basis,
            "due_at": d.due_at,
            "overdue": d.overdue,
            "estimated": d.estimated,
        }
        for d in deadlines_for(officer=officer, limit=WORKLIST_API_LIMIT)
    ]


PANEL = Panel("compliance", 20, "compliance/_panel_compliance.html", panel, section="todo")
DEADLINES_PANEL = Panel(
    "deadlines", 20, "compliance/_panel_deadlines.html", deadlines_panel, section="deadlines"
)
DEADLINES = WorklistSection(
    "deadlines", 10, "compliance/_worklist_deadlines.html", worklist, worklist_api
)
