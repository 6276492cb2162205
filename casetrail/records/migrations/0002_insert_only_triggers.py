"""第三十五条: recorded facts are never updated or deleted; the database refuses it."""

from django.db import migrations

from casetrail.lib.insert_only import InsertOnly


class Migration(migrations.Migration):
    dependencies = [("records", "0001_records")]

    operations = [
        InsertOnly("records_record"),
    ]
