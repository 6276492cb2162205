"""The archive information package (AIP, GB/T 39362 / OAIS): a BagIt bag (RFC 8493) written as
one tar, streamed — each stored file read once, its SHA-256, SHA-512 and SM3 computed as it is
copied into the tar — with ``manifest-sha256.txt``, ``manifest-sha512.txt``, ``manifest-sm3.txt``
and their tag manifests, holding:

- ``data/casefile.pdf``: the 案卷 PDF/A;
- ``data/documents/NNN.pdf``: each issued document (and 附件) as issued;
- ``data/media/NNN-<name>``: each audio/video original;
- ``data/metadata.xml``: the case, the file's 著录 items, each item's metadata, the 四性 report;
- ``data/ledger/``: every ledger entry of the case, its inclusion proof and the signed checkpoint
  (C2SP tlog-proof files).

The tar is written to a temporary name in the store's own temporary folder and becomes the
package only by the atomic rename into the blob store (``writes.store_file``): a ``kill -9`` while
packaging leaves at most a temporary file, removed by the next attempt. A live packager holds an
``flock`` on its temporary file (the kernel drops it when the process dies, however it dies), and
the folder's ``.lock`` is held while a temporary file is made and locked and while leftovers are
swept: the sweep removes only files nobody holds, never a running packager's.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import io
import os
import tarfile
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from django.utils import timezone

from casetrail.archive.models import CaseFile, FileItem, ItemKind
from casetrail.evidence.storage import blob_store
from casetrail.lib.digests import MultiHasher, new_hasher

ALGORITHMS = ("sha256", "sha512", "sm3")
PREFIX = ".aip-"


def work_dir() -> Path:
    """Where packages are written before they are moved into the store: beside the blobs on the
    file store (same file system: the move is a rename), else the system's temporary folder."""
    store = blob_store()
    root = (
        Path(store.storage.location) / "tmp-packages"
        if store.is_file
        else Path(tempfile.gettempdir()) / "casetrail-packages"
    )
    root.mkdir(parents=True, exist_ok=True)
    return root


