"""Database triggers that make a table insert-only, on SQLite and PostgreSQL.

第三十五条 forbids deleting or altering a record. The application never updates these tables; the
triggers make the database itself refuse UPDATE, DELETE (and TRUNCATE on PostgreSQL), so a bug or a
hand-typed statement cannot silently change history. Use ``InsertOnly("app_table")`` as a migration
operation right after the table is created.

SQLite caveat: Django rebuilds a table (copy, drop, rename) for most ALTERs — a NOT NULL column, a
default, a changed type — and the rebuild loses its triggers. Add columns to these tables as
nullable without a default (ALTER TABLE ADD COLUMN), or re-apply InsertOnly in the same migration
after the change. A lost trigger is found three ways: the system check `casetrail check` (and so
start-up and `migrate`), `casetrail verify`, and `records/tests/test_insert_only.py`.
"""

from __future__ import annotations

from typing import Any

from django.core import checks
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, migrations
from django.db.migrations.loader import MigrationLoader

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION casetrail_insert_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = 'casetrail: ' || TG_TABLE_NAME || ' is insert-only (第三十五条): ' || TG_OP
            || ' refused',
        ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
"""


def _sqlite_sql(table: str) -> list[str]:
    return [
        f'CREATE TRIGGER "{table}_no_update" BEFORE UPDATE ON "{table}" '
        f"BEGIN SELECT RAISE(ABORT, 'casetrail: {table} is insert-only (第三十五条): UPDATE refused'); END",
        f'CREATE TRIGGER "{table}_no_delete" BEFORE DELETE ON "{table}" '
        f"BEGIN SELECT RAISE(ABORT, 'casetrail: {table} is insert-only (第三十五条): DELETE refused'); END",
    ]


def _pg_sql(table: str) -> list[str]:
    return [
        PG_FUNCTION,
        f'CREATE TRIGGER "{table}_insert_only" BEFORE UPDATE OR DELETE ON "{table}" '
        f"FOR EACH ROW EXECUTE FUNCTION casetrail_insert_only()",
        f'CREATE TRIGGER "{table}_no_truncate" BEFORE TRUNCATE ON "{table}" '
        f"FOR EACH STATEMENT EXECUTE FUNCTION casetrail_insert_only()",
    ]


def install_sql(vendor: str, table: str) -> list[str]:
    """The statements that make ``table`` insert-only on this database vendor."""
    return _sqlite_sql(table) if vendor == "sqlite" else _pg_sql(table)


def _drop_sql(vendor: str, table: str) -> list[str]:
    if vendor == "sqlite":
        return [
            f'DROP TRIGGER IF EXISTS "{table}_no_update"',
            f'DROP TRIGGER IF EXISTS "{table}_no_delete"',
        ]
    return [
        f'DROP TRIGGER IF EXISTS "{table}_insert_only" ON "{table}"',
        f'DROP TRIGGER IF EXISTS "{table}_no_truncate" ON "{table}"',
    ]


class InsertOnly(migrations.operations.base.Operation):
    """Migration operation installing the insert-only triggers on one table."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, table: str) -> None:
        self.table = table

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        for sql in install_sql(schema_editor.connection.vendor, self.table):
            schema_editor.execute(sql)

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        for sql in _drop_sql(schema_editor.connection.vendor, self.table):
            schema_editor.execute(sql)

    def describe(self) -> str:
        return f"Make {self.table} insert-only"

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return ("casetrail.lib.insert_only.InsertOnly", [self.table], {})


def trigger_names(vendor: str, table: str) -> set[str]:
    """The triggers ``InsertOnly(table)`` installs on this database vendor."""
    if vendor == "sqlite":
        return {f"{table}_no_update", f"{table}_no_delete"}
    return {f"{table}_insert_only", f"{table}_no_truncate"}


def insert_only_tables(connection: Any) -> list[str]:
    """Every table an applied migration made insert-only (read from the migrations themselves,
    so a new InsertOnly operation is covered without another list to keep)."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    tables: set[str] = set()
    for key, migration in loader.disk_migrations.items():
        if key in loader.applied_migrations:
            tables.update(op.table for op in migration.operations if isinstance(op, InsertOnly))
    return sorted(tables)


def _installed_triggers(connection: Any, table: str) -> set[str]:
    """The triggers of ``table`` that are as InsertOnly made them and in force: on SQLite with
    exactly the statement it ran (a same-named trigger that does nothing does not count), on
    PostgreSQL enabled (ALTER TABLE … DISABLE TRIGGER does not count)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [table],
            )
            expected = {" ".join(sql.split()) for sql in _sqlite_sql(table)}
            return {name for name, sql in cursor.fetchall() if " ".join(sql.split()) in expected}
        cursor.execute(
            "SELECT t.tgname FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid "
            "WHERE t.tgrelid = %s::regclass AND NOT t.tgisinternal "
            "AND t.tgenabled IN ('O', 'A') AND p.proname = 'casetrail_insert_only' "
            "AND p.prosrc LIKE '%%RAISE EXCEPTION%%'",
            [table],
        )
        return {row[0] for row in cursor.fetchall()}


