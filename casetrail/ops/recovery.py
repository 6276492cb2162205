"""What a 恢复登记 is about: the checkpoints held outside that the local log has fallen behind of
(a witness or the publication folder holds a larger tree, or another root at a size the log has),
and, for ``casetrail verify``, those an approved recovery acknowledged (registered with
``ledger.verify.register_acknowledged`` from ``OpsConfig.ready()``)."""

from __future__ import annotations

from casetrail.ledger.models import Ledger
from casetrail.ledger.nodes import node_getter
from casetrail.ledger.verify import Report, held_outside
from casetrail.lib import merkle
from casetrail.ops.models import Recovery, RecoveryStatus


def behind_outside(ledger: Ledger) -> tuple[list[dict[str, object]], list[str]]:
    """([{who, size, root hex}] the log is behind of, notes on what could not be asked)."""
    report = Report()
    held = held_outside(ledger, report, ledger.origin)
    get = node_getter(ledger)
    behind: list[dict[str, object]] = []
    for who, size, root in held:
        if size <= ledger.size and merkle.root_from_store(ledger.hash_name, get, size) == root:
            continue  # consistent: nothing was lost against it
        behind.append({"who": who, "size": size, "root": root.hex()})
    return behind, report.notes + report.findings


def behind_of(agency_id: int) -> list[dict[str, object]]:
    """``behind_outside`` of the agency's log (none when it has no log yet), read outside any
    transaction: what ``recovery_propose`` records."""
    ledger = Ledger.objects.filter(agency_id=agency_id).first()
    return behind_outside(ledger)[0] if ledger is not None else []


def acknowledged(ledger: Ledger) -> dict[tuple[int, bytes], str]:
    """(size, root) → the note verify gives, for each checkpoint an approved recovery names."""
    out: dict[tuple[int, bytes], str] = {}
    approved = Recovery.objects.filter(agency_id=ledger.agency_id, status=RecoveryStatus.APPROVED)
    for r in approved.select_related("decided_by"):
        name = r.decided_by.name if r.decided_by else ""
        for item in r.behind:
            note = (
                f"acknowledged by recovery #{r.pk} approved by {name} on "
                f"{r.decided_at:%Y-%m-%d} (restored from an older backup)"
            )
            out[(int(item["size"]), bytes.fromhex(str(item["root"])))] = note
    return out
