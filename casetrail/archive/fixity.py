"""Scheduled fixity of the archive (第三十一条: 保存; DA/T 70 at every cycle, not only at
archiving): every archived 案卷's package, its PDF and every file it holds re-hashed (SHA-256 and
SM3, streamed) on a cycle (``CASETRAIL_ARCHIVE_FIXITY_DAYS``, default 7), spread over the cycle so
a day reads about 1/cycle of the archive: each run takes the files checked longest ago until its
share of bytes is read (at least one file). Each package is read once and checked twice over: as
a whole (its recorded SHA-256, SM3 and size) and as a BagIt bag (RFC 8493 §3 validation): every
file inside it re-hashed against ``manifest-sha256.txt``, ``manifest-sha512.txt`` and
``manifest-sm3.txt``, the tag files against the tag manifests, and a file missing from a
manifest or a manifest line without its file named. Each file's result is a ledgered ``FixityCheck``; a
failure is a finding on the custodian's and the supervisor's worklists (``oversight``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import tarfile
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models import Max
from django.utils import timezone

from casetrail.archive.actions import archive_fixity_record
from casetrail.archive.models import CaseFile, FileStatus, FixityCheck
from casetrail.archive.package import ALGORITHMS, _Hashing
from casetrail.evidence.fixity import blob_findings
from casetrail.evidence.models import Blob
from casetrail.evidence.storage import BlobStore, blob_store
from casetrail.lib.digests import new_hasher


def blobs_of(case_file: CaseFile) -> list[Blob]:
    """The 案卷's PDF, every file it lists and every package made of it."""
    out: dict[int, Blob] = {}
    if case_file.pdf is not None:
        out[case_file.pdf.pk] = case_file.pdf
    for item in case_file.items.select_related("blob"):
        out[item.blob.pk] = item.blob
    for package in case_file.packages.select_related("blob"):
        out[package.blob.pk] = package.blob
    return list(out.values())


def _hashers() -> dict[str, Any]:
    return {a: new_hasher("sm3") if a == "sm3" else hashlib.new(a) for a in ALGORITHMS}


def _manifest(text: bytes) -> dict[str, str]:
    """``digest  path`` lines → {path: digest}."""
    out: dict[str, str] = {}
    for line in text.decode("utf-8", "replace").splitlines():
        digest, _, path = line.strip().partition(" ")
        if digest and path.strip():
            out[path.strip()] = digest.lower()
    return out


def bag_findings(blob: Blob, *, store: BlobStore, on_bytes: Callable[[int], None]) -> list[str]:
    """One streamed read of a stored package: the whole tar against its blob row, then each file
    in the bag against the bag's own manifests (payload and tag). Findings name the file."""
    name = f"package {blob.sha256[:12]}…"

    total = 0

    def counted() -> Any:
        nonlocal total
        for block in store.iter_bytes(blob.sha256):
            total += len(block)
            on_bytes(len(block))
            yield block

    reader = _Hashing(counted())
    found: dict[str, dict[str, str]] = {}  # path → algorithm → digest of its bytes
    tags: dict[str, bytes] = {}  # manifest and tag manifest texts
    findings: list[str] = []
    try:
        with tarfile.open(fileobj=reader, mode="r|") as tar:  # type: ignore[call-overload]
            for member in tar:
                if not member.isfile():
                    continue
                fh = tar.extractfile(member)
                assert fh is not None
                hashers = _hashers()
                while block := fh.read(1 << 20):
                    for h in hashers.values():
                        h.update(block)
                    if member.name.startswith(("manifest-", "tagmanifest-")):
                        tags[member.name] = tags.get(member.name, b"") + block  # small texts
                found[member.name] = {a: h.hexdigest() for a, h in hashers.items()}
    except (tarfile.TarError, OSError, EOFError) as exc:
        findings.append(f"{name}: not a readable bag ({exc})")
    while reader.read(1 << 20):  # the tar's end blocks: the whole must be hashed
        pass
    whole = reader.hexdigests()
    if total != blob.size:
        findings.append(f"{name}: size of stored bytes differs ({total} ≠ {blob.size})")
    if whole["sha256"] != blob.sha256:
        findings.append(f"{name}: sha256 of stored bytes differs")
    if whole["sm3"] != blob.sm3:
        findings.append(f"{name}: sm3 of stored bytes differs")
    if findings and not found:
        return findings
    for algorithm in ALGORITHMS:
        for kind in ("manifest", "tagmanifest"):
            text = tags.get(f"{kind}-{algorithm}.txt")
            if text is None:
                findings.append(f"{name}: {kind}-{algorithm}.txt missing from the bag")
                continue
            listed = _manifest(text)
            for path, digest in sorted(listed.items()):
                if path not in found:
                    findings.append(f"{name}: {path} listed in {kind}-{algorithm}.txt is missing")
                elif found[path][algorithm] != digest:
                    findings.append(
                        f"{name}: {path} does not match {kind}-{algorithm}.txt ({algorithm})"
                    )
            if kind == "manifest":
                for path in sorted(p for p in found if p.startswith("data/") and p not in listed):
                    findings.append(f"{name}: {path} is not in {kind}-{algorithm}.txt")
    return findings


def check_one(case_file: CaseFile) -> FixityCheck:
    store = blob_store()
    findings: list[str] = []
    read = 0

    def count(n: int) -> None:
        nonlocal read
        read += n

    blobs = blobs_of(case_file)
    packages = {p.blob_id for p in case_file.packages.all()}
    for blob in blobs:
        if blob.pk in packages and store.exists(blob.sha256):
            findings.extend(bag_findings(blob, store=store, on_bytes=count))
            if not store.is_write_protected(blob.sha256):
                findings.append(f"blob {blob.sha256[:12]}…: stored original is writable")
        else:
            findings.extend(blob_findings(blob, store=store, on_bytes=count))
    return archive_fixity_record(
        case_file=case_file, findings=findings, blobs=len(blobs), bytes_read=read
    )


def due_files(now: dt.datetime | None = None) -> list[CaseFile]:
    """Archived files in the order they are due: never checked first, then the oldest check;
    only those whose last check is older than the cycle."""
    now = now or timezone.now()
    cycle = dt.timedelta(days=settings.CASETRAIL_ARCHIVE_FIXITY_DAYS)
    files = (
        CaseFile.objects.filter(status=FileStatus.ARCHIVED)
        .annotate(last=Max("fixity__at"))
        .select_related("pdf")
    )
    due = [f for f in files if f.last is None or now - f.last >= cycle]
    epoch = dt.datetime.min.replace(tzinfo=dt.UTC)
    return sorted(due, key=lambda f: (f.last or epoch, f.pk))  # type: ignore[attr-defined]


def run(now: dt.datetime | None = None, *, budget: int | None = None) -> list[FixityCheck]:
    """Today's share: files due, oldest first, until ``budget`` bytes (default: the archive's
    total / cycle days) are read — always at least one file."""
    files = due_files(now)
    if budget is None:
        total = sum(
            sum(b.size for b in blobs_of(f))
            for f in CaseFile.objects.filter(status=FileStatus.ARCHIVED)
        )
        budget = max(total // max(settings.CASETRAIL_ARCHIVE_FIXITY_DAYS, 1), 1)
    out: list[FixityCheck] = []
    spent = 0
    for f in files:
        if out and spent >= budget:
            break
        row = check_one(f)
        spent += row.bytes_read
        out.append(row)
    return out
