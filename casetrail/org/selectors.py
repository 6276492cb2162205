"""Reads of the organisation."""

from __future__ import annotations

from typing import Any

from casetrail.org.models import Officer


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
