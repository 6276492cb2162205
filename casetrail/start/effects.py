"""What the start chains do when they end (第八、九条), registered with ``approvals.kinds`` from
``StartConfig.ready()``: they run inside ``approval_decide`` and return the rows they wrote, which
its ledger entry carries."""

from __future__ import annotations

import datetime as dt

from django.db.models import Model

from casetrail.approvals.models import Chain
from casetrail.cases.models import Case, Stage, StartStatus
from casetrail.cases.writes import assign_number, locked, move_stage
from casetrail.compliance.engine import rule_blockers
from casetrail.lib.errors import ActionError
from casetrail.lib.ledgered import step
from casetrail.org.models import Officer


def _open_case(case: Case, officer: Officer, now: dt.datetime, reason: str) -> list[Model]:
    if case.stage == Stage.START:
        # 第五条: the 程序启动 stage of a 重大 case ends here, so its audio/video is checked here,
        # as every other stage's is at its stage change.
        unmet = [f.line() for f in rule_blockers(case, "R5")]
        if unmet:
            raise ActionError(
                "transition_blocked",
                "不能批准并进入“调查取证”：" + "；".join(unmet),
                details=unmet,
            )
    rows: list[Model] = [assign_number(case=case, now=now)]
    case.start_status, case.approved_at = StartStatus.APPROVED, now
    if case.stage == Stage.START:
        rows.append(
            move_stage(
                case=case, officer=officer, to_stage=Stage.INVESTIGATION, reason=reason, now=now
            )
        )
    return rows


def _close_unstarted(
    case: Case, officer: Officer, status: str, reason: str, now: dt.datetime
) -> list[Model]:
    case.start_status = status
    return [move_stage(case=case, officer=officer, to_stage=Stage.CLOSED, reason=reason, now=now)]


@step
def start_chain_ended(
    *, chain: Chain, officer: Officer, approved: bool, now: dt.datetime
) -> list[Model]:
    """Effect of the 程序启动审批: approved opens the case with its number; refused closes it."""
    case = locked(chain.case)
    if approved:
        rows = _open_case(case, officer, now, "程序启动审批表经局长批准")
    else:
        rows = _close_unstarted(case, officer, StartStatus.REFUSED, "程序启动未获批准", now)
    case.save()
    return [*rows, case]


@step
def application_chain_ended(
    *, chain: Chain, officer: Officer, approved: bool, now: dt.datetime
) -> list[Model]:
    """Effect of the 受理审批: an approved acceptance opens the case; an approved refusal closes it
    as 不予受理. A chain that is not approved leaves the application registered for a new proposal."""
    case = locked(chain.case)
    rows: list[Model] = []
    if approved and chain.record.fields["decision"] == "accept":
        rows = _open_case(case, officer, now, "申请经审批予以受理")
    elif approved:
        rows = _close_unstarted(case, officer, StartStatus.NOT_ACCEPTED, "申请经审批不予受理", now)
    else:
        case.start_status = StartStatus.REGISTERED
    case.save()
    return [*rows, case]


@step
def complaint_chain_ended(
    *, chain: Chain, officer: Officer, approved: bool, now: dt.datetime
) -> list[Model]:
    """Effect of the 不予启动审批: once approved the complainant must be told in writing (第九条);
    the case closes when that notice is recorded."""
    case = locked(chain.case)
    case.start_status = StartStatus.NOT_TAKEN_UP if approved else StartStatus.REGISTERED
    case.save()
    return [case]
