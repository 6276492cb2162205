"""Fixity: re-hash every stored blob and say exactly what differs. ``casetrail verify-blobs`` uses
:func:`iter_blob_findings`, ``casetrail verify`` (the ledger) :func:`verify_check`, both through
:func:`blob_findings`. Blobs are read in id-ordered pages, never all at once. A blob whose bytes a
lawful destruction deleted (``DestroyedBlob``) is recorded, not missing: it is no finding."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet, Sum

from casetrail.evidence.destroyed import destroyed_set
from casetrail.evidence.models import Blob
from casetrail.evidence.storage import BlobStore, blob_store
from casetrail.lib.digests import MultiHasher

if TYPE_CHECKING:
    from casetrail.ledger.verify import Report, Run

#: Blobs read per query (keyset pages in id order: the blobs are never all held at once).
BATCH = 2000
#: Blobs per unit of `casetrail verify`'s blob check, shared by its ``--jobs`` processes.
RANGE = 2000


def _scoped(agency_id: int | None) -> QuerySet[Blob]:
    blobs = Blob.objects.all()
    if agency_id is not None:
        blobs = blobs.filter(Q(agency_id=agency_id) | Q(items__agency_id=agency_id)).distinct()
    return blobs


def blob_pages(
    agency_id: int | None, lo: int | None = None, hi: int | None = None
) -> Iterator[list[Blob]]:
    """The blobs (of ``agency_id``; with lo <= id < hi) in id order, BATCH a query."""
    blobs = _scoped(agency_id).only("id", "sha256", "sm3", "size").order_by("id")
    if lo is not None:
        blobs = blobs.filter(id__gte=lo)
    if hi is not None:
        blobs = blobs.filter(id__lt=hi)
    last: int | None = None
    while page := list((blobs if last is None else blobs.filter(id__gt=last))[:BATCH]):
        yield page
        if len(page) < BATCH:
            return  # the last page: no query for an empty one
        last = page[-1].id


def blob_bounds(agency_id: int | None, step: int | None = None) -> list[int]:
    """Ids cutting the blobs (of ``agency_id``) into ranges of ``step`` (RANGE) blobs (a seek
    each)."""
    step = step or RANGE
    ids = _scoped(agency_id).order_by("id").values_list("id", flat=True)
    out: list[int] = []
    while True:
        offset = step - 1 if out else step
        found = list((ids.filter(id__gt=out[-1]) if out else ids)[offset : offset + 1])
        if not found:
            return out
        out.append(found[0])


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
    total = _scoped(agency_id).aggregate(total=Sum("size"))["total"] or 0
    done = 0
    if progress:
        progress(0, total)

    def step(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(min(done, total), total)

    for page in blob_pages(agency_id):
        destroyed = _destroyed_among(page)
        for blob in page:
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


def _destroyed_among(page: list[Blob]) -> set[str]:
    # Asked for the page's blobs alone (one query a page): the set of every destroyed blob grows
    # with the archive's age.
    return destroyed_set(blob.sha256 for blob in page)


def blob_count(agency_id: int | None = None) -> int:
    return _scoped(agency_id).count()


@dataclass(frozen=True)
class BlobRange:
    """One unit of `casetrail verify`'s blob check: the blobs of ``agency_id`` with lo <= id < hi."""

    agency_id: int | None
    lo: int | None
    hi: int | None


def range_findings(unit: BlobRange) -> list[str]:
    store = blob_store()
    out: list[str] = []
    for page in blob_pages(unit.agency_id, unit.lo, unit.hi):
        destroyed = _destroyed_among(page)
        for blob in page:
            out.extend(blob_findings(blob, store=store, destroyed=destroyed))
    return out


def verify_check(agency_ids: set[int] | None, report: Report, run: Run) -> None:
    """`casetrail verify`'s blob check (registered with the ledger's verifier at start-up): the
    blobs cut into id ranges of RANGE, re-hashed by ``run`` (``--jobs`` processes), findings in id
    order whatever the number of jobs."""
    units: list[BlobRange] = []
    scopes: list[int | None] = [*sorted(agency_ids)] if agency_ids else [None]
    for agency_id in scopes:
        cuts: list[int | None] = [None, *blob_bounds(agency_id), None]
        units += [BlobRange(agency_id, lo, hi) for lo, hi in itertools.pairwise(cuts)]
    for findings in run(range_findings, units):
        report.findings.extend(findings)
    report.blobs = Blob.objects.count()
