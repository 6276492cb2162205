# 第三十五条: issued documents, their withdrawals and the 文号 patterns set are never altered.
from django.db import migrations

from casetrail.lib.insert_only import InsertOnly


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_issued_documents_and_number_register")]

    operations = [
        InsertOnly("documents_issueddocument"),
        InsertOnly("documents_withdrawal"),
        InsertOnly("documents_numberpattern"),
    ]
