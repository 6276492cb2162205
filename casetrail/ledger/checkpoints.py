"""Signing checkpoints (C2SP tlog-checkpoint in a signed note), each proved consistent with the
previous one before it is stored. Checkpoints are the log's own machinery, not recorded facts:
no ledger entry is appended for them."""

from __future__ import annotations

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
from casetrail.lib.signed_note import Checkpoint as CheckpointText
from casetrail.lib.signed_note import Signer, sign_checkpoint


def checkpoint_create(*, ledger: Ledger) -> Checkpoint | None:
    """Sign the current tree head, after proving it consistent with the previous checkpoint.
    Returns None when nothing was appended since the last one. The new checkpoint is then
    submitted to the configured witnesses (a witness down leaves it unwitnessed, retried by the
    ``cosign`` job) and published."""
    signers = checkpoint_signers(ledger)
    checkpoint = _sign(ledger, signers)
    if checkpoint is not None:
        cosign(checkpoint)
        publish(checkpoint)
    return checkpoint


def _sign(ledger: Ledger, signers: list[Signer]) -> Checkpoint | None:
    with transaction.atomic():
        ledger = Ledger.objects.select_for_update(no_key=True).get(pk=ledger.pk)
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
        note = sign_checkpoint(CheckpointText(ledger.origin, ledger.size, root, ()), signers)
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
