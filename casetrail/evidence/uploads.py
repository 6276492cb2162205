"""tus uploads below the HTTP layer (``tus.py``): starting one, receiving a body at an offset,
committing the acknowledged offset, finishing (digests → store → ``blob_ingest`` →
``evidence_record_create``, in ``ingest.py``), terminating and expiring.

``Upload`` is mutable bookkeeping, not a recorded fact, so it is written here directly; only
finishing records anything, through the ledgered actions.

The acknowledged offset is the database's ``Upload.offset``; bytes past it in the part file (from a
request cut off by a crash) are cut away before the next request uses the file, so a resumed upload
continues exactly after the last acknowledged byte, also after a server restart. Everything that
touches an upload's part file does so under its lock (``hold`` → ``partfiles.locked``) and, once it
has the lock, reads the upload's state again: another holder may have expired, terminated or
finished it meanwhile. The expiry sweep takes the same lock without waiting and leaves an upload
whose lock is held for its next run.

SHA-256 and SM3 are computed while the bytes stream: each worker process keeps the running hash
state of the uploads it serves (``_HASHERS``); when a request lands on a process that lacks the
state (another worker, a restart) it catches up by reading only the part it has not hashed. A
checksummed chunk that fails is cut away again and the cached state dropped.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import logging
import queue
import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from enum import StrEnum
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from casetrail.evidence import partfiles, sniff
from casetrail.evidence.ingest import check_upload_metadata, ingest, new_upload, refuse
from casetrail.evidence.models import Upload
from casetrail.evidence.partfiles import PartFile
from casetrail.evidence.storage import CHUNK
from casetrail.lib.digests import MultiHasher
from casetrail.lib.errors import ActionError
from casetrail.org.models import Officer

log = logging.getLogger(__name__)

# Without a checksum, a long PATCH acknowledges its progress every this many bytes, so a crash
# mid-request loses at most this much.
CHECKPOINT_BYTES = 64 * 1024 * 1024
READ_SIZE = CHUNK  # gunicorn hands the body over in steps of at most 1 MiB anyway
GONE_STATES = (Upload.State.TERMINATED, Upload.State.EXPIRED)
SWEEP_BATCH = 200

_HASHERS: OrderedDict[uuid.UUID, tuple[int, MultiHasher]] = OrderedDict()
_HASHERS_LOCK = threading.Lock()
_HASHERS_MAX = 64


# --- running hash state ------------------------------------------------------------------------


class _Background:
    """Hash in a second thread while the request thread receives and writes (hashlib releases
    the GIL on large buffers), through a small bounded queue: memory stays a few MiB."""

    def __init__(self, *hashers: Any) -> None:
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


def _hasher_at(upload: Upload, part: PartFile, offset: int) -> MultiHasher:
    """The running hash of the first ``offset`` bytes: from the cache, caught up from the file."""
    cached = _cache_get(upload.pk)
    if cached is not None and cached[0] <= offset:
        done, hasher = cached
    else:
        done, hasher = 0, MultiHasher(("sha256", "sm3"))
    for block in part.read(done, offset, READ_SIZE):
        hasher.update(block)
    return hasher


# --- the acknowledged offset -------------------------------------------------------------------


def _commit(upload: Upload, offset: int) -> None:
    """Acknowledge ``offset``; every acknowledgement extends the upload's expiry."""
    now = timezone.now()
    fields: dict[str, Any] = {
        "offset": offset,
        "updated_at": now,
        "expires_at": now + dt.timedelta(hours=settings.CASETRAIL_UPLOAD_EXPIRY_HOURS),
    }
    if offset == upload.length:
        fields["received_at"] = now
    with transaction.atomic():
        Upload.objects.filter(pk=upload.pk).update(**fields)
    for key, value in fields.items():
        setattr(upload, key, value)


def _cut(upload: Upload, part: PartFile, offset: int) -> None:
    part.cut(offset)
    _cache_drop(upload.pk)
    _commit(upload, offset)


def _reconcile(upload: Upload, part: PartFile) -> None:
    size = part.reconcile(upload.offset)
    if size < upload.offset:  # the file lost acknowledged bytes (disk trouble): resume from it
        log.warning("upload %s: part file shorter than offset; resuming at %s", upload.pk, size)
        Upload.objects.filter(pk=upload.pk).update(offset=size)
        upload.offset = size
        _cache_drop(upload.pk)


# --- holding an upload -------------------------------------------------------------------------