def missing_triggers(connection: Any) -> list[str]:
    """One line per insert-only table that lost a trigger (e.g. rebuilt by a later SQLite
    migration): the table is then writable behind the application (第三十五条)."""
    out = []
    for table in insert_only_tables(connection):
        lost = trigger_names(connection.vendor, table) - _installed_triggers(connection, table)
        if lost:
            out.append(
                f"{table}: insert-only trigger(s) missing or altered: {', '.join(sorted(lost))}"
            )
    return out


def check_insert_only(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """System check (`casetrail check`, start-up): every insert-only table keeps its triggers."""
    try:
        lost = missing_triggers(connections[DEFAULT_DB_ALIAS])
    except DatabaseError:
        return []  # no database yet: `migrate` creates it with its triggers
    return [
        checks.Error(
            line,
            hint="第三十五条：记录不得修改或删除。请编写重新执行 InsertOnly 的迁移，"
            "然后运行 casetrail migrate --skip-checks，并运行 casetrail verify 核验",
            id="casetrail.E001",
        )
        for line in lost
    ]


# --- insert-only tables without SQLite's AUTOINCREMENT (issue 18 §2) -------------------------
# Django declares every SQLite id column AUTOINCREMENT, so each insert also rewrites the
# sqlite_sequence table: one more page in the WAL at every commit, and the commit's fsync grows with
# the pages it writes. AUTOINCREMENT only promises that the id of a deleted row is never given again;
# an insert-only table never deletes (its triggers refuse it), so max(id) + 1 — SQLite's plain rowid
# — gives exactly the same ids. The table's stored form is the same with or without the keyword, so
# only the CREATE TABLE text in sqlite_schema changes (SQLite's documented procedure for schema
# changes that leave the stored content as it is: lang_altertable.html#otheralter): no copy, no
# rebuild, the triggers stay — a constant-time migration whatever the table holds.

_AUTOINCREMENT = '"id" integer NOT NULL PRIMARY KEY AUTOINCREMENT'
_PLAIN = '"id" integer NOT NULL PRIMARY KEY'


def _edit_schema(connection: Any, table: str, old: str, new: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = %s", [table])
        row = cursor.fetchone()
        if row is None:
            raise RuntimeError(f"{table}: no such table")
        sql = row[0]
        if new in sql and old not in sql:
            return  # already so (a table made without the keyword)
        if sql.count(old) != 1:
            raise RuntimeError(f"{table}: unexpected id column in {sql!r}")
        cursor.execute("PRAGMA schema_version")
        version = cursor.fetchone()[0]
        cursor.execute("PRAGMA writable_schema = ON")
        try:
            cursor.execute(
                "UPDATE sqlite_schema SET sql = %s WHERE type = 'table' AND name = %s",
                [sql.replace(old, new), table],
            )
            # Every connection, this one included, reads the schema again before its next statement.
            cursor.execute(f"PRAGMA schema_version = {int(version) + 1}")
        finally:
            cursor.execute("PRAGMA writable_schema = OFF")


class WithoutAutoincrement(migrations.operations.base.Operation):
    """On SQLite, drop AUTOINCREMENT from the id of an insert-only table (see above); nothing on
    PostgreSQL (a sequence is not written per row). Reversible."""

    reversible = True
    reduces_to_sql = False

    def __init__(self, table: str) -> None:
        self.table = table

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def database_forwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        connection = schema_editor.connection
        if connection.vendor != "sqlite":
            return
        _edit_schema(connection, self.table, _AUTOINCREMENT, _PLAIN)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM sqlite_sequence WHERE name = %s", [self.table])

    def database_backwards(
        self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any
    ) -> None:
        connection = schema_editor.connection
        if connection.vendor != "sqlite":
            return
        _edit_schema(connection, self.table, _PLAIN, _AUTOINCREMENT)
        with connection.cursor() as cursor:
            # The counter AUTOINCREMENT would hold: the largest id given so far.
            cursor.execute(
                f'INSERT INTO sqlite_sequence (name, seq) SELECT %s, coalesce(max(id), 0) FROM "{self.table}"',
                [self.table],
            )

    def describe(self) -> str:
        return f"Drop SQLite's AUTOINCREMENT from insert-only {self.table}"

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return ("casetrail.lib.insert_only.WithoutAutoincrement", [self.table], {})


def declares_autoincrement(connection: Any, table: str) -> bool:
    """Whether ``table`` declares AUTOINCREMENT on SQLite (a later rebuild of the table by Django
    would put it back); always False on PostgreSQL."""
    if connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = %s", [table])
        row = cursor.fetchone()
    return row is not None and "AUTOINCREMENT" in row[0]
