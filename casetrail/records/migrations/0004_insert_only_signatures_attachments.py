"""第三十五条: signatures and attachments are recorded facts, never updated or deleted."""

from django.db import migrations

from casetrail.lib.insert_only import InsertOnly


class Migration(migrations.Migration):
    dependencies = [("records", "0003_officers_signatures_attachments")]

    operations = [
        InsertOnly("records_recordsignature"),
        InsertOnly("records_recordattachment"),
    ]
