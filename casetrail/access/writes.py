"""Helpers for the access actions: digests of bytes, reading a blob, storing derived bytes."""

from __future__ import annotations

from casetrail.evidence.destroyed import CODE, MESSAGE, gone
from casetrail.evidence.models import Blob
from casetrail.evidence.storage import blob_store
from casetrail.lib.digests import MultiHasher
from casetrail.lib.errors import ActionError

# A redaction or an authority letter is stored as any small file is (write-once, addressed by
# SHA-256, its blob row recorded in the running action): the records app's step does exactly that.
from casetrail.records.writes import store_image as store_derived

__all__ = ["blob_bytes", "digests_of", "store_derived"]


def digests_of(data: bytes) -> dict[str, str]:
    return MultiHasher(("sha256", "sm3")).update(data).hexdigests()


def blob_bytes(blob: Blob) -> bytes:
    """The stored bytes; a destroyed blob (档案销毁) is refused with 410 ``destroyed``."""
    if gone(blob.sha256):
        raise ActionError(CODE, MESSAGE, status=410)
    return b"".join(blob_store().iter_bytes(blob.sha256))
