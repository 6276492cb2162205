"""Drop two single-column indexes of records that others cover (issue 18): ``case_id`` (the
(case, kind) index starts with it) and ``replaces_id`` (the partial unique index
record_replaced_once serves every ``replaces_id = ?`` lookup, on SQLite and PostgreSQL alike).
Each was one more page written by every record. Raw SQL, not AlterField: on SQLite AlterField
rebuilds the insert-only table (its triggers dropped, every row copied). The index names are the
ones Django gave them on both databases."""

import django.db.models.deletion
from django.db import migrations, models

INDEXES = (
    ("records_record_case_id_117e73a5", "case_id"),
    ("records_record_replaces_id_e59b465f", "replaces_id"),
)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0002_insert_only_triggers"),
        ("records", "0006_each_record_corrected_once"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {name}",
                    f'CREATE INDEX {name} ON records_record ("{column}")',
                )
                for name, column in INDEXES
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
                ),
                migrations.AlterField(
                    model_name="record",
                    name="replaces",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="replaced_by",
                        to="records.record",
                    ),
                ),
            ],
        ),
    ]
