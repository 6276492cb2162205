"""tus 1.0 resumable uploads at /api/uploads/: core, creation, termination, checksum (sha1, which
the extension says a server MUST support, and sha256) and expiration. Plain Django views so every status code and header is exactly the protocol's.

This module is only HTTP: it parses the headers, answers with the protocol's status codes and
headers, and leaves the rest to the layers below it:

* ``uploads.py`` — starting, receiving a body at the acknowledged offset, finishing (digests →
  store → ledgered blob and record), terminating and expiring, with the hash state of uploads;
* ``partfiles.py`` — the part files and their per-upload lock, held by every PATCH, HEAD and
  DELETE that touches one and by the expiry sweep.

An upload past its ``Upload-Expires`` is gone (410) for HEAD, PATCH and DELETE even before the
sweep ran, unless a request is writing it right now (its progress extends the expiry).
"""

from __future__ import annotations

import base64
import binascii
import logging
import uuid
from email.utils import format_datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication
from rest_framework.request import Request

from casetrail.evidence.models import Informed, Kind, Upload
from casetrail.evidence.partfiles import PartFile
from casetrail.evidence.uploads import (
    GONE_STATES,
    Hold,
    Received,
    finish,
    hold,
    receive,
    refuse_if_not_media,
    start,
)
from casetrail.evidence.uploads import terminate as terminate_upload
from casetrail.lib.errors import ActionError
from casetrail.lib.numbers import parse_int, parse_optional_int
from casetrail.lib.text import TEXT_MAX, clean_text
from casetrail.lib.times import moment_from_metadata
from casetrail.org.models import Officer
from casetrail.org.selectors import officer_for_user
from casetrail.org.tokens import HashedTokenAuthentication

log = logging.getLogger(__name__)

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,termination,checksum,expiration"
# The checksum extension: "The Server MUST support at least the SHA1 checksum algorithm".
CHECKSUM_DIGESTS = {"sha1": 20, "sha256": 32}
CHECKSUM_ALGORITHMS = ",".join(CHECKSUM_DIGESTS)
# Reason phrases of the statuses tus defines beyond RFC 9110 (Django knows none for them).
REASONS = {460: "Checksum Mismatch"}
# Upload-Metadata keys the server reads, each with what it must be (text limits as in the forms):
# refused at creation with 400 naming the key, never later when the upload is finished.
METADATA_TEXT = {
    "filename": 500,
    "name": 500,
    "filetype": 100,
    "device": 60,
    "officer": 40,
    "place": 200,
    "informed_how": 300,
    "description": TEXT_MAX,
    "late_reason": 500,
    "mark": 40,
    "mark_reason": 300,
}
METADATA_TIMES = ("recorded_start", "recorded_end")
METADATA_OTHER_MAX = 1000  # keys a client adds for itself (tus-js-client's relativePath …)


# --- responses ---------------------------------------------------------------------------------


def _tus(status: int, headers: dict[str, str] | None = None, body: str = "") -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")
    return _with_headers(response, headers)


def _error(
    status: int,
    code: str,
    message: str,
    headers: dict[str, str] | None = None,
    *,
    field: str | None = None,
) -> HttpResponse:
    body: dict[str, str] = {"code": code, "message": message}
    if field:
        body["field"] = field
    response = JsonResponse(
        body, status=status, json_dumps_params={"ensure_ascii": False}, reason=REASONS.get(status)
    )
    return _with_headers(response, headers)


def _with_headers(response: HttpResponse, headers: dict[str, str] | None) -> HttpResponse:
    response["Tus-Resumable"] = TUS_VERSION
    response["Cache-Control"] = "no-store"
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def _discovery_headers() -> dict[str, str]:
    return {
        "Tus-Version": TUS_VERSION,
        "Tus-Extension": TUS_EXTENSIONS,
        "Tus-Max-Size": str(settings.CASETRAIL_UPLOAD_MAX_BYTES),
        "Tus-Checksum-Algorithm": CHECKSUM_ALGORITHMS,
    }


def _upload_headers(upload: Upload) -> dict[str, str]:
    headers = {
        "Upload-Offset": str(upload.offset),
        "Upload-Length": str(upload.length),
        "CaseTrail-Upload-State": upload.state,
    }
    if upload.state == Upload.State.RECEIVING:
        headers["Upload-Expires"] = format_datetime(upload.expires_at, usegmt=True)
    if upload.item_id:
        headers["CaseTrail-Evidence"] = str(upload.item_id)
    return headers


# --- authentication and parsing ----------------------------------------------------------------


