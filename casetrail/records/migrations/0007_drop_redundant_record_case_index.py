"""Drop the single-column ``case_id`` index of records (issue 18): the (case, kind) index starts
with the same column and serves every lookup by case; each extra index is one more page written by
every record. Raw SQL, not AlterField: on SQLite AlterField rebuilds the insert-only table (its
triggers dropped, every row copied). The index name is the one Django gave it on both databases."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_insert_only_triggers"),
        ("records", "0006_each_record_corrected_once"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    "DROP INDEX IF EXISTS records_record_case_id_117e73a5",
                    'CREATE INDEX records_record_case_id_117e73a5 ON records_record ("case_id")',
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="record",
                    name="case",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="records",
                        to="cases.case",
                    ),
                )
            ],
        ),
    ]