@contextlib.contextmanager
def folder_lock(root: Path) -> Iterator[None]:
    """The temporary folder's own lock: making-and-locking a temporary file and sweeping
    leftovers never interleave (a sweep cannot take a file made but not yet locked)."""
    fd = os.open(root / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def clean_stale(root: Path) -> list[str]:
    """Remove what interrupted attempts left: every temporary package no live process holds
    locked (a killed packager's lock died with it). Returns the names removed."""
    removed: list[str] = []
    with folder_lock(root):
        for child in root.iterdir():
            if not child.name.startswith(PREFIX):
                continue
            try:
                fd = os.open(child, os.O_RDONLY)
            except OSError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # a running packager's file
            finally:
                os.close(fd)
            with contextlib.suppress(OSError):
                child.unlink()
                removed.append(child.name)
    return removed


class _Hashing:
    def __init__(self, source: Iterator[bytes]) -> None:
        self.source = source
        self.buffer = b""
        self.pos = 0
        self.hashers: dict[str, Any] = {
            "sha256": hashlib.sha256(),
            "sha512": hashlib.sha512(),
            "sm3": new_hasher("sm3"),
        }

    def _next(self) -> bool:
        block = next(self.source, None)
        if block is None:
            return False
        for h in self.hashers.values():
            h.update(block)
        self.buffer, self.pos = block, 0
        return True

    def read(self, size: int = -1) -> bytes:
        """Exactly ``size`` bytes unless the stream ends (tarfile asks for small pieces: slices
        of the current block are returned, never a copy of the rest of it)."""
        parts: list[bytes] = []
        wanted = size
        while wanted != 0:
            if self.pos >= len(self.buffer) and not self._next():
                break
            take = (
                len(self.buffer) - self.pos
                if wanted < 0
                else min(wanted, len(self.buffer) - self.pos)
            )
            parts.append(self.buffer[self.pos : self.pos + take])
            self.pos += take
            if wanted > 0:
                wanted -= take
        if len(parts) == 1:
            return parts[0]
        return b"".join(parts)

    def hexdigests(self) -> dict[str, str]:
        return {name: h.hexdigest() for name, h in self.hashers.items()}


@dataclass
class Bag:
    tar: tarfile.TarFile
    manifests: dict[str, list[str]] = field(default_factory=lambda: {a: [] for a in ALGORITHMS})
    files: int = 0
    payload_bytes: int = 0

    def _info(self, name: str, size: int) -> tarfile.TarInfo:
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = size, int(time.time()), 0o444
        return info

    def add_stream(self, name: str, size: int, chunks: Iterator[bytes]) -> None:
        """A payload file from a stream of ``size`` bytes, hashed as it is copied."""
        reader = _Hashing(chunks)
        self.tar.addfile(self._info(name, size), reader)
        for algorithm, value in reader.hexdigests().items():
            self.manifests[algorithm].append(f"{value}  {name}")
        self.files += 1
        self.payload_bytes += size

    def add_bytes(self, name: str, data: bytes, *, payload: bool = True) -> None:
        if payload:
            self.add_stream(name, len(data), iter([data]))
        else:
            self.tar.addfile(self._info(name, len(data)), io.BytesIO(data))


def _stored(bag: Bag, name: str, sha256: str, size: int) -> None:
    bag.add_stream(name, size, blob_store().iter_bytes(sha256, chunk=1 << 20))


def metadata_xml(case_file: CaseFile, items: list[FileItem]) -> bytes:
    """The case, the 案卷's 著录 items (DA/T 22 / GB/T 9705), each item's metadata (DA/T 63 for
    audio/video) and the latest 四性检测 report."""
    case = case_file.case
    root = ET.Element("archive", {"standard": "DA/T 22-2015; DA/T 70-2018; GB/T 9705-2008"})
    ET.SubElement(
        root,
        "case",
        {
            "number": case.number or "",
            "title": case.title,
            "unit": case.unit.name,
            "procedure": case.get_procedure_display(),
            "major": "true" if case.is_major else "false",
            "closed_at": case.closed_at.isoformat() if case.closed_at else "",
        },
    )
    f = ET.SubElement(
        root,
        "file",
        {
            "archive_code": case_file.archive_code,
            "fonds_code": case_file.fonds_code,
            "fonds_name": case_file.fonds_name,
            "category": case_file.category_name,
            "title": case_file.title,
            "year": str(case_file.year),
            "retention": case_file.get_retention_display(),
            "retention_basis": case_file.retention_basis,
            "version": str(case_file.version),
            "pieces": str(case_file.piece_count),
            "pages": str(case_file.pages),
            "media": str(case_file.media_count),
            "assembled_by": case_file.assembled_by.name,
            "assembled_at": case_file.assembled_at.isoformat(),
            "checked_by": case_file.checked_by.name if case_file.checked_by else "",
            "archived_at": case_file.archived_at.isoformat() if case_file.archived_at else "",
        },
    )
    for i in items:
        attrs = {
            "seq": str(i.seq),
            "kind": i.kind,
            "title": i.title,
            "doc_no": i.doc_no,
            "responsible": i.responsible,
            "date": i.date.isoformat(),
            "pages": str(i.pages),
            "start_page": str(i.start_page or ""),
            "format": i.blob.media_type,
            "size": str(i.blob.size),
            "sha256": i.blob.sha256,
            "sm3": i.blob.sm3,
            "path": payload_name(i),
        }
        if i.reason:
            attrs["reason"] = i.reason
        if i.item is not None:
            item = i.item
            attrs |= {
                "recorder": item.officer.name,
                "device": item.device.serial if item.device else "",
                "recorded_start": item.recorded_start.isoformat() if item.recorded_start else "",
                "recorded_end": item.recorded_end.isoformat(),
                "duration_ms": str((item.media or {}).get("duration_ms") or ""),
                "place": item.place,
                "informed": item.get_informed_display(),
            }
        ET.SubElement(f, "item", attrs)
    report = case_file.reports.order_by("-at", "-id").first()
    if report is not None:
        r = ET.SubElement(
            root,
            "check_report",
            {"passed": str(report.passed).lower(), "at": report.at.isoformat()},
        )
        for res in report.results.all():
            ET.SubElement(
                r,
                "result",
                {
                    "aspect": res.get_aspect_display(),
                    "code": res.code,
                    "title": res.title,
                    "target": res.target,
                    "passed": str(res.passed).lower(),
                    "detail": res.detail,
                },
            )
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def payload_name(i: FileItem) -> str:
    if i.kind == ItemKind.MEDIA:
        original = (i.item.file_name if i.item else "") or "media"
        safe = "".join(c if c.isascii() and (c.isalnum() or c in "._-") else "_" for c in original)
        return f"data/media/{i.seq:03d}-{safe[-80:]}"
    return f"data/documents/{i.seq:03d}.pdf"


def _tag_files(bag: Bag, *, case_file: CaseFile) -> None:
    """bagit.txt, bag-info.txt, the payload manifests and the tag manifests over them."""
    tags: dict[str, bytes] = {
        "bagit.txt": b"BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-8\n",
        "bag-info.txt": (
            f"Source-Organization: {case_file.fonds_name}\n"
            f"External-Identifier: {case_file.archive_code}\n"
            f"External-Description: {case_file.title}\n"
            f"Bagging-Date: {timezone.localdate().isoformat()}\n"
            f"Payload-Oxum: {bag.payload_bytes}.{bag.files}\n"
            f"Bag-Software-Agent: CaseTrail\n"
        ).encode(),
    }
    for algorithm in ALGORITHMS:
        tags[f"manifest-{algorithm}.txt"] = ("\n".join(bag.manifests[algorithm]) + "\n").encode()
    for name, data in tags.items():
        bag.add_bytes(name, data, payload=False)
    for algorithm in ALGORITHMS:
        lines = [f"{new_digest(algorithm, data)}  {name}" for name, data in tags.items()]
        bag.add_bytes(
            f"tagmanifest-{algorithm}.txt", ("\n".join(lines) + "\n").encode(), payload=False
        )


def new_digest(algorithm: str, data: bytes) -> str:
    h = new_hasher("sm3", data) if algorithm == "sm3" else hashlib.new(algorithm, data)
    return h.hexdigest()


def write_package(
    case_file: CaseFile, items: list[FileItem], ledger_writer: Any, out: Any
) -> tuple[int, int]:
    """Write the bag as a tar to ``out``; returns (payload files, payload bytes).
    ``ledger_writer(dest: Path)`` writes the ledger extract into a folder."""
    with tarfile.open(fileobj=out, mode="w|", format=tarfile.PAX_FORMAT) as tar:
        bag = Bag(tar)
        assert case_file.pdf is not None
        _stored(bag, "data/casefile.pdf", case_file.pdf.sha256, case_file.pdf.size)
        for i in items:
            _stored(bag, payload_name(i), i.blob.sha256, i.blob.size)
        bag.add_bytes("data/metadata.xml", metadata_xml(case_file, items))
        with tempfile.TemporaryDirectory(prefix="ledger-extract-") as tmp:
            ledger_writer(Path(tmp))
            for path in sorted(Path(tmp).rglob("*")):
                if path.is_file():
                    bag.add_bytes(
                        f"data/ledger/{path.relative_to(tmp).as_posix()}", path.read_bytes()
                    )
        _tag_files(bag, case_file=case_file)
        return bag.files, bag.payload_bytes


class HashingWriter:
    """The tar's own SHA-256 and SM3 computed as it is written (no second read to store it)."""

    def __init__(self, out: BinaryIO) -> None:
        self.out = out
        self.hasher = MultiHasher(("sha256", "sm3"))

    def write(self, data: bytes) -> int:
        self.hasher.update(data)
        return self.out.write(data)

    def digests(self) -> dict[str, str]:
        return {**self.hasher.hexdigests(), "size": str(self.hasher.size)}


@contextlib.contextmanager
def package_temp() -> Iterator[tuple[int, Path]]:
    """A new temporary package file (fd open for writing, path), held locked until the block
    ends — past the rename into the store — after sweeping what dead packagers left."""
    root = work_dir()
    clean_stale(root)
    with folder_lock(root):
        fd, name = tempfile.mkstemp(prefix=PREFIX, suffix=".tar", dir=root)
        # A second open file description holds the lock: the writer's fd is closed before the
        # rename, the lock must outlive it.
        holder = os.open(name, os.O_RDONLY)
        fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        yield fd, Path(name)
    finally:
        os.close(holder)


def fsync(fh: BinaryIO) -> None:
    fh.flush()
    os.fsync(fh.fileno())
