"""Building blocks that write access rows inside an action (``@step``)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from casetrail.evidence.models import Blob
from casetrail.evidence.storage import blob_store
from casetrail.evidence.writes import blob_row
from casetrail.lib.digests import MultiHasher
from casetrail.lib.ledgered import step


def digests_of(data: bytes) -> dict[str, str]:
    return MultiHasher(("sha256", "sm3")).update(data).hexdigests()


@step
def store_derived(*, agency_id: int, data: bytes, media_type: str) -> Blob:
    """Put derived bytes (a redaction, an authority letter) in the blob store, write-once and
    addressed by SHA-256, and record the blob row."""
    digests = digests_of(data)
    store = blob_store()
    if not store.exists(digests["sha256"]):
        with tempfile.NamedTemporaryFile(delete=False) as tmp:
            tmp.write(data)
        store.put_file(digests["sha256"], Path(tmp.name), move=True)
    blob, _ = blob_row(
        agency_id=agency_id,
        sha256=digests["sha256"],
        sm3=digests["sm3"],
        size=len(data),
        media_type=media_type,
        storage=store.name,
    )
    return blob


def blob_bytes(blob: Blob) -> bytes:
    return b"".join(blob_store().iter_bytes(blob.sha256))
