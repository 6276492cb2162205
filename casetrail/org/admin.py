from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from rest_framework.authtoken.models import TokenProxy

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
    fk_name = "officer"
    fields = ["role", "granted_at", "granted_by", "revoked_at", "revoked_by"]
    extra = 0

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Officer)
class OfficerAdmin(ReadOnlyAdmin):
    # Officers change only through the ledgered actions of /org/officers/ (and the API), so even
    # here the admin only reads.
    list_display = ["name", "unit", "certificate_no", "certificate_valid_to", "deactivated_at"]
    inlines = [RoleInline]


@admin.register(Device)
class DeviceAdmin(ReadOnlyAdmin):
    # Devices are registered and reassigned through ledgered actions (the 设备 page), not here.
    list_display = ["serial", "kind", "model", "officer", "status", "agency"]
    list_filter = ["kind", "status"]


# API tokens are issued and revoked only by the ledgered token actions (/org/me/token/, the API,
# `casetrail token`); DRF's own admin would add and delete them unrecorded and show their keys.
admin.site.unregister(TokenProxy)

User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class LoginAdmin(UserAdmin):
    """Logins are created with their officer (officer_create) and switched off with them
    (officer_deactivate): the Django admin shows them and changes nothing — not even a password,
    which would let whoever holds the admin sign in as another officer (第六条)."""

    readonly_fields = [
        "username",
        "is_active",
        "is_staff",
        "is_superuser",
        "groups",
        "user_permissions",
        "last_login",
        "date_joined",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
