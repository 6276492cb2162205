"""Drop the single-column ``ledger_id`` indexes of entries and nodes (issue 18): the unique
(ledger, seq) and (ledger, level, index) indexes start with the same column and serve every lookup
by log, and each extra index is one more page written on every append.

Raw SQL, not AlterField: on SQLite AlterField rebuilds the table, which would drop the insert-only
triggers and copy every row of the log. The index names are the ones Django gave them on both
databases."""

import django.db.models.deletion
from django.db import migrations, models

INDEXES = (
    ("ledger_ledgerentry", "ledger_ledgerentry_ledger_id_78b64a69"),
    ("ledger_ledgernode", "ledger_ledgernode_ledger_id_06bc82e3"),
)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0004_pinned_keys_and_cosignatures"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {name}",
                    f'CREATE INDEX {name} ON {table} ("ledger_id")',
                )
                for table, name in INDEXES
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="ledgerentry",
                    name="ledger",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="entries",
                        to="ledger.ledger",
                    ),
                ),
                migrations.AlterField(
                    model_name="ledgernode",
                    name="ledger",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="nodes",
                        to="ledger.ledger",
                    ),
                ),
            ],
        ),
    ]
