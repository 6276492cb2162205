"""Fixity: re-hash every stored blob and say exactly what differs. ``casetrail verify`` (the ledger)
and ``casetrail verify-blobs`` both use :func:`iter_blob_findings`. A blob whose bytes a lawful
destruction deleted (``DestroyedBlob``) is recorded, not missing: it is no finding."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from django.db.models import Q

from casetrail.evidence.destroyed import destroyed_set
from casetrail.evidence.models import Blob
from casetrail.evidence.storage import BlobStore, blob_store
from casetrail.lib.digests import MultiHasher


def blobs_of(agency_id: int | None) -> list[Blob]:
    blobs = Blob.objects.all()
    if agency_id is not None:
        blobs = blobs.filter(Q(agency_id=agency_id) | Q(items__agency_id=agency_id)).distinct()
    return list(blobs.order_by("id"))


def iter_blob_findings(
    *,
    agency_id: int | None = None,
    progress: Callable[[int, int], None] | None = None,
    store: BlobStore | None = None,
) -> Iterator[str]:
    """One line per problem: a blob missing from the store, of another size, whose SHA-256 or SM3
    of the stored bytes differs from the recorded digest, or (file store) made writable again.
    ``progress(done_bytes, total_bytes)`` is called as bytes are hashed."""
    store = store or blob_store()
    blobs = blobs_of(agency_id)
    destroyed = destroyed_set()
    total = sum(b.size for b in blobs)
    done = 0
    if progress:
        progress(0, total)

    def step(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(min(done, total), total)

    for blob in blobs:
        yield from blob_findings(blob, store=store, on_bytes=step, destroyed=destroyed)
    if progress:
        progress(total, total)


def blob_findings(
    blob: Blob,
    *,
    store: BlobStore | None = None,
    on_bytes: Callable[[int], None] | None = None,
    destroyed: set[str] | None = None,
) -> Iterator[str]:
    """What differs for one blob: missing from the store, another size, its SHA-256 or SM3 of the
    stored bytes not the recorded digest, or (file store) writable again. Streams the bytes;
    ``on_bytes(n)`` is told how many were read (all of a missing blob's at once). A blob absent
    because it was destroyed (in ``destroyed``, else looked up) is no finding."""
    store = store or blob_store()
    name = f"blob {blob.sha256[:12]}…"
    if not store.exists(blob.sha256):
        if destroyed is None:
            destroyed = destroyed_set([blob.sha256])
        if blob.sha256 in destroyed:
            if on_bytes:
                on_bytes(blob.size)
            return
        yield f"{name}: missing from the store"
        if on_bytes:
            on_bytes(blob.size)
        return
    hasher = MultiHasher(("sha256", "sm3"))
    for block in store.iter_bytes(blob.sha256):
        hasher.update(block)
        if on_bytes:
            on_bytes(len(block))
    digests = hasher.hexdigests()
    if hasher.size != blob.size:
        yield f"{name}: size of stored bytes differs ({hasher.size} ≠ {blob.size})"
    if digests["sha256"] != blob.sha256:
        yield f"{name}: sha256 of stored bytes differs"
    if digests["sm3"] != blob.sm3:
        yield f"{name}: sm3 of stored bytes differs"
    if not store.is_write_protected(blob.sha256):
        yield f"{name}: stored original is writable (expected read-only)"


def blob_count(agency_id: int | None = None) -> int:
    return len(blobs_of(agency_id))


def verify_check(agency_ids: set[int] | None, report: Any) -> None:
    """`casetrail verify`'s blob check (registered with the ledger's verifier at start-up)."""
    scopes: list[int | None] = [*sorted(agency_ids)] if agency_ids else [None]
    for agency_id in scopes:
        report.findings.extend(iter_blob_findings(agency_id=agency_id))
    report.blobs = Blob.objects.count()
