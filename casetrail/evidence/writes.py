"""Building blocks that write evidence rows inside an action (``@step``)."""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone

from casetrail.evidence.destroyed import delete_bytes
from casetrail.evidence.models import Blob, DestroyedBlob, PendingDeletion
from casetrail.lib.errors import ActionError
from casetrail.lib.ledgered import step


@step
def blob_row(
    *, agency_id: int, sha256: str, sm3: str, size: int, media_type: str, storage: str
) -> tuple[Blob, bool]:
    """The blob row of bytes the store already holds whole; identical content is one row.
    Returns (blob, created)."""
    if len(sha256) != 64 or len(sm3) != 64 or size < 0:
        raise ActionError("invalid_digest", "摘要或大小无效")
    blob = Blob.objects.filter(sha256=sha256).first()
    if blob is None:
        try:
            # A savepoint: on PostgreSQL two actions storing the same new bytes at once (the
            # same signature image, the same file uploaded twice) both find no row; the second
            # insert waits for the first and fails on the unique digest — then the row is the
            # first's, committed (issue 18, load: a 500 under 100 users).
            with transaction.atomic():
                return (
                    Blob.objects.create(
                        sha256=sha256,
                        sm3=sm3,
                        size=size,
                        media_type=media_type,
                        storage=storage,
                        agency_id=agency_id,
                        created_at=timezone.now(),
                    ),
                    True,
                )
        except IntegrityError:
            blob = Blob.objects.get(sha256=sha256)
    if blob.sm3 != sm3 or blob.size != size:
        # Same SHA-256, different SM3 or size: impossible for honest bytes; refuse loudly.
        raise ActionError("digest_conflict", "同一 SHA-256 的文件 SM3 或大小不一致，已拒收")
    return blob, False


@step
def destroy_blobs(
    *, blobs: list[Blob], agency_id: int, destroyed_by: str, now: dt.datetime
) -> list[DestroyedBlob]:
    """Record ``blobs`` as destroyed (``destroyed_by``: the destruction, ``app.kind:id``) and
    delete their bytes once the action has committed — never before: a rolled-back destruction
    keeps every byte; until then its ``PendingDeletion`` row stays for the daily pass. The caller decides which blobs may go (none another record still needs);
    a blob destroyed already is skipped. Returns the new rows, for the action's ledger entry."""
    done = set(
        DestroyedBlob.objects.filter(sha256__in=[b.sha256 for b in blobs]).values_list(
            "sha256", flat=True
        )
    )
    rows = [
        DestroyedBlob.objects.create(
            sha256=b.sha256,
            sm3=b.sm3,
            size=b.size,
            agency_id=agency_id,
            destroyed_by=destroyed_by[:80],
            at=now,
        )
        for b in sorted(blobs, key=lambda b: b.sha256)
        if b.sha256 not in done
    ]
    PendingDeletion.objects.bulk_create(
        [PendingDeletion(sha256=row.sha256, since=now) for row in rows], ignore_conflicts=True
    )
    for row in rows:
        transaction.on_commit(partial(delete_bytes, row.sha256))
    return rows
