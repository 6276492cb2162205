"""第三十五条: an exemption, once recorded, is never updated or deleted."""

from django.db import migrations

from casetrail.lib.insert_only import InsertOnly


class Migration(migrations.Migration):
    dependencies = [("compliance", "0001_exemptions")]

    operations = [InsertOnly("compliance_exemption")]
