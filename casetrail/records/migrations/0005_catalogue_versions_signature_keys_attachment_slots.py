"""Catalogue schema 2: each record keeps the entry version it was made with, each signature its
slot (key), each attachment its named slot. All three are nullable without a default, so SQLite
adds them in place (ALTER TABLE ADD COLUMN) and the insert-only triggers stay; NULL reads as the
old meaning (version 1, the role, the kind)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('records', '0004_insert_only_signatures_attachments'),
    ]

    operations = [
        migrations.AddField(
            model_name='record',
            name='catalogue_version',
            field=models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='文书目录版本'),
        ),
        migrations.AddField(
            model_name='recordattachment',
            name='slot',
            field=models.CharField(blank=True, max_length=40, null=True, verbose_name='附件项'),
        ),
        migrations.AddField(
            model_name='recordsignature',
            name='key',
            field=models.CharField(blank=True, max_length=40, null=True, verbose_name='签名项'),
        ),
    ]
