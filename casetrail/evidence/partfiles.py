"""Part files of tus uploads (``<CASETRAIL_UPLOAD_DIR>/<upload id>.part``) and their lock.

Whoever touches a part file — a PATCH writing it, a HEAD cutting a torn tail or finishing, a DELETE,
the expiry sweep — holds its per-upload exclusive lock for as long as it does: ``flock`` on the part
file itself, across processes (gunicorn workers, the task worker). Nobody waits for the lock: a PATCH
can hold it for minutes, so a second holder is told at once (``Busy``) and decides what that means
(423 for a request, "not abandoned" for the sweep).

A holder that ends an upload removes (or moves into the blob store) the part file *before* it lets
go of the lock. Whoever opened the file earlier and gets the lock afterwards holds a file that is no
longer at its path; ``locked`` notices that and reports no part file, so a late request never writes
into a removed file, nor into a blob that was renamed into the store.

This module knows files only; what the database says about an upload is ``uploads.py``'s business.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from casetrail.evidence.storage import CHUNK


class Busy(Exception):
    """Another request or job holds the part file's lock."""


class PartFile:
    """An open part file whose exclusive lock the caller holds (inside ``locked``)."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self.fd = fd

    def size(self) -> int:
        return os.fstat(self.fd).st_size

    def reconcile(self, acknowledged: int) -> int:
        """Cut away bytes past the acknowledged offset (left by a request cut off by a crash).
        Returns the size the file now has: ``acknowledged``, or less if the file lost bytes."""
        size = self.size()
        if size > acknowledged:
            self.cut(acknowledged)
            return acknowledged
        return size

    def cut(self, offset: int) -> None:
        os.ftruncate(self.fd, offset)

    def seek(self, offset: int) -> None:
        os.lseek(self.fd, offset, os.SEEK_SET)

    def write(self, data: bytes | memoryview) -> None:
        """Write all of ``data`` at the current position (``os.write`` may write less)."""
        view = memoryview(data)
        while view:
            written = os.write(self.fd, view)
            view = view[written:]

    def sync(self) -> None:
        os.fdatasync(self.fd)

    def read(self, start: int, end: int, size: int = CHUNK) -> Iterator[bytes]:
        """The bytes ``[start, end)`` in blocks of at most ``size``; raises OSError if the file is
        shorter. Positioned reads: the write position is left alone."""
        position = start
        while position < end:
            block = os.pread(self.fd, min(size, end - position), position)
            if not block:
                raise OSError(f"part file {self.path.name} is shorter than {end} bytes")
            position += len(block)
            yield block

    def remove(self) -> None:
        """Remove the part file; the caller still holds the lock until ``locked`` ends."""
        self.path.unlink(missing_ok=True)


def create(path: Path) -> None:
    """A new, empty part file only its owner may read (``O_EXCL``: never an existing one)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _still_at(fd: int, path: Path) -> bool:
    """Whether ``path`` still names the file open as ``fd``."""
    try:
        there = os.stat(path)
    except FileNotFoundError:
        return False
    here = os.fstat(fd)
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


@contextmanager
def locked(path: Path) -> Iterator[PartFile | None]:
    """The part file at ``path`` under its exclusive lock for the body of the ``with``, or None when
    there is no part file (never made, finished, terminated, expired or lost). Raises ``Busy``,
    before the body runs, when another holder has the lock."""
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        yield None
        return
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy(path.name) from None
        # The previous holder may have removed or moved the file between our open and our lock.
        yield PartFile(path, fd) if _still_at(fd, path) else None
    finally:
        os.close(fd)  # releases the lock
