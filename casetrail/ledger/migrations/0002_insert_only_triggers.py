"""第三十五条: recorded facts are never updated or deleted; the database refuses it."""

from django.db import migrations

from casetrail.lib.insert_only import InsertOnly


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_ledger_entries_nodes_checkpoints")]

    operations = [
        InsertOnly("ledger_ledgerentry"),
        InsertOnly("ledger_ledgernode"),
        InsertOnly("ledger_checkpoint"),
    ]
