"""Background work of the ledger: signing checkpoints every N entries, every T seconds, on demand;
and a supervisor's verification report."""

from __future__ import annotations

from django_tasks import task

from casetrail.ledger.checkpoints import checkpoint_all, checkpoint_create, cosign_pending
from casetrail.ledger.models import Ledger, VerificationRun
from casetrail.ledger.verification import (
    verification_failed,
    verification_finish,
    verification_progress,
)
from casetrail.ledger.verify import verify


@task()
def make_checkpoint(ledger_id: int) -> int | None:
    cp = checkpoint_create(ledger=Ledger.objects.get(pk=ledger_id))
    return cp.size if cp else None


@task()
def make_checkpoints() -> int:
    return len(checkpoint_all())


@task()
def retry_cosignatures() -> int:
    return cosign_pending()


@task()
def run_verification(run_id: int) -> int:
    """Verify one agency's record for a supervisor's report, with progress on the report row."""
    run = VerificationRun.objects.select_related("agency").get(pk=run_id)
    verification_progress(run_id=run_id, done=0, total=0)

    def progress(label: str, done: int, total: int) -> None:
        verification_progress(run_id=run_id, done=done, total=total)

    try:
        report = verify(agency_code=run.agency.credit_code, progress=progress)
    except Exception as exc:
        verification_failed(run_id=run_id, error=str(exc))
        raise
    verification_finish(run=run, findings=report.findings, summary=report.summary())
    return len(report.findings)
