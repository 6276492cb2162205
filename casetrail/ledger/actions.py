"""Writes of the ledger: appending an entry (inside every action's transaction) and signing
checkpoints."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from casetrail.ledger.models import Checkpoint, Ledger, LedgerEntry, LedgerNode, VerificationRun
from casetrail.lib import merkle
from casetrail.lib.canonical_json import canonicalize
from casetrail.lib.errors import ActionError
from casetrail.lib.signed_note import Checkpoint as CheckpointText
from casetrail.lib.signed_note import sign_checkpoint
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


def _locked_ledger_for(agency: Agency) -> Ledger:
    """The agency's log head, locked for this transaction (created on the first append)."""
    ledger = Ledger.objects.select_for_update().filter(agency=agency).first()
    if ledger is None:
        hash_name = settings.CASETRAIL_LEDGER_HASH
        ledger = Ledger.objects.create(
            agency=agency, hash_name=hash_name, origin=origin_for(agency, hash_name)
        )
    return ledger


def fetch_nodes(ledger: Ledger, pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """The stored perfect nodes among ``pairs`` (level, index), in one query."""
    wanted = set(pairs)
    if not wanted:
        return {}
    # The ledger goes into every term so that each one is a lookup on the unique index
    # (ledger, level, index) and the database unions them, instead of scanning the ledger.
    condition = Q()
    for level, index in wanted:
        condition |= Q(ledger=ledger, level=level, index=index)
    rows = LedgerNode.objects.filter(condition).values_list("level", "index", "hash")
    return {(lv, ix): bytes(h) for lv, ix, h in rows}


def node_getter(ledger: Ledger, cache: dict[tuple[int, int], bytes] | None = None) -> Any:
    """get_node(level, index) over ``cache`` (see fetch_nodes), falling back to one query."""
    cache = {} if cache is None else cache

    def get(level: int, index: int) -> bytes:
        key = (level, index)
        if key not in cache:
            cache.update(fetch_nodes(ledger, [key]))
        if key not in cache:
            raise LookupError(f"ledger {ledger.origin}: node ({level}, {index}) missing")
        return cache[key]

    return get


def proof_getter(ledger: Ledger, refs: Iterable[merkle.NodeRef]) -> Any:
    """A node getter preloaded with every perfect node ``refs`` need: a proof costs one query."""
    pairs = [pn for ref in refs for pn in ref.perfect_nodes()]
    return node_getter(ledger, fetch_nodes(ledger, pairs))


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
        from casetrail.ledger.tasks import make_checkpoint

        ledger_id = ledger.pk
        transaction.on_commit(lambda: make_checkpoint.enqueue(ledger_id=ledger_id))
    return row


def checkpoint_create(*, ledger: Ledger) -> Checkpoint | None:
    """Sign the current tree head, after proving it consistent with the previous checkpoint.
    Returns None when nothing was appended since the last one."""
    from casetrail.ledger.keys import get_signer
    from casetrail.ledger.tsa import timestamp

    signer = get_signer()
    with transaction.atomic():
        ledger = Ledger.objects.select_for_update().get(pk=ledger.pk)
        previous = Checkpoint.objects.filter(ledger=ledger).order_by("-size", "-id").first()
        if ledger.size == 0 or (previous and previous.size == ledger.size):
            return None
        refs = [merkle.NodeRef(0, ledger.size)]
        if previous is not None:
            refs += merkle.consistency_proof_nodes(previous.size, ledger.size)
        get = proof_getter(ledger, refs)
        root = merkle.root_from_store(ledger.hash_name, get, ledger.size)
        if previous is not None:
            proof = merkle.consistency_proof_from_store(
                ledger.hash_name, get, previous.size, ledger.size
            )
            try:
                merkle.verify_consistency(
                    ledger.hash_name, previous.size, ledger.size, bytes(previous.root), root, proof
                )
            except merkle.ProofError as exc:
                raise ActionError(
                    "ledger_inconsistent",
                    f"日志 {ledger.origin} 与上一检查点（大小 {previous.size}）不一致：{exc}。"
                    "请立即运行 casetrail verify 查明被改动之处",
                ) from None
        note = sign_checkpoint(CheckpointText(ledger.origin, ledger.size, root, ()), [signer])
        token = timestamp(note.encode("utf-8"))
        return Checkpoint.objects.create(
            ledger=ledger,
            size=ledger.size,
            root=root,
            note=note,
            created_at=timezone.now(),
            timestamp_token=token,
        )


def checkpoint_all() -> list[Checkpoint]:
    """Checkpoint every ledger that grew since its last checkpoint."""
    made = []
    for ledger in Ledger.objects.all():
        cp = checkpoint_create(ledger=ledger)
        if cp is not None:
            made.append(cp)
    return made


def verification_request(*, officer: Officer) -> VerificationRun:
    """A supervisor asks for the agency's record to be verified (第三十四、三十五条); the check
    runs as a background task and its report is kept."""
    from casetrail.org.models import Role

    if not officer.has_role(Role.SUPERVISOR):
        raise ActionError("not_a_supervisor", "只有监督人员可以发起核验", status=403)
    with transaction.atomic():
        run = VerificationRun.objects.create(
            agency_id=officer.agency_id, requested_by=officer, requested_at=timezone.now()
        )
        ledger_append(
            agency=officer.agency,
            actor=officer,
            action="ledger.verify_requested",
            subject=f"verification:{run.pk}",
            payload={"verification": run.pk},
        )
        from casetrail.ledger.tasks import run_verification

        run_id = run.pk
        transaction.on_commit(lambda: run_verification.enqueue(run_id=run_id))
        return run


def verification_finish(*, run: VerificationRun, findings: list[str], summary: str) -> None:
    """Store the report and put its outcome on the ledger."""
    with transaction.atomic():
        VerificationRun.objects.filter(pk=run.pk).update(
            status=VerificationRun.Status.DONE,
            findings=findings,
            summary=summary,
            finished_at=timezone.now(),
            done=F("total"),
        )
        ledger_append(
            agency=run.agency,
            actor=None,
            action="ledger.verified",
            subject=f"verification:{run.pk}",
            payload={"verification": run.pk, "findings": len(findings), "summary": summary},
        )


def verification_progress(*, run_id: int, done: int, total: int) -> None:
    """Move a running report's progress (a working document, not a recorded fact)."""
    VerificationRun.objects.filter(pk=run_id).update(
        status=VerificationRun.Status.RUNNING, done=done, total=total
    )


def verification_failed(*, run_id: int, error: str) -> None:
    """Mark a report whose check crashed, so the supervisor sees why instead of a spinner."""
    VerificationRun.objects.filter(pk=run_id).update(
        status=VerificationRun.Status.FAILED, summary=f"核验出错：{error}"[:300]
    )