def _officer(request: HttpRequest) -> Officer | None:
    """Session (with the CSRF check DRF applies to it) or ``Authorization: Token …``."""
    drf = Request(request, authenticators=[HashedTokenAuthentication(), SessionAuthentication()])
    try:
        user = drf.user
    except exceptions.APIException:
        return None
    return officer_for_user(user)


def parse_metadata(header: str) -> dict[str, str]:
    """``key base64,key2 base64`` → dict. Raises ValueError on a malformed pair."""
    out: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in header.split(","))):
        parts = pair.split(" ")
        if len(parts) > 2 or not parts[0] or parts[0] in out:
            raise ValueError(pair)
        value = ""
        if len(parts) == 2:
            try:
                value = base64.b64decode(parts[1], validate=True).decode("utf-8")
            except (binascii.Error, UnicodeDecodeError) as exc:
                raise ValueError(pair) from exc
        # PostgreSQL text and jsonb cannot hold NUL: keep it visible as the escape "\\x00".
        out[parts[0]] = value.replace("\x00", "\\x00")
    return out


def encode_metadata(meta: dict[str, str]) -> str:
    return ",".join(
        f"{k} {base64.b64encode(str(v).encode()).decode()}" if v != "" else k
        for k, v in meta.items()
    )


def _int_header(request: HttpRequest, name: str) -> int | None:
    """A non-negative integer header, or None when absent or not ASCII digits (``'²'.isdigit()``
    is true and ``int('²')`` raises: the one integer helper reads it)."""
    raw = request.headers.get(name)
    if raw is None:
        return None
    try:
        return parse_int(raw, minimum=0, digits_only=True)
    except ActionError:
        return None


def _metadata_problem(meta: dict[str, str]) -> ActionError | None:
    """The first metadata value the upload could not be finished with, as a 400 naming its key:
    an invalid date was a 503 ``storage_unavailable`` at the end of the upload."""
    for key, value in meta.items():
        where = f"Upload-Metadata 的 {key}"
        try:
            if key in METADATA_TIMES:
                moment_from_metadata(value, where=where, field=key)
            elif key == "case":
                parse_optional_int(value, minimum=1, where=where, field=key, digits_only=True)
            elif key == "kind" and value not in ("", *Kind.values):
                raise ActionError("invalid_metadata", f"{where}：应为 {'、'.join(Kind.values)}")
            elif key == "informed" and value not in ("", *Informed.values):
                raise ActionError("invalid_metadata", f"{where}：应为 {'、'.join(Informed.values)}")
            else:
                limit = METADATA_TEXT.get(key, METADATA_OTHER_MAX)
                clean_text(
                    value, where=where, field=key, limit=limit, name=key in ("device", "officer")
                )
        except ActionError as err:
            err.field = key
            return err
    return None


def _check_version(request: HttpRequest) -> HttpResponse | None:
    if request.headers.get("Tus-Resumable") != TUS_VERSION:
        return _error(
            412,
            "tus_version",
            f"缺少或不支持的 Tus-Resumable 头（支持 {TUS_VERSION}）",
            {"Tus-Version": TUS_VERSION},
        )
    return None


def _unauthenticated() -> HttpResponse:
    return _error(
        401,
        "not_authenticated",
        "请先登录，或在请求头中提供有效的 API 令牌",
        {"WWW-Authenticate": 'Token realm="api"'},
    )


def _gone(upload: Upload) -> HttpResponse:
    if upload.state == Upload.State.EXPIRED:
        return _error(410, "gone", "该上传已过期（超过 Upload-Expires 未续传），请重新上传")
    return _error(410, "gone", "该上传已取消或已过期")


# How a PATCH body that did not arrive whole is answered: status, code, message, and whether the
# answer carries the upload's offset (what is acknowledged, for the client to resume from).
_BODY_ERRORS: dict[Received, tuple[int, str, str, bool]] = {
    Received.BEYOND_LENGTH: (
        413,
        "beyond_length",
        "请求体超出声明的文件长度（Upload-Length）",
        False,
    ),
    Received.CHECKSUM_MISMATCH: (460, "checksum_mismatch", "分块校验和不一致，该分块已丢弃", True),
    Received.DISK_FULL: (
        507,
        "disk_full",
        "服务器存储空间不足，已保留已确认的部分，可稍后续传",
        True,
    ),
    Received.DISCONNECTED: (400, "disconnected", "连接中断", True),
    Received.INCOMPLETE: (400, "incomplete_body", "请求体不完整，可从已确认的位置续传", True),
    Received.IO_ERROR: (500, "io_error", "服务器读写出错，已保留已确认的部分，可稍后续传", True),
}


