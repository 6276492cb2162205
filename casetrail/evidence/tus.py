"""tus 1.0 resumable uploads at /api/uploads/: core, creation, termination, checksum (sha256) and
expiration. Plain Django views so every status code and header is exactly the protocol's.

Bytes go to ``var/uploads/<id>.part`` in bounded chunks (never ``request.body``). The offset the
server acknowledges is the database's ``Upload.offset``; bytes past it in the part file (from a
request cut off by a crash) are cut away before the next request uses the file, so a resumed upload
continues exactly after the last acknowledged byte, also after a server restart.

SHA-256 and SM3 are computed while the bytes stream: each worker process keeps the running hash
state of the uploads it serves (``_HASHERS``); when a request lands on a process that lacks the
state (another worker, a restart) it catches up by reading only the part it has not hashed. A
checksummed chunk that fails (460) is cut away again and the cached state dropped.
"""

from __future__ import annotations

import base64
import binascii
import errno
import fcntl
import hashlib
import logging
import os
import threading
import uuid
from collections import OrderedDict
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django_tasks import task
from rest_framework import exceptions
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.request import Request

from casetrail.evidence.ingest import ingest, new_upload
from casetrail.evidence.models import Upload
from casetrail.evidence.storage import CHUNK
from casetrail.lib.digests import MultiHasher
from casetrail.lib.errors import ActionError
from casetrail.org.models import Officer
from casetrail.org.selectors import officer_for_user

log = logging.getLogger(__name__)

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,termination,checksum,expiration"
CHECKSUM_ALGORITHMS = "sha256"
# Without a checksum, a long PATCH acknowledges its progress every this many bytes, so a crash
# mid-request loses at most this much.
CHECKPOINT_BYTES = 64 * 1024 * 1024
READ_SIZE = CHUNK  # gunicorn hands the body over in steps of at most 1 MiB anyway

_HASHERS: OrderedDict[uuid.UUID, tuple[int, MultiHasher]] = OrderedDict()
_HASHERS_LOCK = threading.Lock()
_HASHERS_MAX = 64


class _Background:
    """Hash in a second thread while the request thread receives and writes (hashlib releases
    the GIL on large buffers), through a small bounded queue: memory stays a few MiB."""

    def __init__(self, *hashers: Any) -> None:
        import queue

        self.hashers = [h for h in hashers if h is not None]
        self.queue: queue.Queue[bytes | None] = queue.Queue(maxsize=8)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (block := self.queue.get()) is not None:
            try:
                for h in self.hashers:
                    h.update(block)
            except BaseException as exc:  # pragma: no cover - hashlib does not fail
                self.error = exc

    def update(self, block: bytes) -> None:
        self.queue.put(block)

    def finish(self) -> None:
        self.queue.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


def _cache_get(upload_id: uuid.UUID) -> tuple[int, MultiHasher] | None:
    with _HASHERS_LOCK:
        return _HASHERS.get(upload_id)


def _cache_put(upload_id: uuid.UUID, offset: int, hasher: MultiHasher) -> None:
    with _HASHERS_LOCK:
        _HASHERS[upload_id] = (offset, hasher)
        _HASHERS.move_to_end(upload_id)
        while len(_HASHERS) > _HASHERS_MAX:
            _HASHERS.popitem(last=False)


def _cache_drop(upload_id: uuid.UUID) -> None:
    with _HASHERS_LOCK:
        _HASHERS.pop(upload_id, None)


def _hasher_at(upload: Upload, offset: int) -> MultiHasher:
    """The running hash of the first ``offset`` bytes: from the cache, caught up from the file."""
    cached = _cache_get(upload.pk)
    if cached is not None and cached[0] <= offset:
        done, hasher = cached
    else:
        done, hasher = 0, MultiHasher(("sha256", "sm3"))
    if done < offset:
        with upload.part_path.open("rb") as fh:
            fh.seek(done)
            remaining = offset - done
            while remaining > 0:
                block = fh.read(min(READ_SIZE, remaining))
                if not block:
                    raise OSError(f"part file of upload {upload.pk} is shorter than its offset")
                hasher.update(block)
                remaining -= len(block)
    return hasher


# --- responses ---------------------------------------------------------------------------------


def _tus(status: int, headers: dict[str, str] | None = None, body: str = "") -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")
    response["Tus-Resumable"] = TUS_VERSION
    response["Cache-Control"] = "no-store"
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def _error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> HttpResponse:
    response = JsonResponse(
        {"code": code, "message": message}, status=status, json_dumps_params={"ensure_ascii": False}
    )
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
    drf = Request(request, authenticators=[TokenAuthentication(), SessionAuthentication()])
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
    raw = request.headers.get(name)
    if raw is None or not raw.isdigit():
        return None
    return int(raw)


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


# --- expiry ------------------------------------------------------------------------------------


