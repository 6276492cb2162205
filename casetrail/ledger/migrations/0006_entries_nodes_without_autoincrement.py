"""SQLite only: entries and nodes give ids as plain rowids, without AUTOINCREMENT (issue 18 §2).

Every append wrote the sqlite_sequence page besides its rows: one WAL frame more per commit. Both
tables are insert-only (their triggers refuse DELETE), so max(id) + 1 never gives an id twice,
which is all AUTOINCREMENT adds. Only the CREATE TABLE text changes (``WithoutAutoincrement``):
constant time on a log of any size, no rebuild, the triggers stay. Nothing on PostgreSQL."""

from django.db import migrations

from casetrail.lib.insert_only import WithoutAutoincrement


class Migration(migrations.Migration):
    dependencies = [("ledger", "0005_drop_redundant_ledger_indexes")]

    operations = [
        WithoutAutoincrement("ledger_ledgerentry"),
        WithoutAutoincrement("ledger_ledgernode"),
    ]
