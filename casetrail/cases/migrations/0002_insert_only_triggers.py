"""第三十五条: recorded facts are never updated or deleted; the database refuses it."""

from django.db import migrations

from casetrail.lib.insert_only import InsertOnly


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_cases_parties_stages")]

    operations = [
        InsertOnly("cases_caseofficer"),
        InsertOnly("cases_party"),
        InsertOnly("cases_stagechange"),
    ]
