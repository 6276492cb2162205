"""The 重大复杂 flag and the 密级 changed during the case (第五条; 第六条; 第三十三条).

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
from casetrail.cases.models import Case, Confidentiality, StartStatus
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
    return officer.has_role(Role.HANDLER) and case.is_assigned(officer.pk)


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


CONFIDENTIALITY_RECORD = "confidentiality_change"


def check_confidentiality_change(case: Case, to: str) -> None:
    """A 密级 change proposed for an approved, open case, to another 密级, with none pending."""
    if case.start_status != StartStatus.APPROVED or not case.is_open:
        raise ActionError(
            "confidentiality_not_changeable", "只有已批准立案、尚未结案的案件可以变更密级"
        )
    if to not in Confidentiality.values:
        raise ActionError("invalid_confidentiality", "请选择变更后的密级", field="to")
    if to == case.confidentiality:
        raise ActionError(
            "same_confidentiality",
            f"本案密级已是“{case.get_confidentiality_display()}”",
            field="to",
        )


@step
def confidentiality_ended(
    *, chain: Chain, officer: Officer, approved: bool, now: dt.datetime
) -> list[Model]:
    """Effect of the 密级变更审批 (第三十三条): approved, the case takes the proposed 密级 — from
    then on the access function and the read log follow it; refused, it keeps its 密级."""
    if not approved:
        return []
    case = locked(chain.case)
    case.confidentiality = str(chain.record.fields["to"])
    case.save()
    return [case]
