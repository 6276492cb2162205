"""API error shape: every error is {"code": stable machine code, "message": zh-Hans text}."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from casetrail.lib.errors import ActionError
from casetrail.lib.numbers import parse_int


def _flatten(detail: Any, prefix: str = "") -> list[str]:
    if isinstance(detail, dict):
        out: list[str] = []
        for key, value in detail.items():
            out += _flatten(value, f"{prefix}{key}." if key != "non_field_errors" else prefix)
        return out
    if isinstance(detail, list):
        return [m for item in detail for m in _flatten(item, prefix)]
    return [f"{prefix.rstrip('.')}: {detail}" if prefix else str(detail)]


# Codes of the shared input helpers (casetrail.lib.numbers, text, identifiers) and of DRF's own
# field errors worth telling apart: the first one found becomes the answer's code, so a client
# switches on `invalid_number` or `too_long` whether the API or an action refused the value.
SPECIFIC_CODES = {
    "invalid_number",
    "number_out_of_range",
    "invalid_money",
    "money_out_of_range",
    "too_long",
    "invalid_characters",
    "invalid_id_number",
    "invalid_credit_code",
    "invalid_phone",
    "invalid_date",
    "invalid_datetime",
    "range_inverted",
}
DRF_CODES = {
    "max_length": "too_long",
    "max_string_length": "too_long",
    "surrogate_characters_not_allowed": "invalid_characters",
    "null_characters_not_allowed": "invalid_characters",
}


def _specific_code(codes: Any) -> str:
    """The first specific code among a ValidationError's codes, else ``invalid_input``."""
    stack = [codes]
    while stack:
        item = stack.pop(0)
        if isinstance(item, dict):
            stack[:0] = list(item.values())
        elif isinstance(item, list):
            stack[:0] = item
        elif isinstance(item, str):
            code = DRF_CODES.get(item, item)
            if code in SPECIFIC_CODES:
                return code
    return "invalid_input"


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ActionError):
        return Response(exc.as_dict(), status=exc.status)
    if isinstance(exc, DjangoPermissionDenied):
        return Response(
            {"code": "permission_denied", "message": str(exc) or "没有权限执行此操作"}, status=403
        )
    if isinstance(exc, Http404):
        return Response({"code": "not_found", "message": "对象不存在或无权访问"}, status=404)
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        return Response(
            {"code": "not_authenticated", "message": "请先登录，或在请求头中提供有效的 API 令牌"},
            status=status.HTTP_401_UNAUTHORIZED,
            headers={"WWW-Authenticate": 'Token realm="api"'},
        )
    if isinstance(exc, exceptions.PermissionDenied):
        message = (
            str(exc.detail) if str(exc.detail) != str(exc.default_detail) else "没有权限执行此操作"
        )
        return Response({"code": "permission_denied", "message": message}, status=403)
    if isinstance(exc, exceptions.ValidationError):
        messages = _flatten(exc.detail)
        return Response(
            {
                "code": _specific_code(exc.get_codes()),
                "message": "输入有误：" + "；".join(messages),
                "fields": exc.detail,
            },
            status=400,
        )
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException):
        code = str(exc.default_code)
        response.data = {"code": code, "message": MESSAGES.get(code, "请求无法处理")}
    # None: not an API error; casetrail.lib.middleware answers it as a JSON server_error.
    return response


# DRF's own errors in zh-Hans (its messages are English, e.g. "JSON parse error - …").
MESSAGES = {
    "parse_error": "请求体格式无效：应为有效的 JSON（或声明的内容类型）",
    "method_not_allowed": "不支持该请求方法",
    "not_acceptable": "无法提供请求的响应格式（Accept）",
    "unsupported_media_type": "不支持的请求内容类型（Content-Type）",
    "throttled": "请求过于频繁，请稍后再试",
    "not_found": "对象不存在或无权访问",
}


class Pagination(LimitOffsetPagination):
    """``?limit=&offset=`` read by the one integer helper: ``limit=１２`` or ``offset=²`` is a 400
    ``invalid_number`` naming the parameter, not a silently different page."""

    max_limit = 200

    def _param(self, request: Any, name: str, default: int | None, minimum: int) -> int | None:
        raw = request.query_params.get(name)
        if raw is None or raw == "":
            return default
        return parse_int(raw, minimum=minimum, field=name, where=f"参数 {name}", digits_only=True)

    def get_limit(self, request: Any) -> int | None:
        limit = self._param(request, self.limit_query_param, self.default_limit, 1)
        return min(limit, self.max_limit) if limit is not None and self.max_limit else limit

    def get_offset(self, request: Any) -> int:
        return self._param(request, self.offset_query_param, 0, 0) or 0
