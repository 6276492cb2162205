"""Writes of the ledger app that are recorded facts themselves: a supervisor's request to verify the
agency's record (第三十四、三十五条). Appending entries (``log.py``) and signing checkpoints
(``checkpoints.py``) are the log's own machinery."""

from __future__ import annotations

from django.utils import timezone

from casetrail.ledger.models import VerificationRun
from casetrail.ledger.tasks import run_verification
from casetrail.lib.errors import ActionError
from casetrail.lib.ledgered import Act, ActionName, action
from casetrail.org.models import Officer, Role


class LedgerAction(ActionName):
    VERIFY_REQUESTED = "ledger.verify_requested"


@action(LedgerAction.VERIFY_REQUESTED)
def verification_request(act: Act, /, *, officer: Officer) -> VerificationRun:
    """A supervisor asks for the agency's record to be verified; the check runs as a background
    task and its report is kept."""
    if not officer.has_role(Role.SUPERVISOR):
        raise ActionError("not_a_supervisor", "只有监督人员可以发起核验", status=403)
    run = VerificationRun.objects.create(
        agency_id=officer.agency_id, requested_by=officer, requested_at=timezone.now()
    )
    act.record(
        agency=officer.agency,
        actor=officer,
        subject=f"verification:{run.pk}",
        verification=run.pk,
    )
    run_id = run.pk
    act.on_commit(lambda: run_verification.enqueue(run_id=run_id))
    return run
