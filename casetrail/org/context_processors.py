"""Puts the logged-in user's officer (or None) into every template."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from casetrail.org.second_factor import may_use_totp
from casetrail.org.selectors import officer_for_user


def officer(request: HttpRequest) -> dict[str, object]:
    # htmx enhances the pages when `make` installed it from npm; without it every form still works.
    htmx = len(settings.STATICFILES_DIRS) > 1
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"me": None, "htmx_available": htmx}
    me = officer_for_user(user)
    return {
        "me": me,
        "htmx_available": htmx,
        "totp_offered": me is not None and may_use_totp(me),
    }
