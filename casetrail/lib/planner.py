"""Fresh planner statistics without an operator (issue 18).

Without statistics SQLite's planner picks poor plans on large tables: a handler's case list at 10^5
cases took 15.5 s before a manual ``ANALYZE`` and 26 ms after. ``refresh_statistics`` is run by the
scheduler (``ops``' periodic job, at start-up and then every CASETRAIL_ANALYZE_SECONDS) and after
bulk loads (`casetrail generate`).

- SQLite (3.40 here, so no ``PRAGMA optimize=0x10000`` that would look at every table):
  ``ANALYZE`` under ``PRAGMA analysis_limit``, which samples at most that many rows per index, so it
  costs milliseconds whatever the size while giving the planner the row counts and selectivities
  it lacks.
- PostgreSQL: autovacuum's analyze keeps the statistics (see the deployment notes); after a bulk
  load a plain ``ANALYZE`` makes them right at once instead of at autovacuum's next pass.
"""

from __future__ import annotations

import time

from django.db import connection

# Rows sampled per index by SQLite's ANALYZE: what SQLite's own documentation suggests (100–1000)
# for a bounded ANALYZE.
ANALYSIS_LIMIT = 1000


def refresh_statistics(*, after_bulk_load: bool = False) -> float:
    """Refresh the planner's statistics; returns the seconds it took. On PostgreSQL only after a
    bulk load (autovacuum does the rest)."""
    started = time.monotonic()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
            cursor.execute("ANALYZE")
            cursor.execute("PRAGMA optimize")
        elif after_bulk_load:
            cursor.execute("ANALYZE")
    return time.monotonic() - started
