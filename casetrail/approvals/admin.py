from django.contrib import admin

from casetrail.approvals.models import Chain, Step
from casetrail.lib.admin import ReadOnlyAdmin


@admin.register(Chain)
class ChainAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "case", "status", "created_at"]


@admin.register(Step)
class StepAdmin(ReadOnlyAdmin):
    list_display = ["id", "chain", "role", "officer", "outcome", "created_at"]
