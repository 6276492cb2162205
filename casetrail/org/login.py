"""Logins (issue 15): every success, failure and lockout is ledgered for the officer's agency
(等保 2.0, GB/T 22239-2019 安全审计), a locked-out login is told in Chinese how long to wait, and the
session remembers when the password was last given (casetrail.org.sessions, casetrail.org.reauth).

The receivers below are connected in ``OrgConfig.ready()``; they record what happened and decide
nothing: django-axes decides lockouts, Django's backends decide passwords.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Max, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from casetrail.org import actions
from casetrail.org.models import Agency, LoginState, Officer
from casetrail.org.second_factor import OTP_PENDING, device_of

log = logging.getLogger(__name__)

# Session keys: when the login happened, when the password was last given, the last request.
LOGIN_AT = "casetrail_login_at"
AUTH_AT = "casetrail_auth_at"
SEEN_AT = "casetrail_seen_at"
MUST_CHANGE = "casetrail_must_change_password"


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' backend, for logins that come with a request (the login page, the admin's,
    the session API). ``authenticate`` without a request — a console script, the test client's
    ``login`` — is not a network login and is left to the next backend."""

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> Any:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


def client_address(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


def _network(request: HttpRequest | None) -> bool:
    """A login over HTTP (the login page, /admin/login/, /reauth/, the API): a request that went
    through the URL resolver. A console script's or the test client's ``login()`` has none and
    is no network login: nothing to record, nothing to lock."""
    return request is not None and getattr(request, "resolver_match", None) is not None


def _officer_named(username: str | None) -> Officer | None:
    if not username:
        return None
    return Officer.objects.filter(user__username=username).select_related("user").first()


def on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    now = timezone.now().timestamp()
    second_factor = device_of(user) is not None
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT] = request.session[AUTH_AT] = request.session[SEEN_AT] = now
        state = LoginState.objects.filter(user=user).first()
        request.session[MUST_CHANGE] = bool(state and state.password_change_required)
        # With an authenticator bound the login is pending until its code (/login/otp/).
        request.session[OTP_PENDING] = second_factor
    if not _network(request):
        return
    officer = Officer.objects.filter(user=user).first()
    address = client_address(request)
    via = "admin" if request is not None and request.path.startswith("/admin/") else "web"
    if officer is not None and not second_factor:  # else recorded once the code is given
        actions.login_record(officer=officer, address=address, via=via)
    elif user.is_superuser:
        for agency in Agency.objects.order_by("pk"):
            actions.platform_event_record(
                agency=agency, operator=user.get_username(), event=f"login {address} {via}"
            )


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    if not _network(request):
        return
    username = credentials.get(get_user_model().USERNAME_FIELD) or credentials.get("username")
    officer = _officer_named(username)
    if officer is None:
        log.info("login failed for unknown login %r from %s", username, client_address(request))
        return
    actions.login_failed_record(officer=officer, address=client_address(request))


def on_locked_out(
    sender: Any, request: HttpRequest, username: str | None, ip_address: str, **kwargs: Any
) -> None:
    officer = _officer_named(username)
    if officer is None:
        log.warning("login locked out for %r from %s", username, ip_address)
        return
    actions.lockout_record(
        officer=officer, address=ip_address or "", minutes=settings.AXES_COOLOFF_MINUTES
    )


def minutes_to_wait(request: HttpRequest, username: str | None) -> int:
    """Minutes until the cool-down of the lockout that applies to this login name or address
    ends (at least 1)."""
    from axes.models import AccessAttempt

    who = Q(ip_address=client_address(request))
    if username:
        who |= Q(username=username)
    last = AccessAttempt.objects.filter(
        who, failures_since_start__gte=settings.AXES_FAILURE_LIMIT
    ).aggregate(last=Max("attempt_time"))["last"]
    if last is None:
        return settings.AXES_COOLOFF_MINUTES
    left = (last + settings.AXES_COOLOFF_TIME - timezone.now()).total_seconds()
    return max(1, math.ceil(left / 60))


def lockout_message(minutes: int) -> str:
    return f"登录失败次数过多，已暂时锁定。请 {minutes} 分钟后再试，或联系本机关的系统管理员。"


def lockout_response(
    request: HttpRequest, response: Any = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """django-axes' answer to a locked-out login: 429 with the time to wait, JSON under /api/."""
    username = (credentials or {}).get("username") or request.POST.get("username")
    minutes = minutes_to_wait(request, username)
    message = lockout_message(minutes)
    if request.path.startswith("/api/"):
        return JsonResponse(
            {"code": "login_locked", "message": message, "retry_after_minutes": minutes},
            status=429,
            headers={"Retry-After": str(minutes * 60)},
        )
    response = render(
        request,
        "login.html",
        {"locked_message": message, "next": request.POST.get("next", "")},
        status=429,
    )
    response["Retry-After"] = str(minutes * 60)
    return response
