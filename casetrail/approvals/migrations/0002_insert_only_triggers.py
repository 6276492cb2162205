"""第三十五条: recorded facts are never updated or deleted; the database refuses it."""

from django.db import migrations

from casetrail.lib.insert_only import InsertOnly


class Migration(migrations.Migration):
    dependencies = [("approvals", "0001_chains_and_steps")]

    operations = [
        InsertOnly("approvals_step"),
    ]
