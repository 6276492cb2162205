"""One entry point for the supervisor's moves on a finding, shared by the page and the API."""

from __future__ import annotations

from casetrail.lib.errors import ActionError
from casetrail.lib.times import parse_day
from casetrail.org.models import Officer
from casetrail.oversight.actions import (
    finding_close,
    finding_correct,
    finding_criticise,
    finding_order,
)
from casetrail.oversight.models import Finding, FindingState, FindingStep

# The move → the state it leads to (what the page offers from each state is actions.FROM).
TARGET = {
    "order": FindingState.ORDERED,
    "correct": FindingState.CORRECTED,
    "close": FindingState.CLOSED,
    "criticise": FindingState.CRITICISED,
}


def apply_move(
    *, move: str, finding: Finding, officer: Officer, text: str, deadline: str = ""
) -> FindingStep:
    """Run the action of ``move``; ``deadline`` (YYYY-MM-DD) only for 责令改正, where it is
    required (``deadline_required``)."""
    if move == "order":
        if not (deadline or "").strip():
            raise ActionError("deadline_required", "请填写改正期限", field="deadline")
        day = parse_day(deadline, where="改正期限", field="deadline")
        return finding_order(finding=finding, officer=officer, text=text, deadline=day)
    if move == "correct":
        return finding_correct(finding=finding, officer=officer, text=text)
    if move == "close":
        return finding_close(finding=finding, officer=officer, text=text)
    if move == "criticise":
        return finding_criticise(finding=finding, officer=officer, text=text)
    raise ActionError("unknown_move", f"没有“{move}”这一处理", status=404)
