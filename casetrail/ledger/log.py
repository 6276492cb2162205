"""Appending to an agency's log: the function behind every ledgered action's ``act.record``
(registered with ``casetrail.lib.ledgered`` by the ledger app)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from casetrail.ledger.models import Ledger, LedgerEntry
from casetrail.ledger.nodes import nodes_query
from casetrail.ledger.tasks import make_checkpoint
from casetrail.lib import merkle, statements
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


def _create_ledger(agency: Agency | int) -> None:
    """The agency's first append creates its log head; the hash is fixed from now on."""
    if isinstance(agency, int):
        agency = Agency.objects.get(pk=agency)
    hash_name = settings.CASETRAIL_LEDGER_HASH
    Ledger.objects.create(agency=agency, hash_name=hash_name, origin=origin_for(agency, hash_name))


# The append path is lean SQL (issue 18 §2): a profile of one ledgered action showed most of the
# append's time in ORM overhead (locking the head through QuerySet.first, fetching nodes,
# QuerySet.update), not in hashing. Three statements: the UPDATE … RETURNING that moves the head
# also locks it (appends to one log are serialised by its row lock on PostgreSQL; the IMMEDIATE
# transaction already holds SQLite's write lock) and gives the seq; one SELECT of the left siblings
# the new leaf completes; one INSERT of the entry with its nodes (one statement on PostgreSQL).
# The head and the siblings cannot share one statement on PostgreSQL: under READ COMMITTED a
# statement that waited for the lock still reads with the snapshot taken before it waited, so it
# misses the nodes the appender it waited for has just committed (the 8-process test found that).
_HEAD = "UPDATE ledger_ledger SET size = size + 1 WHERE agency_id = %s RETURNING id, size - 1, hash_name"
_ENTRY_COLUMNS = '(ledger_id, seq, "time", action, subject, case_ref, canonical)'


def _siblings(seq: int) -> list[tuple[int, int]]:
    """The left siblings (level, index) of the nodes that appending leaf ``seq`` completes."""
    return [
        (level - 1, 2 * index)
        for level, index in merkle.perfect_nodes_completed_by_append(seq)
        if level > 0
    ]


def _lock_head(agency_id: int) -> tuple[int, int, str, dict[int, bytes]] | None:
    """Move the head of the agency's log by one, locked; (ledger id, seq, hash, {level: left
    sibling}) or None when the agency has no log yet."""
    row = statements.execute(_HEAD, [agency_id]).fetchone()
    if row is None:
        return None
    ledger_id, seq, hash_name = row
    wanted = _siblings(seq)
    siblings: dict[int, bytes] = {}
    if wanted:
        found = statements.execute(*nodes_query(ledger_id, wanted)).fetchall()
        siblings = {lv: bytes(h) for lv, _ix, h in found}
    return ledger_id, seq, hash_name, siblings


def _insert(entry: list[Any], nodes: list[tuple[int, int, int, bytes]]) -> int:
    """Insert the entry and its nodes (one statement on PostgreSQL); the entry's id."""
    node_values = ", ".join(["(%s, %s, %s, %s)"] * len(nodes))
    node_params = [v for node in nodes for v in node]
    if connection.vendor == "postgresql":
        cursor = statements.execute(
            f"WITH e AS (INSERT INTO ledger_ledgerentry {_ENTRY_COLUMNS} "
            "VALUES (%s, %s, %s, %s, %s, %s, %s) RETURNING id), "
            f'n AS (INSERT INTO ledger_ledgernode (ledger_id, level, "index", hash) '
            f"VALUES {node_values}) SELECT id FROM e",
            [*entry, *node_params],
        )
        return int(cursor.fetchone()[0])
    cursor = statements.execute(
        f"INSERT INTO ledger_ledgerentry {_ENTRY_COLUMNS} VALUES (%s, %s, %s, %s, %s, %s, %s)",
        entry,
    )
    entry_id = int(cursor.lastrowid)
    statements.execute(
        f'INSERT INTO ledger_ledgernode (ledger_id, level, "index", hash) VALUES {node_values}',
        node_params,
    )
    return entry_id


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

    Appends are serialised per agency: the head row is locked by the UPDATE that moves it (a row
    lock on PostgreSQL; on SQLite the IMMEDIATE transaction already holds the database write lock).
    The entry's leaf hash and every perfect-subtree node it completes are stored with it.
    """
    if not connection.in_atomic_block:
        raise RuntimeError("ledger_append must run inside the action's transaction")
    agency_id = agency if isinstance(agency, int) else agency.pk
    head = _lock_head(agency_id)
    if head is None:
        _create_ledger(agency)
        head = _lock_head(agency_id)
        assert head is not None
    ledger_id, seq, hash_name, siblings = head
    now = timezone.now()
    entry = {
        "action": action,
        "actor": actor_payload(actor),
        "payload": payload,
        "seq": seq,
        "subject": subject,
        "time": iso(now),
    }
    canonical = canonicalize(entry, name="entry")
    leaf = merkle.leaf_hash(hash_name, canonical)

    def left(level: int, index: int) -> bytes:
        try:
            return siblings[level]
        except KeyError:
            raise LookupError(
                f"ledger {ledger_id}: node ({level}, {index}) missing; run casetrail verify"
            ) from None

    nodes = merkle.nodes_for_append(hash_name, left, seq, leaf)
    text = canonical.decode("utf-8")
    time_value = connection.ops.adapt_datetimefield_value(now)
    entry_id = _insert(
        [ledger_id, seq, time_value, action, subject, case_id, text],
        [(ledger_id, lv, ix, h) for lv, ix, h in nodes],
    )
    every = settings.CASETRAIL_CHECKPOINT_EVERY
    if every and (seq + 1) % every == 0:
        transaction.on_commit(lambda: make_checkpoint.enqueue(ledger_id=ledger_id))
    row = LedgerEntry(
        id=entry_id,
        ledger_id=ledger_id,
        seq=seq,
        time=now,
        action=action,
        subject=subject,
        case_ref=case_id,
        canonical=text,
    )
    row._state.adding = False
    row._state.db = connection.alias
    return row
