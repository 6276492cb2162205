"""Database triggers that make a table insert-only, on SQLite and PostgreSQL.

第三十五条 forbids deleting or altering a record. The application never updates these tables; the
triggers make the database itself refuse UPDATE, DELETE (and TRUNCATE on PostgreSQL), so a bug or a
hand-typed statement cannot silently change history. Use ``InsertOnly("app_table")`` as a migration
operation right after the table is created.

SQLite caveat: Django rebuilds a table (copy, drop, rename) for most ALTERs — a NOT NULL column, a
default, a changed type — and the rebuild loses its triggers. Add columns to these tables as
nullable without a default (ALTER TABLE ADD COLUMN), or re-apply InsertOnly after the change;
`records/tests/test_insert_only.py` fails if any insert-only table lost its triggers.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

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
        vendor = schema_editor.connection.vendor
        statements = _sqlite_sql(self.table) if vendor == "sqlite" else _pg_sql(self.table)
        for sql in statements:
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
