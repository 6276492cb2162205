from django.contrib import admin

from casetrail.ledger.models import Ledger, LedgerEntry
from casetrail.lib.admin import ReadOnlyAdmin


@admin.register(Ledger)
class LedgerAdmin(ReadOnlyAdmin):
    list_display = ["agency", "size", "created_at"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["seq", "action", "subject", "time"]
    exclude = ["canonical"]
