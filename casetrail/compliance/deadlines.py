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
    "loaded",
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


def loaded(rows: QuerySet[CaseDeadline], limit: int) -> list[CaseDeadline]:
    """The first ``limit`` of ``rows`` (earliest first) with their cases: the ids are read from
    the deadlines' own index first, so the planner never starts from the joined tables (at 10^4
    cases it walked every case of the agency to find 50 deadlines)."""
    chosen = list(rows.order_by("due_at", "id").values_list("pk", flat=True)[:limit])
    found = CaseDeadline.objects.filter(pk__in=chosen).select_related(
        "case", "case__unit", "case__agency"
    )
    return sorted(found, key=lambda r: (r.due_at, r.pk))


def watched_for(*, officer: Officer) -> QuerySet[CaseDeadline]:
    """The watched deadlines (not done, not a date to know, case not archived) of the cases the
    officer handles — the supervisor's: the agency's — earliest first, cases loaded."""
    rows = CaseDeadline.objects.filter(agency_id=officer.agency_id, watched=True)
    if not officer.has_role(Role.SUPERVISOR):
        # Assigned cases are a subset of the visible ones: no need for the access filter here.
        rows = rows.filter(
            Exists(CaseOfficer.objects.filter(case_id=OuterRef("case_id"), officer=officer))
        )
    return rows.order_by("due_at", "id")


def stored_due(rows: QuerySet[CaseDeadline]) -> QuerySet[CaseDeadline]:
    """Of ``rows``, the overdue ones and those due within CASETRAIL_DUE_SOON_HOURS."""
    soon = timezone.now() + dt.timedelta(hours=settings.CASETRAIL_DUE_SOON_HOURS)
    return rows.filter(due_at__lte=soon)


def deadlines_for(*, officer: Officer, limit: int = 500) -> list[Deadline]:
    """Due and overdue deadlines on the cases the officer handles (supervisors: the agency),
    earliest first (the first ``limit``)."""
    return [as_deadline(r) for r in loaded(stored_due(watched_for(officer=officer)), limit)]


def due_deadlines(*, agency_code: str | None = None) -> list[Deadline]:
    """Due and overdue deadlines of every case not archived (of one agency)."""
    rows = CaseDeadline.objects.filter(watched=True)
    if agency_code:
        rows = rows.filter(agency__credit_code=agency_code)
    rows = stored_due(rows).select_related("case", "case__agency", "case__unit")
    return [as_deadline(r) for r in rows.order_by("due_at", "id").iterator(chunk_size=2000)]
