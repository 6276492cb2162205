"""Background work of oversight: the periodic refresh of the findings."""

from __future__ import annotations

from django_tasks import task

from casetrail.oversight.refresh import step_all


@task()
def refresh_findings() -> int:
    """One bounded step of every agency's findings pass (``refresh.step``); while a pass is not
    done the task enqueues itself again, behind the jobs queued meanwhile (the minute jobs run
    between the steps of a long first pass). Returns how many findings were raised."""
    steps = step_all()
    if not all(s.done for s in steps):
        refresh_findings.enqueue()
    return sum(s.raised for s in steps)