class Hold(StrEnum):
    """What a request finds once it asked for an upload's part file."""

    READY = "ready"  # locked, receiving, the part file cut to the acknowledged offset
    BUSY = "busy"  # another request (or the sweep) holds the lock
    GONE = "gone"  # terminated or expired, perhaps just now for being past its Upload-Expires
    MISSING = "missing"  # receiving, but its part file is not there
    CLOSED = "closed"  # not receiving any more: finished or refused meanwhile


@contextmanager
def hold(upload: Upload) -> Iterator[tuple[Hold, PartFile | None]]:
    """Take the upload's lock for the body of the ``with`` and say what the caller may do with it.
    ``upload`` is read again under the lock; one past its expiry is expired here and then."""
    with ExitStack() as stack:
        try:
            part = stack.enter_context(partfiles.locked(upload.part_path))
        except partfiles.Busy:
            busy = True
        else:
            busy = False
        if busy:
            yield Hold.BUSY, None
            return
        upload.refresh_from_db()
        if upload.state in GONE_STATES:
            yield Hold.GONE, None
        elif upload.state != Upload.State.RECEIVING:
            yield Hold.CLOSED, None
        elif _expire(upload, part):
            yield Hold.GONE, None
        elif part is None:
            yield Hold.MISSING, None
        else:
            _reconcile(upload, part)
            yield Hold.READY, part


# --- starting, terminating, expiring ------------------------------------------------------------


def start(*, officer: Officer, length: int, metadata: dict[str, str]) -> Upload:
    """A new upload with its empty part file. Sweeps abandoned uploads first, so a busy
    server cleans up even when the scheduler is not running. Metadata that can be refused before
    any byte arrives (an unknown or retired device …) raises ActionError and creates nothing."""
    check_upload_metadata(officer=officer, meta=metadata)
    expire_uploads()
    upload = new_upload(officer=officer, length=length, metadata=metadata)
    partfiles.create(upload.part_path)
    return upload


def terminate(upload: Upload, part: PartFile | None) -> None:
    """The uploader cancels (tus termination); the caller holds the lock."""
    Upload.objects.filter(pk=upload.pk).update(
        state=Upload.State.TERMINATED, updated_at=timezone.now()
    )
    upload.state = Upload.State.TERMINATED
    if part is not None:
        part.remove()
    _cache_drop(upload.pk)


def _expire(upload: Upload, part: PartFile | None) -> bool:
    """Expire ``upload`` if it is past its expiry; the caller holds the lock (or there is no part
    file to lock). The database decides: a PATCH may have extended the expiry just before it let
    go of the lock."""
    now = timezone.now()
    if upload.expires_at >= now:
        return False
    expired = Upload.objects.filter(
        pk=upload.pk, state=Upload.State.RECEIVING, expires_at__lt=now
    ).update(state=Upload.State.EXPIRED, updated_at=now)
    if not expired:
        return False
    upload.state = Upload.State.EXPIRED
    if part is not None:
        part.remove()
    _cache_drop(upload.pk)
    return True


def expire_uploads() -> int:
    """Abandoned uploads past their expiry: state EXPIRED, part file removed. An upload whose lock
    is held is skipped: a request is writing or finishing it, so it is not abandoned. Returns the
    count expired."""
    count = 0
    for upload in Upload.objects.filter(
        state=Upload.State.RECEIVING, expires_at__lt=timezone.now()
    )[:SWEEP_BATCH]:
        try:
            with partfiles.locked(upload.part_path) as part:
                count += _expire(upload, part)
        except partfiles.Busy:
            log.info("upload %s: past its expiry but in use; left for the next sweep", upload.pk)
    return count


@task()
def expire_abandoned_uploads() -> int:
    """Discard uploads nobody finished before their Upload-Expires (run by the scheduler)."""
    return expire_uploads()


# --- receiving ---------------------------------------------------------------------------------


class Body(Protocol):
    def read(self, size: int, /) -> bytes: ...


class Received(StrEnum):
    """How a body ended."""

    ALL = "all"  # every byte written and acknowledged
    BEYOND_LENGTH = "beyond_length"  # longer than Upload-Length: cut back, acknowledged kept
    CHECKSUM_MISMATCH = "checksum_mismatch"  # the chunk did not match its checksum: cut away
    DISK_FULL = "disk_full"  # no space: acknowledged bytes kept
    DISCONNECTED = "disconnected"  # the connection broke: acknowledged bytes kept
    INCOMPLETE = "incomplete"  # the client stopped mid-body: whole bytes kept (no checksum)
    IO_ERROR = "io_error"  # another I/O error: acknowledged bytes kept


