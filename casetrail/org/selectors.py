"""Reads of the organisation."""

from __future__ import annotations

from typing import Any

from casetrail.org.models import Officer, Role


def officer_for_user(user: Any) -> Officer | None:
    """The officer behind a login, cached on the user object for the request."""
    if user is None or not user.is_authenticated:
        return None
    if not hasattr(user, "_officer_cache"):
        user._officer_cache = (
            Officer.objects.select_related("agency", "unit")
            .prefetch_related("roles")
            .filter(user=user)
            .first()
        )
    return user._officer_cache


def officers_with_role(*, agency_id: int, role: str) -> list[Officer]:
    return list(
        Officer.objects.filter(agency_id=agency_id, roles__role=role)
        .select_related("unit")
        .order_by("name")
    )


def assignable_handlers(*, agency_id: int) -> list[Officer]:
    return officers_with_role(agency_id=agency_id, role=Role.HANDLER)
