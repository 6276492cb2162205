"""Building blocks that write evidence rows inside an action (``@step``)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from casetrail.evidence.models import Blob
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
