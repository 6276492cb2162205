"""Background work of the ledger: signing checkpoints every N entries, every T seconds, on demand."""

from __future__ import annotations

from django_tasks import task

from casetrail.ledger.actions import checkpoint_all, checkpoint_create
from casetrail.ledger.models import Ledger


@task()
def make_checkpoint(ledger_id: int) -> int | None:
    cp = checkpoint_create(ledger=Ledger.objects.get(pk=ledger_id))
    return cp.size if cp else None


@task()
def make_checkpoints() -> int:
    return len(checkpoint_all())
