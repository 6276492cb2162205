"""The deadline calendar of a case: every registered deadline (``engine.deadline``; the rules
modules declare them beside their rules) computed from the case's records. Each names its basis.

``deadlines_of`` computes one case's calendar (the case page). The worklists of the handlers and the
supervisor, the findings and `casetrail check-deadlines` read the stored rows instead
(``CaseDeadline``, kept up to date after every action by ``casetrail.compliance.stored``): an
indexed query whatever the number of cases."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from casetrail.cases.models import Case, CaseOfficer
from casetrail.compliance.engine import DEADLINES, CaseView, Deadline
from casetrail.compliance.models import CaseDeadline
from casetrail.org.models import Officer, Role

__all__ = [
    "Deadline",
    "deadlines_for",
    "deadlines_of",
    "due_deadlines",
    "stored_due",
    "watched_for",
]


def deadlines_of(case: Case) -> list[Deadline]:
    """Every deadline of the case, earliest first."""
    view = CaseView(case)
    out = [d for rule in DEADLINES.values() for d in rule.compute(view)]
    return sorted(out, key=lambda d: d.due_at)


def as_deadline(row: CaseDeadline) -> Deadline:
    """A stored row as the Deadline the templates and the API read (its case already loaded)."""
    return Deadline(
        row.case,
        row.title,
        row.basis,
        row.due_at,
        done=row.done,
        info=row.info,
        rule=row.rule,
        estimated=row.estimated,
    )


def watched_for(*, officer: Officer) -> QuerySet[CaseDeadline]:
    """The watched deadlines (not done, not a date to know, case not archived) of the cases the
    officer handles — the supervisor's: the agency's — earliest first, cases loaded."""
    rows = CaseDeadline.objects.filter(agency_id=officer.agency_id, watched=True)
    if not officer.has_role(Role.SUPERVISOR):
        # Assigned cases are a subset of the visible ones: no need for the access filter here.
        rows = rows.filter(
            Exists(CaseOfficer.objects.filter(case_id=OuterRef("case_id"), officer=officer))
        )
    return rows.select_related("case", "case__unit", "case__agency").order_by("due_at", "id")


def stored_due(rows: QuerySet[CaseDeadline]) -> QuerySet[CaseDeadline]:
    """Of ``rows``, the overdue ones and those due within CASETRAIL_DUE_SOON_HOURS."""
    soon = timezone.now() + dt.timedelta(hours=settings.CASETRAIL_DUE_SOON_HOURS)
    return rows.filter(due_at__lte=soon)


def deadlines_for(*, officer: Officer, limit: int | None = None) -> list[Deadline]:
    """Due and overdue deadlines on the cases the officer handles (supervisors: the agency),
    earliest first (the first ``limit``)."""
    rows = stored_due(watched_for(officer=officer))
    return [as_deadline(r) for r in (rows[:limit] if limit is not None else rows)]


def due_deadlines(*, agency_code: str | None = None) -> list[Deadline]:
    """Due and overdue deadlines of every case not archived (of one agency)."""
    rows = CaseDeadline.objects.filter(watched=True)
    if agency_code:
        rows = rows.filter(agency__credit_code=agency_code)
    rows = stored_due(rows).select_related("case", "case__agency", "case__unit")
    return [as_deadline(r) for r in rows.order_by("due_at", "id")]
