"""Fresh planner statistics without an operator (issue 18).

Without statistics SQLite's planner picks poor plans on large tables: a handler's case list at 10^5
cases took 15.5 s before a manual ``ANALYZE`` and 26 ms after. ``refresh_statistics`` is run by the
scheduler (``ops``' periodic job, at start-up and then every CASETRAIL_ANALYZE_SECONDS) and after
bulk loads (`casetrail generate`).

- SQLite (3.40 here: no ``PRAGMA optimize=0x10000`` that would look at every table, and ``optimize``
  alone analyses only what its own connection queried): each table whose rows grew to more than
  twice what its statistics say (or that has rows and no statistics) is analysed, in full —
  ``ANALYZE <table>``. Sizes double between two analyses, so the total work stays linear in the
  data and most runs analyse nothing. A bounded ``PRAGMA analysis_limit`` is not used: its sampled
  row counts per key made the planner walk 10^4 cases to find 50 deadlines.
- PostgreSQL: autovacuum's analyze keeps the statistics (see the deployment notes); after a bulk
  load a plain ``ANALYZE`` makes them right at once instead of at autovacuum's next pass.
"""

from __future__ import annotations

import time

from django.db import connection

# A table is analysed again when it holds more than this many times the rows its statistics say.
GROWTH = 2


def stale_tables() -> list[str]:
    """SQLite tables whose statistics are missing or describe less than 1/GROWTH of their rows
    (rows estimated by the largest rowid: our tables are insert-mostly)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        have_stats = cursor.fetchone() is not None
        known: dict[str, int] = {}
        if have_stats:
            cursor.execute("SELECT tbl, stat FROM sqlite_stat1")
            for table, stat in cursor.fetchall():
                rows = int(str(stat).split(" ", 1)[0] or 0)
                known[table] = max(known.get(table, 0), rows)
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
        tables = [row[0] for row in cursor.fetchall()]
        stale = []
        for table in tables:
            try:
                cursor.execute(f"SELECT max(rowid) FROM {connection.ops.quote_name(table)}")
            except Exception:  # a WITHOUT ROWID table: leave it to a full ANALYZE
                continue
            rows = cursor.fetchone()[0] or 0
            if rows and rows > GROWTH * known.get(table, 0):
                stale.append(table)
    return stale


def refresh_statistics(*, after_bulk_load: bool = False) -> float:
    """Refresh the planner's statistics where they are stale; returns the seconds it took. On
    PostgreSQL only after a bulk load (autovacuum does the rest)."""
    started = time.monotonic()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            if after_bulk_load:
                cursor.execute("ANALYZE")
            else:
                for table in stale_tables():
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
            cursor.execute("PRAGMA optimize")
        elif after_bulk_load:
            cursor.execute("ANALYZE")
    return time.monotonic() - started
