"""Request ids and errors that never leave as Django's English HTML pages.

Every request gets an id (``request.request_id``, also the ``X-Request-ID`` response header and in
the log line of any server error), so an officer reporting "出错了（请求编号 …）" points the
administrator at the exact log line. Under ``/api/`` an unhandled exception answers
``{"code": "server_error", "message": "…", "request_id": "…"}`` with status 500, and an unknown
address ``{"code": "not_found", …}``; the web UI gets the site's own Chinese error pages
(``handler403/404/500`` in ``casetrail/urls.py``).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string

log = logging.getLogger("casetrail.errors")

API_PREFIX = "/api/"


def request_id(request: HttpRequest) -> str:
    value: str = getattr(request, "request_id", "") or ""
    return value


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def json_error(request: HttpRequest, status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(
        {"code": code, "message": message, "request_id": request_id(request)},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


class RequestIdMiddleware:
    """Give each request an id; answer an unhandled exception under /api/ with JSON."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = uuid.uuid4().hex[:12]  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id  # type: ignore[attr-defined]
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, Http404 | PermissionDenied | SuspiciousOperation):
            return None  # answered by handler404 / handler403 / handler400: not a server error
        log.exception(
            "server error, request %s %s %s", request_id(request), request.method, request.path
        )
        if is_api(request):
            return json_error(request, 500, "server_error", server_error_message(request))
        return None  # the web UI: Django renders handler500


def server_error_message(request: HttpRequest) -> str:
    return (
        f"服务器内部错误，请稍后重试；如仍出错，请将请求编号 {request_id(request)} 告知系统管理员"
    )


def _page(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    return render(
        request,
        "error.html",
        {"status": status, "title": title, "message": message, "request_id": request_id(request)},
        status=status,
    )


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    if is_api(request):
        return json_error(request, 400, "bad_request", "请求无效")
    return _page(request, 400, "请求无效", "请求的格式不正确，请返回上一页重试。")


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else "您没有权限访问此页面。"
    if is_api(request):
        return json_error(request, 403, "permission_denied", message)
    return _page(request, 403, "没有权限", message)


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    if is_api(request):
        return json_error(request, 404, "not_found", "对象不存在或无权访问")
    return _page(request, 404, "页面不存在", "您要找的页面不存在，或您无权查看。")


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api(request):
        return json_error(request, 500, "server_error", server_error_message(request))
    # Rendered without the request's context processors (they read the database, which may be
    # what failed): a page that cannot fail itself.
    body = render_to_string(
        "error_500.html",
        {"message": server_error_message(request), "request_id": request_id(request)},
    )
    return HttpResponse(body, status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if is_api(request):
        return json_error(request, 403, "csrf_failed", "CSRF 校验失败：请刷新页面后重试")
    return _page(
        request, 403, "页面已过期", "表单已过期或来源无法确认（CSRF 校验失败），请刷新页面后重试。"
    )
