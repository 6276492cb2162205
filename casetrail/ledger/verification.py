"""A verification report's life after the request: its progress (a working document, not a
recorded fact) and its outcome (a ledgered action)."""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone

from casetrail.ledger.models import VerificationRun
from casetrail.lib.ledgered import Act, ActionName, action


class VerificationAction(ActionName):
    VERIFIED = "ledger.verified"


@action(VerificationAction.VERIFIED)
def verification_finish(
    act: Act, /, *, run: VerificationRun, findings: list[str], summary: str
) -> None:
    """Store the report and put its outcome on the ledger."""
    VerificationRun.objects.filter(pk=run.pk).update(
        status=VerificationRun.Status.DONE,
        findings=findings,
        summary=summary,
        finished_at=timezone.now(),
        done=F("total"),
    )
    act.record(
        agency=run.agency_id,
        actor=None,
        subject=f"verification:{run.pk}",
        verification=run.pk,
        findings=len(findings),
        summary=summary,
    )


def verification_progress(*, run_id: int, done: int, total: int) -> None:
    """Move a running report's progress."""
    VerificationRun.objects.filter(pk=run_id).update(
        status=VerificationRun.Status.RUNNING, done=done, total=total
    )


def verification_failed(*, run_id: int, error: str) -> None:
    """Mark a report whose check crashed, so the supervisor sees why instead of a spinner."""
    VerificationRun.objects.filter(pk=run_id).update(
        status=VerificationRun.Status.FAILED, summary=f"核验出错：{error}"[:300]
    )
