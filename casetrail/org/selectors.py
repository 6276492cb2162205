"""Reads of the organisation."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

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


def officer_for_request(user: Any) -> Officer:
    """The officer behind a logged-in request; a login without one (e.g. a bare Django user)
    may use nothing of CaseTrail."""
    officer = officer_for_user(user)
    if officer is None:
        raise PermissionDenied("该账号未登记为本系统的工作人员，请联系系统管理员")
    return officer