def receive(
    upload: Upload,
    part: PartFile,
    body: Body,
    start: int,
    expected: bytes | None,
    algorithm: str = "sha256",
) -> Received:
    """Append ``body`` at ``start`` (the acknowledged offset) and acknowledge what arrived. With
    ``expected`` (the chunk's digest by ``algorithm``: sha1 or sha256, the tus checksum
    extension) the chunk is all or nothing. The caller holds the lock."""
    hasher: MultiHasher | None
    try:
        hasher = _hasher_at(upload, part, start)
    except OSError:
        hasher = None
    chunk_hash = hashlib.new(algorithm) if expected is not None else None
    position = start
    acked = start
    part.seek(start)
    background = _Background(chunk_hash, hasher)
    try:
        while True:
            block = body.read(READ_SIZE)
            if not block:
                break
            if position + len(block) > upload.length:
                background.finish()
                _cut(upload, part, acked)
                return Received.BEYOND_LENGTH
            part.write(block)
            position += len(block)
            background.update(block)
            if chunk_hash is None and position - acked >= CHECKPOINT_BYTES:
                part.sync()
                background.finish()
                _commit(upload, position)
                acked = position
                if hasher is not None:
                    _cache_put(upload.pk, position, hasher)
                background = _Background(chunk_hash, hasher)
    except OSError as exc:
        # Disk full or an I/O error: keep what is acknowledged, the upload stays resumable.
        background.finish()
        _cut(upload, part, acked)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return Received.DISK_FULL
        if isinstance(exc, ConnectionError | TimeoutError):
            return Received.DISCONNECTED
        log.exception("upload %s: I/O error while receiving", upload.pk)
        return Received.IO_ERROR
    except Exception as exc:
        # A client that went away mid-body (gunicorn raises while reading): keep whole bytes.
        background.finish()
        if expected is not None:
            _cut(upload, part, acked)
        else:
            part.sync()  # an acknowledged offset is on disk (issue 15: durability)
            _commit(upload, position)
            if hasher is not None:
                _cache_put(upload.pk, position, hasher)
        log.info("upload %s: body ended early (%s)", upload.pk, exc)
        return Received.INCOMPLETE
    background.finish()
    if chunk_hash is not None and chunk_hash.digest() != expected:
        _cut(upload, part, start)
        return Received.CHECKSUM_MISMATCH
    part.sync()  # the offset acknowledged to the client is on disk before it is committed
    _commit(upload, position)
    if hasher is not None:
        _cache_put(upload.pk, position, hasher)
    return Received.ALL


# --- early refusal -----------------------------------------------------------------------------


def refuse_if_not_media(upload: Upload, part: PartFile, start: int) -> ActionError | None:
    """Judge the head of the file once a PATCH brought enough of it (``sniff``): a file whose
    first bytes show it is not a photo, audio or video is refused now — the part file removed, the
    upload REFUSED with the same code as at the end — instead of after its last byte. ``start``
    is where this PATCH began: the head is judged only while it is still arriving. The caller
    holds the lock."""
    if start >= sniff.SNIFF_BYTES or upload.offset >= upload.length:
        return None  # judged before, or complete: finishing probes the whole file
    end = min(upload.offset, sniff.SNIFF_BYTES)
    try:
        head = b"".join(part.read(0, end, READ_SIZE))
    except OSError:
        return None
    verdict, shown = sniff.judge(head)
    if verdict is not sniff.Verdict.NOT_MEDIA:
        return None
    what = "" if shown == "unknown" else f"（{shown}）"
    err = ActionError(
        "unsupported_type",
        f"文件开头的内容不是照片、录音或录像{what}，已停止接收；只接收照片、录音和录像",
    )
    refuse(upload, err)
    part.remove()
    _cache_drop(upload.pk)
    return err


# --- finishing ---------------------------------------------------------------------------------


def finish(upload: Upload, part: PartFile | None) -> ActionError | None:
    """All bytes are here: digests, store, blob, record. The caller holds the lock, so nobody
    writes, cuts or expires the part file while it moves into the store. Returns a refusal of the
    file (the upload then says why), or None; raises when storage or the database fails (every
    byte stays acknowledged and the next HEAD or PATCH retries)."""
    digests = None
    if part is not None:
        hasher = _hasher_at(upload, part, upload.length)
        digests = {**hasher.hexdigests(), "size": hasher.size}
    try:
        ingest(upload=upload, path=upload.part_path, move=True, digests=digests)
    except ActionError as err:
        return err
    finally:
        _cache_drop(upload.pk)
    return None
