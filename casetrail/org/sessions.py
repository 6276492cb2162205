"""Session timeouts (issue 15; 等保 2.0 身份鉴别: 登录连接超时自动退出): a session ends after
``CASETRAIL_SESSION_IDLE_MINUTES`` without a request (default 30) and, however busy,
``CASETRAIL_SESSION_MAX_HOURS`` after its login (default 12). A password set by someone else (a
reset) must be changed before the login may do anything else.

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
        if session.get(MUST_CHANGE) and not request.path.startswith(_EXEMPT[1:]):
            change = reverse("org-my-password")
            if request.path != change:
                if _api(request):
                    return JsonResponse(
                        {"code": "password_change_required", "message": "请先修改密码"},
                        status=403,
                    )
                return redirect(change)
        return None

    def _expired(self, request: HttpRequest, message: str) -> HttpResponse:
        logout(request)
        if _api(request):
            return JsonResponse({"code": "session_expired", "message": message}, status=401)
        messages.info(request, message)
        return redirect(f"{reverse('login')}?next={request.path}")
