"""第三十五条: stored blobs, audio/video records, their case links and the access log are never
updated or deleted; the database refuses it."""

from django.db import migrations

from casetrail.lib.insert_only import InsertOnly


class Migration(migrations.Migration):
    dependencies = [("evidence", "0001_blobs_items_uploads")]

    operations = [
        InsertOnly("evidence_blob"),
        InsertOnly("evidence_item"),
        InsertOnly("evidence_itemlink"),
        InsertOnly("evidence_accesslog"),
    ]
