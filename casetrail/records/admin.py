from django.contrib import admin

from casetrail.lib.admin import ReadOnlyAdmin
from casetrail.records.models import Record


@admin.register(Record)
class RecordAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "case", "created_by", "created_at", "replaces"]
    exclude = ["fields"]  # may hold personal data; read it on the case page under its access rules
