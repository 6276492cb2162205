"""The deadline calendar of a case: every registered deadline (``engine.deadline``; the rules
modules declare them beside their rules) computed from the case's records. Each names its basis;
due and overdue ones feed the worklists of the handlers and the supervisor, and
`casetrail check-deadlines`."""

from __future__ import annotations

from django.conf import settings

from casetrail.cases.models import Case, Stage
from casetrail.cases.selectors import visible_cases
from casetrail.compliance.engine import DEADLINES, CaseView, Deadline
from casetrail.org.models import Officer, Role

__all__ = ["Deadline", "deadlines_for", "deadlines_of", "due_deadlines"]


def deadlines_of(case: Case) -> list[Deadline]:
    """Every deadline of the case, earliest first."""
    view = CaseView(case)
    out = [d for rule in DEADLINES.values() for d in rule.compute(view)]
    return sorted(out, key=lambda d: d.due_at)


def _due(cases: object) -> list[Deadline]:
    hours = settings.CASETRAIL_DUE_SOON_HOURS
    rows = [
        d
        for case in cases  # type: ignore[attr-defined]
        for d in deadlines_of(case)
        if d.overdue or d.is_due_soon(hours)
    ]
    return sorted(rows, key=lambda d: d.due_at)


def deadlines_for(*, officer: Officer) -> list[Deadline]:
    """Due and overdue deadlines on the cases the officer handles (supervisors: the agency)."""
    cases = visible_cases(officer=officer).exclude(stage=Stage.ARCHIVED)
    if not officer.has_role(Role.SUPERVISOR):
        cases = cases.filter(assignments__officer=officer)
    return _due(cases.select_related("unit", "agency"))


def due_deadlines(*, agency_code: str | None = None) -> list[Deadline]:
    """Due and overdue deadlines of every case not archived (of one agency)."""
    cases = Case.objects.exclude(stage=Stage.ARCHIVED).select_related("agency", "unit")
    if agency_code:
        cases = cases.filter(agency__credit_code=agency_code)
    return _due(cases)
