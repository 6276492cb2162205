"""One statement of an action's hot path on the database driver's own cursor (issue 18 §2).

Django runs every statement through its cursor wrapper: a new wrapper object, the thread check,
the execute wrappers, the error translation, and on SQLite a regular expression turning ``%s``
into ``?`` on every call. Profiled over 1,000 appends that was a third of the append's own
Python. ``execute`` runs the statement on the driver's cursor of the same connection, so in the
same transaction and the same connection state — with Django's error translation kept (an insert-only trigger's refusal is
still ``django.db.IntegrityError``) and the SQLite placeholders converted once per statement.

Only when nothing watches Django's cursor: under an execute wrapper (the test suite's write
guard, a query counter) or with queries logged (``DEBUG``, ``assertNumQueries``) the statement
goes through Django's cursor as before, so every guard and count still sees it.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections


@functools.cache
def _qmark(sql: str) -> str:
    # The conversion Django's SQLiteCursorWrapper does on every call (FORMAT_QMARK_REGEX).
    from django.db.backends.sqlite3.base import FORMAT_QMARK_REGEX

    return FORMAT_QMARK_REGEX.sub("?", sql).replace("%%", "%")


def execute(sql: str, params: Sequence[Any]) -> Any:
    """Run ``sql`` (``%s`` placeholders) with ``params`` on the default connection, in its running
    transaction if any; the cursor, to fetch from (``fetchone``, ``fetchall``, ``lastrowid``)."""
    conn = connections[DEFAULT_DB_ALIAS]  # once: each attribute of the proxy is a lookup
    if conn.execute_wrappers or conn.queries_logged:
        cursor = conn.cursor()
        cursor.execute(sql, params)
        return cursor
    if conn.vendor == "sqlite":
        sql = _qmark(sql)
    if conn.connection is None:
        conn.ensure_connection()
    # What Django's cursor checks before each statement: none runs in a transaction an earlier
    # error broke (on SQLite the database itself would run it).
    conn.validate_no_broken_transaction()
    with conn.wrap_database_errors:
        cursor = conn.connection.cursor()
        cursor.execute(sql, params)
    return cursor
