"""The OpenAPI schema tells the truth about errors (issue 10, item 16): every operation under
/api/ documents its 4xx answers — the error body ``{"code", "message", …}`` and the codes it may
carry — without each view listing them by hand.

``document_errors`` is a drf-spectacular postprocessing hook. For each operation it adds

* 401 ``not_authenticated`` (every endpoint needs a session or a token);
* 403 ``permission_denied`` / ``csrf_failed`` and the 403 refusals of the actions behind it;
* 404 ``not_found`` where the path, a query parameter or the body names an object, and the
  404 refusals;
* 400 with ``invalid_input``, the shared input codes (``casetrail.lib.api.SPECIFIC_CODES``) and
  the 400 refusals, where the operation takes a body or query parameters;
* any other status an action answers with (409 …).

The refusal codes are read from the source once: every ``ActionError("code", …, status=…)`` of the
view's app and of the apps below it (an action calls only downwards; the cases app dispatches the
steps of every app above it, so its operations list them all). A code that a new action adds shows
up in the schema without anyone editing a view.
"""

from __future__ import annotations

import ast
import functools
from collections import defaultdict
from pathlib import Path
from typing import Any

# Apps in layer order (README, Layout): an app's actions call only the apps before it.
LAYERS = (
    "lib",
    "org",
    "ledger",
    "cases",
    "evidence",
    "records",
    "approvals",
    "compliance",
    "start",
    "decisions",
    "documents",
    "archive",
    "access",
    "oversight",
)
PACKAGE = Path(__file__).resolve().parent.parent
GENERIC = {
    400: {"invalid_input": "请求体或参数不符合要求（fields 列出各字段的问题）"},
    401: {"not_authenticated": "未登录或 API 令牌无效"},
    403: {
        "permission_denied": "没有权限执行此操作",
        "csrf_failed": "以会话（浏览器）方式提交时缺少 CSRF 令牌",
    },
    404: {"not_found": "对象不存在或无权访问（其他机关的对象同样为 404）"},
    415: {"unsupported_media_type": "不支持的请求内容类型（Content-Type）"},
}
TITLES = {
    400: "请求无效",
    401: "未认证",
    403: "无权操作",
    404: "不存在或无权访问",
    409: "与当前状态冲突",
    415: "内容类型不支持",
}


# The error body of the API (casetrail.lib.api.exception_handler, casetrail.lib.middleware).
API_ERROR: dict[str, Any] = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {
        "code": {"type": "string", "description": "稳定的机器可读错误码，见各响应的说明"},
        "message": {"type": "string", "description": "中文说明：出了什么问题、怎么办"},
        "field": {"type": "string", "description": "出错的输入项"},
        "details": {
            "type": "array",
            "items": {"type": "string"},
            "description": "逐条列出的未满足条件",
        },
        "fields": {"type": "object", "description": "invalid_input 时各字段的问题"},
        "request_id": {"type": "string", "description": "请求编号（服务器日志中可查）"},
    },
}


def _status_of(call: ast.Call) -> int:
    for keyword in call.keywords:
        if keyword.arg == "status" and isinstance(keyword.value, ast.Constant):
            value = keyword.value.value
            return value if isinstance(value, int) else 400
    return 400


@functools.cache
def refusal_codes(app: str) -> dict[int, set[str]]:
    """``{status: {code, …}}`` of every ActionError raised in ``app``'s own modules."""
    out: dict[int, set[str]] = defaultdict(set)
    for path in sorted((PACKAGE / app).rglob("*.py")):
        if {"tests", "migrations"} & set(path.relative_to(PACKAGE).parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "ActionError"
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                out[_status_of(node)].add(node.args[0].value)
    return dict(out)


def codes_for(app: str) -> dict[int, set[str]]:
    """Refusal codes an operation of ``app`` may answer with, by status."""
    if app not in LAYERS:
        reach: tuple[str, ...] = (app, "lib")
    elif app == "cases":
        reach = LAYERS  # the case's steps (hooks.ACTS) run the actions of every app above
    else:
        reach = LAYERS[: LAYERS.index(app) + 1]
    out: dict[int, set[str]] = defaultdict(set)
    for name in reach:
        for status, codes in refusal_codes(name).items():
            out[status] |= codes
    return dict(out)


def _shared_input_codes() -> set[str]:
    from casetrail.lib.api import SPECIFIC_CODES

    return set(SPECIFIC_CODES)


def _response(status: int, codes: dict[str, str]) -> dict[str, Any]:
    listed = "；".join(f"`{c}`" + (f"：{d}" if d else "") for c, d in sorted(codes.items()))
    return {
        "description": f"{TITLES.get(status, '请求被拒绝')}。错误码：{listed}",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}},
    }


def document_errors(result: dict[str, Any], generator: Any, **kwargs: Any) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: the 4xx answers of every /api/ operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["ApiError"] = API_ERROR
    views = {
        (path, method.lower()): callback
        for path, _, method, callback in getattr(generator, "endpoints", [])
    }
    shared = {code: "" for code in _shared_input_codes()}
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/"):
            continue
        for method, operation in operations.items():
            callback = views.get((path, method))
            module = getattr(getattr(callback, "cls", None), "__module__", "casetrail.lib.x")
            app = module.split(".")[1] if module.startswith("casetrail.") else "lib"
            refusals = codes_for(app) if method != "get" else {}
            responses = operation.setdefault("responses", {})
            wanted: dict[int, dict[str, str]] = {401: GENERIC[401], 403: dict(GENERIC[403])}
            takes_input = "requestBody" in operation or any(
                p.get("in") == "query" for p in operation.get("parameters", [])
            )
            if method == "get" and takes_input:
                # Query parameters: numbers read by the one integer helper.
                wanted[400] = {**GENERIC[400], "invalid_number": "", "number_out_of_range": ""}
            elif takes_input or refusals.get(400):
                wanted[400] = {**GENERIC[400], **shared}
            if "{" in path or takes_input or refusals.get(404):  # an id in a query or body too
                wanted[404] = dict(GENERIC[404])
            if "requestBody" in operation:
                wanted[415] = GENERIC[415]
            for status, refused in refusals.items():
                if 400 <= status < 500:
                    wanted.setdefault(status, {}).update(dict.fromkeys(refused, ""))
            for status, described in sorted(wanted.items()):
                if str(status) not in responses:
                    responses[str(status)] = _response(status, described)
    return result


# --- response schemas the views share --------------------------------------------------------------

OBJECT: dict[str, Any] = {"type": "object", "additionalProperties": True}


def nullable(kind: str) -> dict[str, Any]:
    return {"type": kind, "nullable": True}


def obj(required: tuple[str, ...] = (), **properties: dict[str, Any]) -> dict[str, Any]:
    """An object with the main properties described (and maybe more)."""
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    schema["additionalProperties"] = True
    return schema


def array_of(item: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": "array", "items": item or OBJECT}


INTEGER = {"type": "integer"}
STRING = {"type": "string"}
BOOLEAN = {"type": "boolean"}
DATETIME = {"type": "string", "format": "date-time"}
