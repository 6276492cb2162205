"""Background upkeep of the installation: the planner statistics (``casetrail.lib.planner``)."""

from __future__ import annotations

import logging

from django_tasks import task

from casetrail.lib.planner import refresh_statistics

log = logging.getLogger(__name__)


@task()
def planner_statistics() -> float:
    """Refresh the database planner's statistics (SQLite: a bounded ANALYZE)."""
    seconds = refresh_statistics()
    log.info("planner statistics refreshed in %.3f s", seconds)
    return seconds
