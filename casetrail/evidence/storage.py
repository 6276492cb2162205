"""The content-addressed blob store over Django STORAGES["evidence"].

Keys are ``ab/cd/<sha256>``. Two backends:

* the local file system (``FileSystemStorage`` under ``var/blobs``): a complete file is made
  read-only and moved in with an atomic ``rename`` from a temporary name in the same directory,
  so a blob is either absent or whole;
* S3-compatible object storage (``EvidenceS3Storage``, django-storages/boto3): objects are written
  by boto3's managed (multipart) upload, which makes the object visible only once every part is
  complete; with ``S3_OBJECT_LOCK_DAYS`` each original gets Object Lock retention.

Reads stream in bounded chunks (``iter_bytes``) for hashing and HTTP Range playback; nothing here
reads a whole blob into memory.

Neither writes nor reads of the store run inside a database transaction (``lib.outside``, issue
18): on S3 each is a request to another machine, which may take its whole timeout while the
transaction holds its locks. ``put_file``, ``put_derived``, ``exists``, ``size``, ``iter_bytes``
and ``open_derived`` refuse inside one on **both** backends: a local read is only a disk read, but
guarding it too makes the suite, which runs on the file store, find the read an S3 deployment
would make inside a transaction (the same choice as for uploads). ``path`` (the file backend's
own access, for callers that branch on ``is_file``) is not guarded: its callers are guarded
where they read (``archive.render.open_blob_pdf``).
"""

from __future__ import annotations

import datetime as dt
import errno
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from storages.backends.s3 import S3Storage

from casetrail.lib.digests import MultiHasher
from casetrail.lib.ledgered import current_action
from casetrail.lib.outside import require_no_transaction

CHUNK = 1024 * 1024  # bounded read size everywhere in the evidence app


class EvidenceS3Storage(S3Storage):
    """S3 storage for originals: Object Lock retention when configured."""

    def get_object_parameters(self, name: str) -> dict[str, Any]:
        params = dict(super().get_object_parameters(name))
        days = settings.S3_OBJECT_LOCK_DAYS
        if days and not name.startswith("derived/"):
            params["ObjectLockMode"] = "COMPLIANCE"
            params["ObjectLockRetainUntilDate"] = dt.datetime.now(dt.UTC) + dt.timedelta(days=days)
        return params


def blob_key(sha256: str) -> str:
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


def poster_key(sha256: str) -> str:
    return f"derived/{sha256[:2]}/{sha256}.jpg"


class BlobStore:
    """What the evidence app needs from a storage: put once, exists, size, stream a range."""

    def __init__(self, storage: Any | None = None) -> None:
        # Any: a FileSystemStorage or django-storages' S3Storage (its bucket is used directly).
        self.storage: Any = storage if storage is not None else storages["evidence"]
        self.is_file = isinstance(self.storage, FileSystemStorage)
        self.name = "file" if self.is_file else "s3"

    # --- paths (file backend) ---
    def path(self, sha256: str) -> Path:
        return Path(self.storage.path(blob_key(sha256)))

    def reading(self, what: str) -> None:
        """Refuse a read of ``what`` inside a transaction (``lib.outside``; see the module)."""
        require_no_transaction(f"reading {what} from the blob store ({self.name})")

    def exists(self, sha256: str) -> bool:
        self.reading(f"whether blob {sha256[:12]}… exists")
        return bool(self.storage.exists(blob_key(sha256)))

    def size(self, sha256: str) -> int | None:
        self.reading(f"the size of blob {sha256[:12]}…")
        try:
            return int(self.storage.size(blob_key(sha256)))
        except (FileNotFoundError, OSError):
            return None
        except Exception as exc:  # botocore ClientError 404
            if _is_not_found(exc):
                return None
            raise

    def put_file(self, sha256: str, source: Path, *, move: bool) -> None:
        """Store the complete file ``source`` as blob ``sha256`` unless it is already there.

        ``move``: the file is ours to consume (a finished upload) — on the file backend it is renamed
        into place (same file system) instead of copied. The original source of an import is never
        moved or changed (``move=False``). Never inside a transaction (``lib.outside``): on S3
        this is an upload of any size; an action's blob is uploaded before it (``upload_before``)."""
        require_no_transaction(f"storing blob {sha256[:12]}… ({self.name})")
        if self.exists(sha256):
            return
        if self.is_file:
            target = self.path(sha256)
            target.parent.mkdir(parents=True, exist_ok=True)
            if move:
                try:
                    # Durability: the bytes reach the disk before the name does, so a power cut
                    # after the rename never leaves an empty or torn blob under its digest.
                    _fsync_file(source)
                    os.chmod(source, 0o444)
                    os.rename(source, target)  # atomic; same file system
                    _fsync_dir(target.parent)
                    return
                except OSError as exc:
                    if exc.errno != errno.EXDEV:
                        raise
            self._copy_in(source, target)
        else:
            with source.open("rb") as fh:
                # S3Storage._save → boto3 upload_fileobj: multipart for large files, the object
                # appears only when the upload completes.
                self.storage.save(blob_key(sha256), fh)

    def _copy_in(self, source: Path, target: Path) -> None:
        """Copy to a temporary name beside the target, fsync, make read-only, rename."""
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as out, source.open("rb") as src:
                shutil.copyfileobj(src, out, CHUNK)
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o444)
            os.rename(tmp, target)
            _fsync_dir(target.parent)
        except BaseException:
            with _suppress():
                os.unlink(tmp)
            raise

    def iter_bytes(
        self, sha256: str, start: int = 0, end: int | None = None, chunk: int = CHUNK
    ) -> Iterator[bytes]:
        """Yield the bytes [start, end] (inclusive end; None = to the end) in bounded chunks.
        Refused inside a transaction when the first chunk is asked for (a generator)."""
        self.reading(f"blob {sha256[:12]}…")
        if self.is_file:
            with self.path(sha256).open("rb") as fh:
                fh.seek(start)
                remaining = None if end is None else end - start + 1
                while remaining is None or remaining > 0:
                    block = fh.read(chunk if remaining is None else min(chunk, remaining))
                    if not block:
                        return
                    if remaining is not None:
                        remaining -= len(block)
                    yield block
        else:
            rng = f"bytes={start}-" + ("" if end is None else str(end))
            obj = self.storage.bucket.Object(self.storage._normalize_name(blob_key(sha256)))
            body = obj.get(Range=rng)["Body"]
            try:
                yield from body.iter_chunks(chunk)
            finally:
                body.close()

    def is_write_protected(self, sha256: str) -> bool:
        if not self.is_file:
            return True
        return not (self.path(sha256).stat().st_mode & 0o222)

    # --- derived files (posters): replaceable, not originals ---
    def put_derived(self, key: str, data: bytes) -> None:
        from django.core.files.base import ContentFile

        require_no_transaction(f"storing the derived file {key} ({self.name})")

        if self.storage.exists(key):
            if self.is_file:
                os.chmod(self.storage.path(key), 0o644)
            self.storage.delete(key)
        self.storage.save(key, ContentFile(data))

    def open_derived(self, key: str) -> Any:
        self.reading(f"the derived file {key}")
        return self.storage.open(key, "rb")


