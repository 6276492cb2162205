"""Signing checkpoints (C2SP tlog-checkpoint in a signed note), each proved consistent with the
previous one before it is stored. Checkpoints are the log's own machinery, not recorded facts:
no ledger entry is appended for them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from casetrail.ledger.key_actions import checkpoint_signers
from casetrail.ledger.models import Checkpoint, Ledger
from casetrail.ledger.nodes import proof_getter
from casetrail.ledger.publication import publish
from casetrail.ledger.tsa import timestamp
from casetrail.ledger.witnesses import configured_witnesses, cosign, is_witnessed
from casetrail.lib import merkle
from casetrail.lib.errors import ActionError
from casetrail.lib.outside import require_no_transaction
from casetrail.lib.signed_note import Checkpoint as CheckpointText
from casetrail.lib.signed_note import Signer, sign_checkpoint


def checkpoint_create(*, ledger: Ledger) -> Checkpoint | None:
    """Sign the current tree head, after proving it consistent with the previous checkpoint.
    Returns None when nothing was appended since the last one, or when another process stored a
    checkpoint of the same or a larger size while this one waited for the TSA (that one covers
    every entry this one would). The new checkpoint is then submitted to the configured
    witnesses (a witness down leaves it unwitnessed, retried by the ``cosign`` job) and published.
    Raises ``ActionError("ledger_inconsistent")`` when the log does not extend the checkpoints
    stored, ``TimestampError`` when a configured TSA fails (nothing stored).

    Three steps, the remote calls outside any transaction: the note for size N is signed in a
    short transaction with the log's row locked; the TSA is asked with no transaction open (its
    timeout is 10 s, and the lock would stop every action of the agency meanwhile); the
    checkpoint of size N is stored in a second short transaction, after checking it against the
    latest checkpoint stored by then. Raises ``InsideTransaction`` when called inside one."""
    require_no_transaction("creating a checkpoint (TSA, witnesses, publication)")
    signers = checkpoint_signers(ledger)
    head = _sign(ledger, signers)
    if head is None:
        return None
    token = timestamp(head.note.encode("utf-8"))
    checkpoint = _store(ledger, head, token)
    if checkpoint is not None:
        cosign(checkpoint)
        publish(checkpoint)
    return checkpoint


@dataclass(frozen=True)
class SignedHead:
    """A tree head signed but not stored yet: the size, its root, the signed note."""

    size: int
    root: bytes
    note: str


def _inconsistent(ledger: Ledger, size: int, exc: Exception) -> ActionError:
    return ActionError(
        "ledger_inconsistent",
        f"日志 {ledger.origin} 与上一检查点（大小 {size}）不一致：{exc}。"
        "请立即运行 casetrail verify 查明被改动之处",
    )


def _check_consistent(ledger: Ledger, older: Checkpoint, size: int, root: bytes) -> None:
    """Prove from the stored nodes that the tree of ``size`` with ``root`` extends ``older``."""
    if older.size == size:
        if bytes(older.root) != root:
            raise _inconsistent(ledger, older.size, merkle.ProofError("同一大小的根不同"))
        return
    refs = merkle.consistency_proof_nodes(older.size, size)
    get = proof_getter(ledger, refs)
    proof = merkle.consistency_proof_from_store(ledger.hash_name, get, older.size, size)
    try:
        merkle.verify_consistency(
            ledger.hash_name, older.size, size, bytes(older.root), root, proof
        )
    except merkle.ProofError as exc:
        raise _inconsistent(ledger, older.size, exc) from None


def _latest(ledger: Ledger) -> Checkpoint | None:
    return Checkpoint.objects.filter(ledger=ledger).order_by("-size", "-id").first()


def _sign(ledger: Ledger, signers: list[Signer]) -> SignedHead | None:
    """Step 1: the current head's root, proved consistent with the latest checkpoint, signed.
    Nothing is written; the log's row is locked only for this short transaction."""
    with transaction.atomic():
        ledger = Ledger.objects.select_for_update(no_key=True).get(pk=ledger.pk)
        previous = _latest(ledger)
        if ledger.size == 0 or (previous and previous.size >= ledger.size):
            return None
        get = proof_getter(ledger, [merkle.NodeRef(0, ledger.size)])
        root = merkle.root_from_store(ledger.hash_name, get, ledger.size)
        if previous is not None:
            _check_consistent(ledger, previous, ledger.size, root)
        note = sign_checkpoint(CheckpointText(ledger.origin, ledger.size, root, ()), signers)
        return SignedHead(ledger.size, root, note)


def _store(ledger: Ledger, head: SignedHead, token: bytes | None) -> Checkpoint | None:
    """Step 3: store the checkpoint of ``head`` — unless one of the same or a larger size was
    stored meanwhile (another ``checkpoint`` run, the cosign job's): then nothing is stored and
    None returned, after proving the two consistent, so a fork between them is still refused.
    Checkpoints are stored in increasing size only: each is proved against the one below it,
    and the witnesses, which refuse to go back, are given them in that order."""
    with transaction.atomic():
        ledger = Ledger.objects.select_for_update(no_key=True).get(pk=ledger.pk)
        latest = _latest(ledger)
        if latest is not None and latest.size >= head.size:
            # The stored one's tree must contain this one's: proved from the stored nodes.
            older = Checkpoint(ledger=ledger, size=head.size, root=head.root)
            _check_consistent(ledger, older, latest.size, bytes(latest.root))
            return None
        if latest is not None:
            # Signed against an earlier latest checkpoint, or against this one: proved again,
            # the nodes read now (under the lock) against the latest stored now.
            _check_consistent(ledger, latest, head.size, head.root)
        return Checkpoint.objects.create(
            ledger=ledger,
            size=head.size,
            root=head.root,
            note=head.note,
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


def cosign_pending() -> int:
    """Retry witnessing: the latest checkpoint of every log that is not witnessed yet is submitted
    again and, when a cosignature came, published again. Returns how many were retried."""
    if not configured_witnesses():
        return 0
    retried = 0
    for ledger in Ledger.objects.all():
        latest = Checkpoint.objects.filter(ledger=ledger).order_by("-size", "-id").first()
        if latest is not None and not is_witnessed(latest):
            before = latest.cosignatures.count()
            if cosign(latest) > before:
                publish(latest)
            retried += 1
    return retried
