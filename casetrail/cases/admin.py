from django.contrib import admin

from casetrail.cases.models import Case, CaseOfficer, Party, StageChange
from casetrail.lib.admin import ReadOnlyAdmin


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "stage", "start_mode", "start_status", "agency"]
    list_filter = ["stage", "start_mode"]


admin.site.register(CaseOfficer, ReadOnlyAdmin)
admin.site.register(StageChange, ReadOnlyAdmin)


@admin.register(Party)
class PartyAdmin(ReadOnlyAdmin):
    # Personal data stays out of the admin list: administrators manage accounts, not cases.
    list_display = ["name", "role", "kind", "case"]
    exclude = ["id_number", "phone", "address"]