def expire_uploads() -> int:
    """Abandoned uploads past their expiry: state EXPIRED, part file removed. Returns the count."""
    now = timezone.now()
    count = 0
    for upload in Upload.objects.filter(state=Upload.State.RECEIVING, expires_at__lt=now)[:200]:
        if Upload.objects.filter(pk=upload.pk, state=Upload.State.RECEIVING).update(
            state=Upload.State.EXPIRED, updated_at=now
        ):
            upload.part_path.unlink(missing_ok=True)
            _cache_drop(upload.pk)
            count += 1
    return count


@task()
def expire_abandoned_uploads() -> int:
    """Discard uploads nobody finished before their Upload-Expires (run by the scheduler)."""
    return expire_uploads()


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
    if "filetype" in meta and "content_type" not in meta:
        meta["content_type"] = meta["filetype"]
    expire_uploads()
    settings.CASETRAIL_UPLOAD_DIR.mkdir(parents=True, exist_ok=True)
    upload = new_upload(officer=officer, length=length, metadata=meta)
    upload.part_path.touch(exist_ok=False)
    os.chmod(upload.part_path, 0o600)
    location = request.build_absolute_uri(f"/api/uploads/{upload.pk}")
    if length == 0:
        return _finish_response(upload, _finish(upload), status=201, extra={"Location": location})
    return _tus(201, {"Location": location, **_upload_headers(upload)})


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
    if upload.state in (Upload.State.TERMINATED, Upload.State.EXPIRED):
        return _error(410, "gone", "该上传已取消或已过期")
    if request.method == "DELETE":
        return _terminate(upload)
    if request.method == "HEAD":
        return _head(upload)
    return _patch(request, upload)


def _open_locked(upload: Upload) -> int | None:
    """Open the part file with an exclusive lock, or None if another request holds it."""
    try:
        fd = os.open(upload.part_path, os.O_RDWR)
    except FileNotFoundError:
        return -1
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


def _reconcile(fd: int, upload: Upload) -> None:
    """Cut away bytes past the acknowledged offset (left by a request cut off by a crash)."""
    size = os.fstat(fd).st_size
    if size > upload.offset:
        os.ftruncate(fd, upload.offset)
    elif size < upload.offset:  # the file lost acknowledged bytes (disk trouble): resume from it
        log.warning("upload %s: part file shorter than offset; resuming at %s", upload.pk, size)
        Upload.objects.filter(pk=upload.pk).update(offset=size)
        upload.offset = size
        _cache_drop(upload.pk)


def _head(upload: Upload) -> HttpResponse:
    if upload.state == Upload.State.RECEIVING:
        fd = _open_locked(upload)
        if fd is None:
            return _tus(200, _upload_headers(upload))  # a PATCH is writing; report what is acked
        if fd >= 0:
            try:
                _reconcile(fd, upload)
                if upload.offset == upload.length:
                    # All bytes arrived but finishing failed earlier (e.g. storage down): retry.
                    _finish(upload)
            except Exception:
                log.exception("upload %s: finishing on HEAD failed", upload.pk)
            finally:
                os.close(fd)
            upload.refresh_from_db()
    return _tus(200, _upload_headers(upload))


def _terminate(upload: Upload) -> HttpResponse:
    if upload.state != Upload.State.RECEIVING:
        return _error(409, "not_receiving", "上传已完成，不能取消（已存储的记录不能删除）")
    fd = _open_locked(upload)
    if fd is None:
        return _error(423, "locked", "该上传正在写入，请稍后再试")
    try:
        Upload.objects.filter(pk=upload.pk).update(
            state=Upload.State.TERMINATED, updated_at=timezone.now()
        )
        upload.part_path.unlink(missing_ok=True)
        _cache_drop(upload.pk)
    finally:
        if fd >= 0:
            os.close(fd)
    return _tus(204)


def _write_all(fd: int, data: bytes | memoryview) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _patch(request: HttpRequest, upload: Upload) -> HttpResponse:
    if request.content_type != "application/offset+octet-stream":
        return _error(415, "content_type", "Content-Type 须为 application/offset+octet-stream")
    offset = _int_header(request, "Upload-Offset")
    if offset is None:
        return _error(400, "upload_offset", "缺少或无效的 Upload-Offset 头")
    checksum = request.headers.get("Upload-Checksum")
    expected: bytes | None = None
    if checksum is not None:
        algo, _, value = checksum.partition(" ")
        if algo != "sha256":
            return _error(400, "checksum_algorithm", "不支持的校验算法（支持 sha256）")
        try:
            expected = base64.b64decode(value, validate=True)
        except binascii.Error:
            return _error(400, "checksum", "Upload-Checksum 值不是有效的 base64")
    content_length = _int_header(request, "Content-Length")
    if upload.state != Upload.State.RECEIVING:
        if offset == upload.length and not content_length:
            return _finish_response(upload, None)  # already complete: idempotent retry
        return _error(409, "offset_mismatch", "上传已完成", _upload_headers(upload))
    if content_length is not None and offset + content_length > upload.length:
        return _error(413, "beyond_length", "请求体超出声明的文件长度（Upload-Length）")
    fd = _open_locked(upload)
    if fd is None:
        return _error(423, "locked", "该上传正在被另一请求写入，请稍后重试")
    if fd < 0:
        return _error(410, "gone", "上传的临时文件已不存在，请重新上传")
    try:
        upload.refresh_from_db()
        _reconcile(fd, upload)
        if offset != upload.offset:
            return _error(
                409,
                "offset_mismatch",
                f"Upload-Offset 应为 {upload.offset}",
                _upload_headers(upload),
            )
        result = _receive(request, upload, fd, offset, expected)
        if result is not None:
            return result
    finally:
        os.close(fd)
    upload.refresh_from_db()
    if upload.offset < upload.length:
        return _tus(204, _upload_headers(upload))
    try:
        refusal = _finish(upload)
    except Exception:
        # Storage or database trouble while finishing: every byte is kept and acknowledged; the
        # next HEAD or PATCH retries, and nothing partial is ever visible in the store.
        log.exception("upload %s: finishing failed", upload.pk)
        upload.refresh_from_db()
        return _error(
            503,
            "storage_unavailable",
            "文件已完整接收，但暂时无法写入存储，请稍后重试",
            {**_upload_headers(upload), "Retry-After": "5"},
        )
    return _finish_response(upload, refusal)


