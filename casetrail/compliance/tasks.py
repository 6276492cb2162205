"""Background work of compliance: the daily deadline check."""

from __future__ import annotations

import logging

from django.conf import settings
from django_tasks import task

from casetrail.cases.models import Case, Stage
from casetrail.compliance.deadlines import Deadline, deadlines_of

log = logging.getLogger(__name__)


def due_deadlines(*, agency_code: str | None = None) -> list[Deadline]:
    cases = Case.objects.exclude(stage=Stage.ARCHIVED).select_related("agency", "unit")
    if agency_code:
        cases = cases.filter(agency__credit_code=agency_code)
    hours = settings.CASETRAIL_DUE_SOON_HOURS
    rows = [d for c in cases for d in deadlines_of(c) if d.overdue or d.is_due_soon(hours)]
    return sorted(rows, key=lambda d: d.due_at)


@task()
def check_deadlines() -> int:
    """Log every overdue deadline (the worklists show them live); returns how many are overdue."""
    rows = due_deadlines()
    for d in rows:
        if d.overdue:
            log.warning("overdue: %s %s: %s (%s)", d.case.label, d.case.title, d.title, d.basis)
    return sum(1 for d in rows if d.overdue)
