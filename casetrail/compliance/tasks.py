"""Background work of compliance: the daily deadline check, and the refresh of every case's stored
deadlines after the working-day calendar changed."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from casetrail.compliance.models import CaseDeadline
from casetrail.compliance.stored import refresh_all, refresh_marked

log = logging.getLogger(__name__)


@task()
def check_deadlines() -> int:
    """Note the deadlines that became overdue since the last check and log one summary line (the
    worklists show them live). It touches only the rows that changed state — an index range — so
    its cost, and that of `casetrail run`'s start-up which enqueues it, does not grow with the
    number of cases. Returns how many became overdue."""
    refresh_marked()
    now = timezone.now()
    watched = CaseDeadline.objects.filter(watched=True, due_at__lt=now)
    with transaction.atomic():
        newly = watched.filter(overdue_noted_at__isnull=True).update(overdue_noted_at=now)
    total = watched.count()
    if newly:
        log.warning("deadlines: %d newly overdue, %d overdue in all", newly, total)
    else:
        log.info("deadlines: none newly overdue, %d overdue in all", total)
    return newly


@task()
def refresh_marked_deadlines() -> int:
    """Recompute the deadlines of the cases actions marked since the last run."""
    return refresh_marked()


@task()
def refresh_deadlines() -> int:
    """Recompute every case's stored deadlines (a holiday schedule changed the calendar)."""
    cases, added, removed = refresh_all()
    log.info("deadlines refreshed: %d cases, %d rows added, %d removed", cases, added, removed)
    return cases
