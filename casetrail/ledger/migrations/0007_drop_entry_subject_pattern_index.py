"""PostgreSQL only: drop the ``varchar_pattern_ops`` copy of the entries' subject index (issue 18
§2). Django adds it beside every indexed CharField for LIKE 'prefix%' lookups; entries are looked up
by subject only with ``=`` (the plain subject index serves that), so it was one more index written
by every append and read by nothing. SQLite has no such index. Dropping an index is quick at any
size; the reverse builds it again (a scan of the entries)."""

from django.db import migrations

NAME = "ledger_ledgerentry_subject_4f28d290_like"


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {NAME} ON ledger_ledgerentry ("subject" varchar_pattern_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [("ledger", "0006_entries_nodes_without_autoincrement")]

    operations = [migrations.RunPython(drop, create, elidable=False)]
