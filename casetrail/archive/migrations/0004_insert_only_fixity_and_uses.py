from django.db import migrations

from casetrail.lib.insert_only import InsertOnly


class Migration(migrations.Migration):
    dependencies = [("archive", "0003_fixity_checks_and_use_register")]

    operations = [
        InsertOnly("archive_fixitycheck"),
        InsertOnly("archive_use"),
        InsertOnly("archive_usereturn"),
    ]
