"""Appending to an agency's ledger. Called by every action inside its own transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.utils import timezone

from casetrail.ledger.models import Ledger, LedgerEntry
from casetrail.lib.canonical_json import canonicalize
from casetrail.org.models import Agency, Officer


def actor_payload(officer: Officer | None) -> dict[str, Any]:
    if officer is None:
        return {"id": None, "name": "system"}
    return {"cert": officer.certificate_no, "id": officer.pk, "name": officer.name}


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def ledger_append(
    *,
    agency: Agency,
    actor: Officer | None,
    action: str,
    subject: str,
    payload: dict[str, Any],
    case_id: int | None = None,
) -> LedgerEntry:
    """Append one entry; must run inside the caller's transaction so fact and entry commit together.

    Appends are serialised per agency: the head row is locked (SELECT … FOR UPDATE on PostgreSQL;
    on SQLite the IMMEDIATE transaction already holds the database write lock).
    """
    if not connection.in_atomic_block:
        raise RuntimeError("ledger_append must run inside the action's transaction")
    ledger, _ = Ledger.objects.get_or_create(agency=agency)
    ledger = Ledger.objects.select_for_update().get(pk=ledger.pk)
    now = timezone.now()
    entry = {
        "action": action,
        "actor": actor_payload(actor),
        "payload": payload,
        "seq": ledger.size,
        "subject": subject,
        "time": _iso(now),
    }
    row = LedgerEntry.objects.create(
        ledger=ledger,
        seq=ledger.size,
        time=now,
        action=action,
        subject=subject,
        case_ref=case_id,
        canonical=canonicalize(entry).decode("utf-8"),
    )
    Ledger.objects.filter(pk=ledger.pk).update(size=ledger.size + 1)
    return row