def _is_not_found(exc: Exception) -> bool:
    response = getattr(exc, "response", None)
    code = (response or {}).get("Error", {}).get("Code") if isinstance(response, dict) else None
    return code in ("404", "NoSuchKey", "NotFound")


def _fsync_dir(path: Path) -> None:
    _fsync_file(path)


def _fsync_file(path: Path) -> None:
    """fsync a file or a folder by path (a folder: its entries, after a rename into it)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _suppress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return True


def blob_store() -> BlobStore:
    return BlobStore()


def put_bytes(data: bytes) -> dict[str, str]:
    """Store ``data`` (held in memory: a scan, a drawn signature, a PDF) as a blob unless it is
    already there, outside any transaction. Returns its digests {"sha256": …, "sm3": …} (hex).
    Raises ``InsideTransaction`` inside one."""
    require_no_transaction("storing a blob's bytes")
    digests = MultiHasher(("sha256", "sm3")).update(data).hexdigests()
    store = blob_store()
    if not store.exists(digests["sha256"]):
        with tempfile.NamedTemporaryFile(delete=False) as tmp:
            tmp.write(data)
        store.put_file(digests["sha256"], Path(tmp.name), move=True)
    return digests


def upload_before(*datas: bytes) -> dict[str, Any]:
    """For an action's ``before`` hook: store each non-empty ``datas`` before the transaction.
    Returns ``{"blobs": {sha256, …}}`` for ``act.prepared`` (read by ``uploaded_before``)."""
    return {"blobs": frozenset(put_bytes(d)["sha256"] for d in datas if d)}


def uploaded_before(sha256: str) -> bool:
    """Whether the running action's ``before`` hook stored blob ``sha256`` already."""
    act = current_action()
    return act is not None and sha256 in act.prepared.get("blobs", ())


def hash_path(path: Path) -> dict[str, str]:
    """{"sha256", "sm3", "size"} of the file at ``path``, streamed (bounded memory)."""
    hasher = MultiHasher(("sha256", "sm3"))
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            hasher.update(block)
    return {**hasher.hexdigests(), "size": str(hasher.size)}


def upload_path_before(
    path: Path, *, digests: dict[str, str] | None = None, magic: bytes = b""
) -> dict[str, Any]:
    """For an action's ``before`` hook: the finished file at ``path`` moved into the store before
    the transaction (the caller's to consume, as the action would have). ``digests`` when the
    caller hashed it as it wrote it; ``magic``: only a file that starts so is stored (the action
    refuses the others as before). Returns ``{"blobs": {sha256}, "paths": {path: digests}}``."""
    path = Path(path)
    if magic:
        with path.open("rb") as fh:
            if fh.read(len(magic)) != magic:
                return {}
    digests = digests or hash_path(path)
    blob_store().put_file(digests["sha256"], path, move=True)
    return {"blobs": frozenset({digests["sha256"]}), "paths": {str(path): digests}}


def uploaded_path(path: Path) -> dict[str, str] | None:
    """The digests of the file at ``path`` when the running action's ``before`` hook stored it
    (``upload_path_before``; the file is then no longer at ``path``), else None."""
    act = current_action()
    return None if act is None else act.prepared.get("paths", {}).get(str(path))
