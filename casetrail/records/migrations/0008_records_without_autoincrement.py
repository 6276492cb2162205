"""SQLite only: records, their signatures and attachments give ids as plain rowids, without
AUTOINCREMENT (issue 18 §2): with the ledger's entries and nodes (ledger 0006), an action that
writes a record no longer writes the sqlite_sequence page at its commit. Insert-only tables never
delete a row, so the ids are the same; only the CREATE TABLE text changes (constant time, the
triggers stay). Nothing on PostgreSQL."""

from django.db import migrations

from casetrail.lib.insert_only import WithoutAutoincrement


class Migration(migrations.Migration):
    dependencies = [("records", "0007_drop_redundant_record_indexes")]

    operations = [
        WithoutAutoincrement("records_record"),
        WithoutAutoincrement("records_recordsignature"),
        WithoutAutoincrement("records_recordattachment"),
    ]
