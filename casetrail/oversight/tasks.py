"""Background work of oversight: the periodic refresh of the findings."""

from __future__ import annotations

from django_tasks import task

from casetrail.oversight.refresh import refresh_all


@task()
def refresh_findings() -> int:
    """Raise every agency's new findings; returns how many were raised."""
    return sum(r.raised for r in refresh_all())
