"""Reads of the ledger."""

from __future__ import annotations

import json
from typing import Any

from casetrail.cases.models import Case
from casetrail.ledger.models import LedgerEntry


def row_key(table: str, pk: Any) -> str:
    return f"{table}:{pk}"


def ledger_index_for(*, case: Case) -> dict[str, int]:
    """Map each row recorded for the case ("records.Record:5") to the seq of the ledger entry that
    first recorded it, so the case page can show where each fact sits in the log."""
    out: dict[str, int] = {}
    entries = (
        LedgerEntry.objects.filter(ledger__agency_id=case.agency_id, case_ref=case.pk)
        .order_by("seq")
        .values_list("seq", "canonical")
    )
    for seq, canonical in entries:
        payload = json.loads(canonical)["payload"]
        rows = list(payload.get("rows", [])) + list(payload.get("effects", {}).get("rows", []))
        for row in rows:
            out.setdefault(row_key(row["table"], row["id"]), seq)
    return out
