"""Destroyed bytes (档案销毁): which blobs were destroyed on purpose, deleting their bytes from the
store after the destroying action committed, the daily pass that deletes what a dead process left,
and the answer a download of destroyed bytes gets (410 ``destroyed``, 已销毁)."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable

from django.http import HttpRequest, HttpResponse, JsonResponse

from casetrail.evidence.models import DestroyedBlob, PendingDeletion
from casetrail.evidence.storage import BlobStore, blob_key, blob_store, poster_key

log = logging.getLogger(__name__)

CODE, MESSAGE = "destroyed", "已销毁"


def destroyed_set(sha256s: Iterable[str] | None = None) -> set[str]:
    """The SHA-256 of every destroyed blob (or of those among ``sha256s``)."""
    rows = DestroyedBlob.objects.all()
    if sha256s is not None:
        rows = rows.filter(sha256__in=list(sha256s))
    return set(rows.values_list("sha256", flat=True))


def is_destroyed(sha256: str) -> bool:
    return DestroyedBlob.objects.filter(sha256=sha256).exists()


def gone(sha256: str, store: BlobStore | None = None) -> bool:
    """The bytes were destroyed and are not in the store (the same content stored again later
    is served again)."""
    return is_destroyed(sha256) and not (store or blob_store()).exists(sha256)


def gone_response(request: HttpRequest) -> HttpResponse:
    """410 with code ``destroyed``: JSON under /api/, a short page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": CODE, "message": MESSAGE}, status=410)
    return HttpResponse(
        f"<!doctype html><meta charset=utf-8><title>{MESSAGE}</title><p>{MESSAGE}：该文件已依法销毁"
        "（见销毁清册），不能再查阅或下载。</p>",
        status=410,
        content_type="text/html; charset=utf-8",
    )


def delete_bytes(sha256: str, store: BlobStore | None = None) -> bool:
    """Delete a destroyed blob's bytes (and its poster frame) from the store; True when nothing
    is left, and then its ``PendingDeletion`` row goes. A failure (S3 Object Lock still running,
    a permission) is logged and left to the daily pass."""
    store = store or blob_store()
    try:
        if store.is_file:
            for path in (store.path(sha256), store.storage.path(poster_key(sha256))):
                try:
                    os.unlink(path)  # a read-only file: unlinking needs the folder's permission
                except FileNotFoundError:
                    pass
        else:
            for key in (blob_key(sha256), poster_key(sha256)):
                store.storage.delete(key)
    except Exception:
        log.exception("could not delete destroyed blob %s", sha256)
        return False
    if store.exists(sha256):
        return False
    PendingDeletion.objects.filter(sha256=sha256).delete()
    return True


def purge_destroyed(store: BlobStore | None = None) -> int:
    """The daily pass: delete the bytes of the destroyed blobs whose deletion is still pending
    (the process that destroyed them died between its commit and the deletion, or the store
    refused). Returns how many it deleted."""
    store = store or blob_store()
    pending = PendingDeletion.objects.order_by("since", "sha256").values_list("sha256", flat=True)
    return sum(delete_bytes(sha256, store) for sha256 in pending)
