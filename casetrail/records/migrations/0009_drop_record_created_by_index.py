"""Drop the index of records by the officer who made them (issue 18 §2): nothing reads records by
``created_by`` (the column is only followed from a record to its officer, by primary key), and
officers are never deleted, so the index was one more page written by every record and read by
nothing. Quick at any size. Raw SQL, not AlterField: on SQLite AlterField rebuilds the insert-only
table (its triggers dropped, every row copied). The name is the one Django gave it on both
databases."""

import django.db.models.deletion
from django.db import migrations, models

NAME = "records_record_created_by_id_eb667406"


class Migration(migrations.Migration):
    dependencies = [
        ("records", "0008_records_without_autoincrement"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {NAME}",
                    f'CREATE INDEX {NAME} ON records_record ("created_by_id")',
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="record",
                    name="created_by",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.officer",
                    ),
                ),
            ],
        ),
    ]
