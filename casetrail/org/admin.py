from django.contrib import admin

from casetrail.lib.admin import ReadOnlyAdmin
from casetrail.org.models import Agency, Device, Officer, OfficerRole, Unit


@admin.register(Agency)
class AgencyAdmin(ReadOnlyAdmin):
    list_display = ["name", "credit_code", "case_number_pattern"]


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "agency"]


class RoleInline(admin.TabularInline):
    model = OfficerRole
    extra = 0

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Officer)
class OfficerAdmin(ReadOnlyAdmin):
    # Accounts are created through actions (ledgered), so even here the admin only reads.
    list_display = ["name", "unit", "certificate_no", "certificate_valid_to"]
    inlines = [RoleInline]


@admin.register(Device)
class DeviceAdmin(ReadOnlyAdmin):
    # Devices are registered and reassigned through ledgered actions (the 设备 page), not here.
    list_display = ["serial", "kind", "model", "officer", "status", "agency"]
    list_filter = ["kind", "status"]
