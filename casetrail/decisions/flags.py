"""The 重大复杂 flag changed during the case (第五条; 第六条).

Raising it is an act of a handler of the case or of the handling unit's reviewer, with a reason:
it takes effect at once, so the 重大 rules — 法制审核 (第十六条; 行政处罚法第五十八条), 集体讨论
(第十八条), audio/video in every stage (第五条, from the raise on) — apply to what follows. Lowering
it takes a decision: a handler proposes, the unit reviewer reviews, the 负责人 approves. Each change
is a 重大复杂案件认定变更 record of the case, shown on its page and in the ledger.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Model

from casetrail.approvals.models import Chain
from casetrail.cases.models import Case, StartStatus
from casetrail.cases.writes import locked
from casetrail.lib.errors import ActionError
from casetrail.lib.ledgered import step
from casetrail.org.models import Officer, Role
from casetrail.records.models import Record
from casetrail.records.writes import add_record

RECORD = "major_case_change"


def may_raise(case: Case, officer: Officer) -> bool:
    """A handler assigned to the case, or a reviewer of its handling unit."""
    if officer.agency_id != case.agency_id:
        return False
    if officer.has_role(Role.REVIEWER) and officer.unit_id == case.unit_id:
        return True
    return officer.has_role(Role.HANDLER) and case.assignments.filter(officer=officer).exists()


def check_changeable(case: Case, *, raising: bool) -> None:
    if case.start_status != StartStatus.APPROVED or not case.is_open:
        raise ActionError(
            "flag_not_changeable", "只有已批准立案、尚未结案的案件可以变更重大复杂案件认定"
        )
    if raising and case.is_major:
        raise ActionError("already_major", "本案已认定为重大复杂案件")
    if not raising and not case.is_major:
        raise ActionError("not_major", "本案未认定为重大复杂案件，无需取消")


@step
def raise_flag(*, case: Case, officer: Officer, reason: str, now: dt.datetime) -> Record:
    """The record of the raise, and the case now 重大复杂 (the caller records both)."""
    record = add_record(
        case=case,
        kind=RECORD,
        officer=officer,
        fields={"change": "raise", "reason": reason},
        now=now,
    )
    case.is_major = True
    case.save()
    return record


@step
def lower_ended(*, chain: Chain, officer: Officer, approved: bool, now: dt.datetime) -> list[Model]:
    """Effect of the 取消重大复杂案件认定审批: approved, the case is no longer 重大复杂; refused, it
    stays so."""
    if not approved:
        return []
    case = locked(chain.case)
    case.is_major = False
    case.save()
    return [case]
