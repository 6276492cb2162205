"""Background work of the archive: the daily share of the scheduled fixity cycle."""

from __future__ import annotations

from django_tasks import task

from casetrail.archive import fixity


@task()
def archive_fixity() -> int:
    return len(fixity.run())
