"""Appending to an agency's log: the function behind every ledgered action's ``act.record``
(registered with ``casetrail.lib.ledgered`` by the ledger app)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from casetrail.ledger.models import Ledger, LedgerEntry, LedgerNode
from casetrail.ledger.nodes import fetch_nodes, node_getter
from casetrail.ledger.tasks import make_checkpoint
from casetrail.lib import merkle
from casetrail.lib.canonical_json import canonicalize
from casetrail.org.models import Agency, Officer


def actor_payload(officer: Officer | None) -> dict[str, Any]:
    if officer is None:
        return {"id": None, "name": "system"}
    return {"cert": officer.certificate_no, "id": officer.pk, "name": officer.name}


def iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def origin_for(agency: Agency, hash_name: str) -> str:
    # C2SP: the origin names the log; ours names the agency and the hash fixed at creation.
    return f"casetrail/{agency.credit_code}/{hash_name}"


def _locked_ledger_for(agency: Agency | int) -> Ledger:
    """The agency's log head, locked for this transaction (created on the first append)."""
    agency_id = agency if isinstance(agency, int) else agency.pk
    ledger = Ledger.objects.select_for_update().filter(agency_id=agency_id).first()
    if ledger is None:
        if isinstance(agency, int):
            agency = Agency.objects.get(pk=agency)
        hash_name = settings.CASETRAIL_LEDGER_HASH
        ledger = Ledger.objects.create(
            agency=agency, hash_name=hash_name, origin=origin_for(agency, hash_name)
        )
    return ledger


def ledger_append(
    *,
    agency: Agency | int,
    actor: Officer | None,
    action: str,
    subject: str,
    payload: dict[str, Any],
    case_id: int | None = None,
) -> LedgerEntry:
    """Append one entry; runs inside the action's transaction so fact and entry commit together.

    Appends are serialised per agency: the head row is locked (SELECT … FOR UPDATE on PostgreSQL;
    on SQLite the IMMEDIATE transaction already holds the database write lock). The entry's leaf
    hash and every perfect-subtree node it completes are stored with it.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("ledger_append must run inside the action's transaction")
    ledger = _locked_ledger_for(agency)
    now = timezone.now()
    seq = ledger.size
    entry = {
        "action": action,
        "actor": actor_payload(actor),
        "payload": payload,
        "seq": seq,
        "subject": subject,
        "time": iso(now),
    }
    canonical = canonicalize(entry, name="entry")
    row = LedgerEntry.objects.create(
        ledger=ledger,
        seq=seq,
        time=now,
        action=action,
        subject=subject,
        case_ref=case_id,
        canonical=canonical.decode("utf-8"),
    )
    leaf = merkle.leaf_hash(ledger.hash_name, canonical)
    # The left siblings of the nodes this leaf completes, fetched in one query.
    siblings = [
        (level - 1, 2 * index)
        for level, index in merkle.perfect_nodes_completed_by_append(seq)
        if level > 0
    ]
    get = node_getter(ledger, fetch_nodes(ledger, siblings))
    nodes = merkle.nodes_for_append(ledger.hash_name, get, seq, leaf)
    LedgerNode.objects.bulk_create(
        [LedgerNode(ledger=ledger, level=lv, index=ix, hash=h) for lv, ix, h in nodes]
    )
    Ledger.objects.filter(pk=ledger.pk).update(size=seq + 1)
    every = settings.CASETRAIL_CHECKPOINT_EVERY
    if every and (seq + 1) % every == 0:
        ledger_id = ledger.pk
        transaction.on_commit(lambda: make_checkpoint.enqueue(ledger_id=ledger_id))
    return row
