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