def _stream(request: HttpRequest) -> Any:
    if request.headers.get("Content-Length") is None:
        return request.environ["wsgi.input"]  # chunked transfer: gunicorn decodes it
    return request


def _receive(
    request: HttpRequest, upload: Upload, fd: int, start: int, expected: bytes | None
) -> HttpResponse | None:
    """Append the body at ``start``. Returns an error response, or None after committing."""
    hasher: MultiHasher | None
    try:
        hasher = _hasher_at(upload, start)
    except OSError:
        hasher = None
    chunk_hash = hashlib.sha256() if expected is not None else None
    stream = _stream(request)
    position = start
    acked = start
    os.lseek(fd, start, os.SEEK_SET)
    background = _Background(chunk_hash, hasher)
    try:
        while True:
            block = stream.read(READ_SIZE)
            if not block:
                break
            if position + len(block) > upload.length:
                background.finish()
                os.ftruncate(fd, acked)
                _cache_drop(upload.pk)
                _commit(upload, acked)
                return _error(413, "beyond_length", "请求体超出声明的文件长度（Upload-Length）")
            _write_all(fd, block)
            position += len(block)
            background.update(block)
            if chunk_hash is None and position - acked >= CHECKPOINT_BYTES:
                os.fdatasync(fd)
                background.finish()
                _commit(upload, position)
                acked = position
                if hasher is not None:
                    _cache_put(upload.pk, position, hasher)
                background = _Background(chunk_hash, hasher)
    except OSError as exc:
        # Disk full or an I/O error: keep what is acknowledged, the upload stays resumable.
        background.finish()
        _cut(fd, upload, acked)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return _error(
                507,
                "disk_full",
                "服务器存储空间不足，已保留已确认的部分，可稍后续传",
                _upload_headers(upload),
            )
        if isinstance(exc, ConnectionError | TimeoutError):
            return _error(400, "disconnected", "连接中断", _upload_headers(upload))
        raise
    except Exception as exc:
        # A client that went away mid-body (gunicorn raises while reading): keep whole bytes.
        background.finish()
        if expected is not None:
            _cut(fd, upload, acked)
        else:
            _commit(upload, position)
            if hasher is not None:
                _cache_put(upload.pk, position, hasher)
        log.info("upload %s: body ended early (%s)", upload.pk, exc)
        return _error(
            400, "incomplete_body", "请求体不完整，可从已确认的位置续传", _upload_headers(upload)
        )
    background.finish()
    if chunk_hash is not None and chunk_hash.digest() != expected:
        _cut(fd, upload, start)
        return _error(
            460, "checksum_mismatch", "分块校验和不一致，该分块已丢弃", _upload_headers(upload)
        )
    _commit(upload, position)
    if hasher is not None:
        _cache_put(upload.pk, position, hasher)
    return None


def _cut(fd: int, upload: Upload, offset: int) -> None:
    os.ftruncate(fd, offset)
    _cache_drop(upload.pk)
    _commit(upload, offset)


def _commit(upload: Upload, offset: int) -> None:
    now = timezone.now()
    fields: dict[str, Any] = {
        "offset": offset,
        "updated_at": now,
        "expires_at": now + timezone.timedelta(hours=settings.CASETRAIL_UPLOAD_EXPIRY_HOURS),
    }
    if offset == upload.length:
        fields["received_at"] = now
    with transaction.atomic():
        Upload.objects.filter(pk=upload.pk).update(**fields)
    for key, value in fields.items():
        setattr(upload, key, value)


def _finish(upload: Upload) -> ActionError | None:
    """All bytes are here: digests, store, blob, record. Returns a refusal, or None."""
    path = upload.part_path
    digests = None
    if path.exists():
        hasher = _hasher_at(upload, upload.length)
        digests = {**hasher.hexdigests(), "size": hasher.size}
    try:
        ingest(upload=upload, path=Path(path), move=True, digests=digests)
    except ActionError as err:
        return err
    finally:
        _cache_drop(upload.pk)
    return None


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
