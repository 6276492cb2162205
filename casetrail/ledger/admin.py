from django.contrib import admin

from casetrail.ledger.models import Cosignature, Ledger, LedgerEntry, LedgerKey
from casetrail.lib.admin import ReadOnlyAdmin


@admin.register(Ledger)
class LedgerAdmin(ReadOnlyAdmin):
    list_display = ["agency", "size", "created_at"]


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = ["seq", "action", "subject", "time"]
    exclude = ["canonical"]


@admin.register(LedgerKey)
class LedgerKeyAdmin(ReadOnlyAdmin):
    list_display = ["ledger", "key_id", "pinned_at", "replaces"]


@admin.register(Cosignature)
class CosignatureAdmin(ReadOnlyAdmin):
    list_display = ["checkpoint", "witness", "key_id", "signed_at", "received_at"]
