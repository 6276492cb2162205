"""Session timeouts (issue 15; 等保 2.0 身份鉴别: 登录连接超时自动退出): a session ends after
``CASETRAIL_SESSION_IDLE_MINUTES`` without a request (default 30) and, however busy,
``CASETRAIL_SESSION_MAX_HOURS`` after its login (default 12). A password set by someone else (a
reset) must be changed before the login may do anything else; so must the second factor's code
be given, and an authenticator be bound where a role requires one (casetrail.org.second_factor).

The clock is ``timezone.now()`` (frozen in tests with time-machine); the stamps are the ones
``casetrail.org.login.on_login`` puts into the session.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from casetrail.org.login import LOGIN_AT, MUST_CHANGE, SEEN_AT
from casetrail.org.second_factor import OTP_PENDING, must_enrol
from casetrail.org.selectors import officer_for_user

# Requests that do not count as activity nor need a changed password.
_EXEMPT = ("/static/", "/logout/", "/login/")
# How often the last-seen stamp is written: not at every request (each write saves the session).
_SEEN_RESOLUTION = 60


def _api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


class SessionTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and LOGIN_AT in request.session
            and not request.path.startswith(_EXEMPT[0])
        ):
            answer = self._check(request)
            if answer is not None:
                return answer
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        now = timezone.now().timestamp()
        session = request.session
        idle = settings.CASETRAIL_SESSION_IDLE_MINUTES * 60
        longest = settings.CASETRAIL_SESSION_MAX_HOURS * 3600
        if now - float(session.get(SEEN_AT, 0)) > idle:
            return self._expired(request, f"已超过 {idle // 60} 分钟未操作，请重新登录")
        if now - float(session[LOGIN_AT]) > longest:
            return self._expired(request, f"登录已超过 {longest // 3600} 小时，请重新登录")
        if now - float(session.get(SEEN_AT, 0)) >= _SEEN_RESOLUTION:
            session[SEEN_AT] = now
        if request.path.startswith(_EXEMPT[1:]):
            return None
        if session.get(OTP_PENDING):  # the password was right; the code is still to come
            return self._first(
                request, "login-otp", "otp_required", "请先输入验证器上的验证码", 401
            )
        if session.get(MUST_CHANGE):
            return self._first(
                request, "org-my-password", "password_change_required", "请先修改密码"
            )
        if not settings.CASETRAIL_TOTP_REQUIRED_ROLES:
            return None
        # The request's officer as the views read it (one query, cached on the user), not
        # ``user.officer`` — a query of its own on every page (issue 18).
        officer = officer_for_user(request.user)
        if officer is not None and must_enrol(officer):
            return self._first(
                request, "org-my-totp", "totp_required", "请先绑定验证器（双因素认证）"
            )
        return None

    def _first(
        self, request: HttpRequest, page: str, code: str, message: str, status: int = 403
    ) -> HttpResponse | None:
        """What must be done before anything else: its page, or the API's refusal."""
        target = reverse(page)
        if request.path == target:
            return None
        if _api(request):
            return JsonResponse({"code": code, "message": message}, status=status)
        return redirect(f"{target}?next={request.path}" if page == "login-otp" else target)

    def _expired(self, request: HttpRequest, message: str) -> HttpResponse:
        logout(request)
        if _api(request):
            return JsonResponse({"code": "session_expired", "message": message}, status=401)
        messages.info(request, message)
        return redirect(f"{reverse('login')}?next={request.path}")
