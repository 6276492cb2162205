"""Planner statistics kept fresh by the scheduler (issue 18)."""

from __future__ import annotations

from django.db import connection

from casetrail.lib.periodic import JOBS
from casetrail.ops.tasks import planner_statistics


def test_it_registers_a_periodic_job(settings):
    job = JOBS["planner-statistics"]
    assert job.every is not None and job.every() == settings.CASETRAIL_ANALYZE_SECONDS


def test_it_leaves_sqlite_with_statistics(personas):
    assert planner_statistics.call() >= 0
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'org_officer'")
            assert cursor.fetchone()[0] >= 1


def test_it_analyses_only_tables_that_grew(personas):
    from casetrail.lib.planner import refresh_statistics, stale_tables

    if connection.vendor != "sqlite":
        return  # PostgreSQL: autovacuum's analyze
    refresh_statistics()
    assert "org_officer" not in stale_tables()  # just analysed
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'org_officer'")
    assert "org_officer" in stale_tables()  # rows and no statistics
    refresh_statistics()
    assert "org_officer" not in stale_tables()
