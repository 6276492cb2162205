"""Index the entries' case column only where an entry names a case (issue 18 §2): every read of it
is ``case_ref = ?`` (the case page, the 案卷, the archive checks, the access index), which both
databases answer from a partial index ``WHERE case_ref IS NOT NULL``; an entry without a case
(sign-ins, officers, agencies, keys, the raw appends of the benchmark) no longer writes an index
page for its NULL. The new index is built before the old one is dropped, so the case page keeps
an index throughout; building it reads every entry once (see the README for the time at
4.66 M entries). Raw DROP INDEX, not AlterField: on SQLite AlterField rebuilds the insert-only
table (its triggers dropped, every row copied)."""

from django.db import migrations, models

OLD = "ledger_ledgerentry_case_ref_ecccd885"


class Migration(migrations.Migration):
    dependencies = [("ledger", "0007_drop_entry_subject_pattern_index")]

    operations = [
        migrations.AddIndex(
            model_name="ledgerentry",
            index=models.Index(
                condition=models.Q(("case_ref__isnull", False)),
                fields=["case_ref"],
                name="ledger_entry_case",
            ),
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {OLD}",
                    f'CREATE INDEX {OLD} ON ledger_ledgerentry ("case_ref")',
                )
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="ledgerentry",
                    name="case_ref",
                    field=models.PositiveBigIntegerField(blank=True, null=True),
                ),
            ],
        ),
    ]