# --- views -------------------------------------------------------------------------------------


@csrf_exempt
def uploads(request: HttpRequest) -> HttpResponse:
    """OPTIONS: discovery. POST: creation (``Upload-Length``, ``Upload-Metadata``)."""
    if request.method == "OPTIONS":
        return _tus(204, _discovery_headers())
    if request.method != "POST":
        return _error(405, "method_not_allowed", "不支持的请求方法", {"Allow": "OPTIONS, POST"})
    if (bad := _check_version(request)) is not None:
        return bad
    officer = _officer(request)
    if officer is None:
        return _unauthenticated()
    if "Upload-Defer-Length" in request.headers:
        return _error(400, "defer_length", "不支持延迟声明长度（Upload-Defer-Length）")
    length = _int_header(request, "Upload-Length")
    if length is None:
        return _error(400, "upload_length", "缺少或无效的 Upload-Length 头")
    if length > settings.CASETRAIL_UPLOAD_MAX_BYTES:
        return _error(
            413,
            "too_large",
            f"文件超过允许的最大大小 {settings.CASETRAIL_UPLOAD_MAX_BYTES} 字节",
            _discovery_headers(),
        )
    try:
        meta = parse_metadata(request.headers.get("Upload-Metadata", ""))
    except ValueError:
        return _error(
            400, "upload_metadata", "Upload-Metadata 格式无效（键 空格 base64 值，逗号分隔）"
        )
    problem = _metadata_problem(meta)
    if problem is not None:
        return _error(400, problem.code, problem.message, field=problem.field)
    if "filetype" in meta and "content_type" not in meta:
        meta["content_type"] = meta["filetype"]
    try:
        upload = start(officer=officer, length=length, metadata=meta)
    except ActionError as err:  # metadata refused before any byte (an unknown device …)
        return _error(err.status, err.code, err.message)
    location = {"Location": request.build_absolute_uri(f"/api/uploads/{upload.pk}")}
    if length == 0:  # nothing to receive: finish at once
        with hold(upload) as (_, part):
            return _finishing(upload, part, status=201, extra=location)
    return _tus(201, {**location, **_upload_headers(upload)})


def _get_upload(officer: Officer, upload_id: str) -> Upload | None:
    try:
        pk = uuid.UUID(upload_id)
    except ValueError:
        return None
    return Upload.objects.filter(pk=pk, officer=officer, source="upload").first()


@csrf_exempt
def upload_resource(request: HttpRequest, upload_id: str) -> HttpResponse:
    """HEAD: offset. PATCH: append bytes. DELETE: terminate. OPTIONS: discovery."""
    if request.method == "OPTIONS":
        return _tus(204, _discovery_headers())
    if request.method not in ("HEAD", "PATCH", "DELETE"):
        return _error(
            405, "method_not_allowed", "不支持的请求方法", {"Allow": "OPTIONS, HEAD, PATCH, DELETE"}
        )
    if (bad := _check_version(request)) is not None:
        return bad
    officer = _officer(request)
    if officer is None:
        return _unauthenticated()
    upload = _get_upload(officer, upload_id)
    if upload is None:
        return _error(404, "not_found", "上传不存在")
    if upload.state in GONE_STATES:
        return _gone(upload)
    if upload.state == Upload.State.REFUSED and request.method == "PATCH":
        return _error(422, upload.error_code, upload.error_message, _upload_headers(upload))
    if request.method == "DELETE":
        return _terminate(upload)
    if request.method == "HEAD":
        return _head(upload)
    return _patch(request, upload)


def _head(upload: Upload) -> HttpResponse:
    if upload.state == Upload.State.RECEIVING:
        with hold(upload) as (found, part):
            # BUSY: a PATCH is writing; report what is acknowledged.
            if found is Hold.READY and upload.offset == upload.length:
                # All bytes arrived but finishing failed earlier (e.g. storage down): retry.
                try:
                    finish(upload, part)
                except Exception:
                    log.exception("upload %s: finishing on HEAD failed", upload.pk)
        upload.refresh_from_db()
        if upload.state in GONE_STATES:
            return _gone(upload)
    return _tus(200, _upload_headers(upload))


def _terminate(upload: Upload) -> HttpResponse:
    if upload.state != Upload.State.RECEIVING:
        return _not_receiving()
    with hold(upload) as (found, part):
        if found is Hold.BUSY:
            return _error(423, "locked", "该上传正在写入，请稍后再试")
        if found is Hold.GONE:
            return _gone(upload)
        if found is Hold.CLOSED:
            return _not_receiving()
        terminate_upload(upload, part)
    return _tus(204)


