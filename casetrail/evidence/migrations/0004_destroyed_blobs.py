"""Destroyed bytes are a recorded fact: the blob row stays, a DestroyedBlob row (insert-only)
says its bytes were deleted by a lawful destruction."""

import django.db.models.deletion
from django.db import migrations, models

from casetrail.lib.insert_only import InsertOnly


class Migration(migrations.Migration):
    dependencies = [
        ("evidence", "0003_item_clock_time_corrections_and_reasons"),
        ("org", "0001_agencies_units_officers"),
    ]

    operations = [
        migrations.CreateModel(
            name="DestroyedBlob",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("sha256", models.CharField(max_length=64, unique=True, verbose_name="SHA-256")),
                ("sm3", models.CharField(max_length=64, verbose_name="SM3")),
                ("size", models.BigIntegerField(verbose_name="字节数")),
                ("destroyed_by", models.CharField(max_length=80, verbose_name="销毁依据")),
                ("at", models.DateTimeField(verbose_name="销毁时间")),
                (
                    "agency",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="org.agency",
                    ),
                ),
            ],
            options={
                "verbose_name": "已销毁的存储对象",
                "verbose_name_plural": "已销毁的存储对象",
            },
        ),
        InsertOnly("evidence_destroyedblob"),
    ]
