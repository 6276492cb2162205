"""The original of an item asked for: its bytes where it is a file, its digests and the ledger
entry that recorded it, so a redaction and a copy point at exactly what they come from."""

from __future__ import annotations

import json
from dataclasses import dataclass

from casetrail.access.models import CopyItem, ItemKind
from casetrail.evidence.models import Blob
from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.selectors import ledger_index_for, row_key
from casetrail.lib.errors import ActionError


@dataclass(frozen=True)
class Original:
    """``seq``: the ledger entry that recorded the item; ``sha256``/``sm3``: the file's digests
    (a record: the digests of that entry's bytes, which hold the record whole); ``blob``: the
    file, None for a record."""

    seq: int
    sha256: str
    sm3: str
    blob: Blob | None
    media_type: str


def _entry_digests(agency_id: int, seq: int) -> tuple[str, str]:
    from casetrail.access.writes import digests_of

    canonical = (
        LedgerEntry.objects.filter(ledger__agency_id=agency_id, seq=seq)
        .values_list("canonical", flat=True)
        .first()
    )
    if canonical is None:
        raise ActionError("original_not_ledgered", "原件的日志条目不存在")
    d = digests_of(canonical.encode("utf-8"))
    return d["sha256"], d["sm3"]


def original_of(item: CopyItem) -> Original:
    """Where ``item`` sits in the ledger and what its digests are."""
    case = item.request.case
    index = ledger_index_for(agency_id=case.agency_id, case_id=case.pk)
    if item.kind == ItemKind.RECORD and item.record is not None:
        seq = index.get(row_key("records.Record", item.record_id))
        if seq is None:
            raise ActionError("original_not_ledgered", "该记录不在账本中")
        sha256, sm3 = _entry_digests(case.agency_id, seq)
        return Original(seq, sha256, sm3, None, "application/json")
    if item.kind == ItemKind.DOCUMENT and item.document is not None:
        seq = index.get(row_key("documents.IssuedDocument", item.document_id))
        blob = item.document.blob
    elif item.kind == ItemKind.MEDIA and item.media is not None:
        seq = index.get(row_key("evidence.Item", item.media_id))
        if seq is None:  # an item recorded before it was linked to the case: its own entry
            seq = _unlinked_seq(item)
        blob = item.media.blob
    else:
        raise ActionError("original_missing", "调用材料的原件不存在")
    if seq is None:
        raise ActionError("original_not_ledgered", "该材料不在账本中")
    return Original(seq, blob.sha256, blob.sm3, blob, blob.media_type)


def _unlinked_seq(item: CopyItem) -> int | None:
    """The entry that recorded an audio/video item uploaded before it was linked to a case."""
    for seq, canonical in (
        LedgerEntry.objects.filter(
            ledger__agency_id=item.request.agency_id, subject=f"evidence:{item.media_id}"
        )
        .order_by("seq")
        .values_list("seq", "canonical")
    ):
        rows = json.loads(canonical)["payload"].get("rows", [])
        if any(r.get("table") == "evidence.Item" and r.get("id") == item.media_id for r in rows):
            return int(seq)
    return None
