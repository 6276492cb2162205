# 第三十五条: 调用单, their items and decisions, redactions, packages and deliveries are never altered.
from django.db import migrations

from casetrail.lib.insert_only import InsertOnly


class Migration(migrations.Migration):
    dependencies = [("access", "0001_copy_requests_redactions_packages")]

    operations = [
        InsertOnly("access_copyrequest"),
        InsertOnly("access_copyitem"),
        InsertOnly("access_copydecision"),
        InsertOnly("access_redaction"),
        InsertOnly("access_copypackage"),
        InsertOnly("access_copyreceipt"),
    ]
