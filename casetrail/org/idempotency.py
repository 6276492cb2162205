"""``Idempotency-Key`` on POST (issue 10, item 18; draft-ietf-httpapi-idempotency-key-header):
the same key with the same request answers the first result again instead of writing a second
permanent record — a double-click on a form, or a client retrying after a dropped connection,
no longer makes two identical insert-only records.

* The key comes from the ``Idempotency-Key`` header (API clients) or the hidden form field
  ``idempotency_key`` that every web form carries (``{% idempotency_field %}``, a new key each
  time a form is shown). Keys are per login: the session's user, or the user of an
  ``Authorization: Token`` header.
* The first request stores a fingerprint of what was sent (method, path, query, body; a form's
  fields without its CSRF token, its files by digest) and, once it succeeded (status < 400), its
  answer: status, body and the headers that matter (Content-Type, Location, htmx and CaseTrail
  headers). A repeat with the same fingerprint gets that answer again, marked
  ``Idempotent-Replayed: true``; a different request under the same key is refused with 422
  ``idempotency_key_reused``. A repeat that arrives while the first is still running waits for it
  (``CASETRAIL_IDEMPOTENCY_WAIT_SECONDS``), then answers as above, or 409
  ``idempotency_in_progress`` if it is still running.
* An answer of 400 or more wrote nothing: its key is released, and a corrected request may use it.
* Keys expire after ``CASETRAIL_IDEMPOTENCY_HOURS``; the scheduler deletes expired ones.

Where the keys live: a small table of the org app (``IdempotencyKey``), the lowest app that has
the logins. Not the cache: the default cache is per process (gunicorn runs several), and the
database cache needs a ``createcachetable`` step outside migrations; a table gives one answer to
every worker, a unique constraint that settles a race between two workers, and the same backup.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django_tasks import task
from rest_framework import exceptions
from rest_framework.request import Request

from casetrail.lib.middleware import is_api, json_error
from casetrail.org.models import IdempotencyKey
from casetrail.org.tokens import HashedTokenAuthentication

log = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
FORM_FIELD = "idempotency_key"
_KEY = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII, as the draft's sf-string allows
# Paths with their own retry semantics: tus uploads resume by offset.
EXEMPT_PREFIXES = ("/api/uploads",)
# Headers of an answer worth replaying (never cookies: a session is not replayed).
REPLAYED_HEADERS = ("content-type", "location", "cache-control", "retry-after")
REPLAYED_PREFIXES = ("hx-", "casetrail-")
MAX_STORED_BODY = 8 * 1024 * 1024
POLL_SECONDS = 0.1


def _user(request: HttpRequest) -> Any:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    try:
        found = HashedTokenAuthentication().authenticate(Request(request))
    except exceptions.APIException:
        return None
    return found[0] if found else None


def _key(request: HttpRequest) -> str | None:
    key = request.headers.get(HEADER)
    if key is None and request.content_type in (
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ):
        key = request.POST.get(FORM_FIELD) or None
    return key


def fingerprint(request: HttpRequest) -> str:
    """SHA-256 of what the request asks: method, path, query and body. A form is taken by its
    fields (a browser draws a new multipart boundary for each submission, and the CSRF token is
    no part of the request's meaning), its files by their digests."""
    digest = hashlib.sha256()
    digest.update(
        f"{request.method} {request.path}?{request.META.get('QUERY_STRING', '')}\n".encode()
    )
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        fields = sorted(
            (name, value)
            for name, values in request.POST.lists()
            if name not in (FORM_FIELD, "csrfmiddlewaretoken")
            for value in values
        )
        files = []
        for name in sorted(request.FILES):
            for uploaded in request.FILES.getlist(name):
                file_digest = hashlib.sha256()
                for chunk in uploaded.chunks():
                    file_digest.update(chunk)
                uploaded.seek(0)
                files.append((name, uploaded.name, file_digest.hexdigest()))
        digest.update(json.dumps([fields, files], ensure_ascii=False).encode())
    else:
        digest.update((request.content_type or "").encode() + b"\n" + request.body)
    return digest.hexdigest()


def _refusal(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    if is_api(request):
        return json_error(request, status, code, message)
    return render(
        request,
        "error.html",
        {"status": status, "title": "请求未处理", "message": message},
        status=status,
    )


def _replay(row: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(bytes(row.body), status=row.status or 200)
    for name, value in row.headers.items():
        response[name] = value
    response["Idempotent-Replayed"] = "true"
    return response


def _store(row: IdempotencyKey, response: HttpResponse) -> None:
    headers = {
        name: value
        for name, value in response.items()
        if name.lower() in REPLAYED_HEADERS or name.lower().startswith(REPLAYED_PREFIXES)
    }
    IdempotencyKey.objects.filter(pk=row.pk).update(
        status=response.status_code, headers=headers, body=response.content
    )


def _release(row: IdempotencyKey) -> None:
    IdempotencyKey.objects.filter(pk=row.pk).delete()


def _claim(user: Any, key: str, print_: str) -> tuple[IdempotencyKey | None, IdempotencyKey | None]:
    """(the row this request now owns, None) or (None, the row another request made)."""
    now = timezone.now()
    IdempotencyKey.objects.filter(user=user, key=key, expires_at__lte=now).delete()
    try:
        with transaction.atomic():
            row = IdempotencyKey.objects.create(
                user=user,
                key=key,
                fingerprint=print_,
                created_at=now,
                expires_at=now + dt.timedelta(hours=settings.CASETRAIL_IDEMPOTENCY_HOURS),
            )
        return row, None
    except IntegrityError:
        return None, IdempotencyKey.objects.filter(user=user, key=key).first()


class IdempotencyMiddleware:
    """Answer a repeated POST with its first answer (see the module's docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method != "POST" or request.path.startswith(EXEMPT_PREFIXES):
            return self.get_response(request)
        key = _key(request)
        if key is None:
            return self.get_response(request)
        if not _KEY.fullmatch(key):
            return _refusal(
                request,
                400,
                "invalid_idempotency_key",
                "Idempotency-Key 应为 1 至 255 个可见 ASCII 字符",
            )
        user = _user(request)
        if user is None:  # the view answers 401 / the login page
            return self.get_response(request)
        print_ = fingerprint(request)
        deadline = time.monotonic() + settings.CASETRAIL_IDEMPOTENCY_WAIT_SECONDS
        while True:
            mine, theirs = _claim(user, key, print_)
            if mine is not None:
                return self._run(request, mine)
            if theirs is None:
                continue  # released just now by a failed first request: claim it again
            if theirs.fingerprint != print_:
                return _refusal(
                    request,
                    422,
                    "idempotency_key_reused",
                    "该 Idempotency-Key 已用于另一个不同的请求；每个新请求请使用新的键",
                )
            if theirs.status is not None:
                return _replay(theirs)
            if time.monotonic() >= deadline:
                response = _refusal(
                    request,
                    409,
                    "idempotency_in_progress",
                    "同一请求正在处理中，请稍候刷新查看结果，不要重复提交",
                )
                response["Retry-After"] = "1"
                return response
            time.sleep(POLL_SECONDS)  # a double-click: wait for the first click's answer

    def _run(self, request: HttpRequest, row: IdempotencyKey) -> HttpResponse:
        try:
            response = self.get_response(request)
        except BaseException:
            _release(row)
            raise
        storable = not response.streaming and len(response.content) <= MAX_STORED_BODY
        if response.status_code >= 400 or not storable:
            _release(row)  # nothing was written (or nothing replayable): the key is free again
        else:
            _store(row, response)
        return response


def delete_expired() -> int:
    count, _ = IdempotencyKey.objects.filter(expires_at__lte=timezone.now()).delete()
    return int(count)


@task()
def expire_idempotency_keys() -> int:
    """Delete expired Idempotency-Keys (run by the scheduler)."""
    return delete_expired()