def _not_receiving() -> HttpResponse:
    return _error(409, "not_receiving", "上传已完成，不能取消（已存储的记录不能删除）")


def _stream(request: HttpRequest) -> Any:
    if request.headers.get("Content-Length") is None:
        return request.META["wsgi.input"]  # chunked transfer: gunicorn decodes it
    return request


def _patch(request: HttpRequest, upload: Upload) -> HttpResponse:
    if request.content_type != "application/offset+octet-stream":
        return _error(415, "content_type", "Content-Type 须为 application/offset+octet-stream")
    offset = _int_header(request, "Upload-Offset")
    if offset is None:
        return _error(400, "upload_offset", "缺少或无效的 Upload-Offset 头")
    checksum = request.headers.get("Upload-Checksum")
    expected: bytes | None = None
    algo = ""
    if checksum is not None:
        algo, _, value = checksum.partition(" ")
        if algo not in CHECKSUM_DIGESTS:
            return _error(
                400, "checksum_algorithm", f"不支持的校验算法（支持 {CHECKSUM_ALGORITHMS}）"
            )
        try:
            expected = base64.b64decode(value, validate=True)
        except binascii.Error:
            return _error(400, "checksum", "Upload-Checksum 值不是有效的 base64")
        if len(expected) != CHECKSUM_DIGESTS[algo]:
            return _error(400, "checksum", f"Upload-Checksum 的 {algo} 摘要长度不正确")
    content_length = _int_header(request, "Content-Length")
    if upload.state != Upload.State.RECEIVING:
        return _complete_already(upload, offset, content_length)
    if content_length is not None and offset + content_length > upload.length:
        return _error(413, "beyond_length", "请求体超出声明的文件长度（Upload-Length）")
    with hold(upload) as (found, part):
        if found is Hold.BUSY:
            return _error(423, "locked", "该上传正在被另一请求写入，请稍后重试")
        if found is Hold.GONE:
            return _gone(upload)
        if found is Hold.CLOSED:  # finished by another request meanwhile
            return _complete_already(upload, offset, content_length)
        if part is None:
            return _error(410, "gone", "上传的临时文件已不存在，请重新上传")
        if offset != upload.offset:
            return _error(
                409,
                "offset_mismatch",
                f"Upload-Offset 应为 {upload.offset}",
                _upload_headers(upload),
            )
        received = receive(upload, part, _stream(request), offset, expected, algo or "sha256")
        if received is not Received.ALL:
            status, code, message, with_offset = _BODY_ERRORS[received]
            return _error(status, code, message, _upload_headers(upload) if with_offset else None)
        refusal = refuse_if_not_media(upload, part, offset)
        if refusal is not None:
            return _error(422, refusal.code, refusal.message, _upload_headers(upload))
        if upload.offset < upload.length:
            return _tus(204, _upload_headers(upload))
        return _finishing(upload, part)


def _complete_already(upload: Upload, offset: int, content_length: int | None) -> HttpResponse:
    if offset == upload.length and not content_length:
        return _finish_response(upload, None)  # already complete: idempotent retry
    return _error(409, "offset_mismatch", "上传已完成", _upload_headers(upload))


def _finishing(
    upload: Upload,
    part: PartFile | None,
    *,
    status: int = 204,
    extra: dict[str, str] | None = None,
) -> HttpResponse:
    """Finish (the caller holds the lock) and answer: 204/201, 422 when the file is refused."""
    try:
        refusal = finish(upload, part)
    except Exception:
        # Storage or database trouble while finishing: every byte is kept and acknowledged; the
        # next HEAD or PATCH retries, and nothing partial is ever visible in the store.
        log.exception("upload %s: finishing failed", upload.pk)
        upload.refresh_from_db()
        return _error(
            503,
            "storage_unavailable",
            "文件已完整接收，但暂时无法写入存储，请稍后重试",
            {**_upload_headers(upload), "Retry-After": "5", **(extra or {})},
        )
    return _finish_response(upload, refusal, status=status, extra=extra)


def _finish_response(
    upload: Upload,
    refusal: ActionError | None,
    *,
    status: int = 204,
    extra: dict[str, str] | None = None,
) -> HttpResponse:
    upload.refresh_from_db()
    headers = {**_upload_headers(upload), **(extra or {})}
    if refusal is not None:
        return _error(422, refusal.code, refusal.message, headers)
    return _tus(status, headers)
