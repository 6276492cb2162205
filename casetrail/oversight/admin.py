"""Findings are shown read-only: they change only through the supervisor's ledgered actions."""

from django.contrib import admin

from casetrail.lib.admin import ReadOnlyAdmin
from casetrail.oversight.models import Finding, FindingStep


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdmin):
    list_display = ["raised_at", "agency", "kind", "subject", "state"]
    list_filter = ["kind", "state", "item"]


@admin.register(FindingStep)
class FindingStepAdmin(ReadOnlyAdmin):
    list_display = ["at", "finding", "state", "officer"]
