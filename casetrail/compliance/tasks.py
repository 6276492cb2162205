"""Background work of compliance: the daily deadline check."""

from __future__ import annotations

import logging

from django_tasks import task

from casetrail.compliance.deadlines import due_deadlines

log = logging.getLogger(__name__)


@task()
def check_deadlines() -> int:
    """Log every overdue deadline (the worklists show them live); returns how many are overdue."""
    rows = due_deadlines()
    for d in rows:
        if d.overdue:
            log.warning("overdue: %s %s: %s (%s)", d.case.label, d.case.title, d.title, d.basis)
    return sum(1 for d in rows if d.overdue)
