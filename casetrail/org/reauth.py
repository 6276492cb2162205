"""Re-authentication for sensitive actions (issue 15): approving a decision, issuing a copy,
changing an account. A small mechanism any app applies:

- a view: decorate it with ``@recent_auth_required``; a POST whose session last gave the
  password more than ``CASETRAIL_REAUTH_MINUTES`` ago does nothing and is sent to
  ``/reauth/?next=<the form's page>`` (htmx: ``HX-Redirect``; under /api/: 403
  ``reauth_required`` with the page to go to); GETs are not guarded;
- an API view or an action's caller: ``require_recent_auth(request)`` raises ``ActionError``
  ``reauth_required`` (403), which the API answers as ``{code, message}``;
- a view that guards only some of its POSTs (approving, not returning): ``auth_is_recent`` then
  ``reauth_response(request)``.

Requests authenticated by an API token are not sessions: the token is the credential given for
that request, so they pass (tokens are issued only to their owner, casetrail.org.actions).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from casetrail.lib.errors import ActionError
from casetrail.org.login import AUTH_AT

F = TypeVar("F", bound=Callable[..., HttpResponse])


def auth_is_recent(request: Any) -> bool:
    """Whether the password was given within ``CASETRAIL_REAUTH_MINUTES`` in this session (a
    token-authenticated API request always is)."""
    if getattr(request, "auth", None) is not None:  # DRF: the token of this request
        return True
    session = getattr(request, "session", None)
    if session is None:
        return False
    given = float(session.get(AUTH_AT, 0))
    return timezone.now().timestamp() - given <= settings.CASETRAIL_REAUTH_MINUTES * 60


def reauth_url(next_path: str) -> str:
    return f"{reverse('reauth')}?{urlencode({'next': next_path})}"


MESSAGE = "这是敏感操作，请先再次输入密码确认身份"


def require_recent_auth(request: Any) -> None:
    """Raise 403 ``reauth_required`` unless the password was given recently."""
    if not auth_is_recent(request):
        raise ActionError("reauth_required", MESSAGE, status=403)


def reauth_response(request: HttpRequest) -> HttpResponse:
    """The answer to a sensitive POST without a recent password: to ``/reauth/`` and back to the
    page the form was on (the officer confirms, then submits again); JSON 403 under /api/."""
    back = request.headers.get("HX-Current-URL") or request.META.get("HTTP_REFERER") or ""
    target = reauth_url(back if back.startswith("/") else request.path)
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "reauth_required", "message": MESSAGE, "reauth": target}, status=403
        )
    response = redirect(target)
    response["HX-Redirect"] = target
    return response


def recent_auth_required(view: F) -> F:
    """A view decorator: the view runs only if the password was given recently."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        unsafe = request.method not in ("GET", "HEAD", "OPTIONS")
        if unsafe and request.user.is_authenticated and not auth_is_recent(request):
            return reauth_response(request)
        return view(request, *args, **kwargs)

    return wrapped  # type: ignore[return-value]
