"""结案审批: closing a case is a decision (第六条).

The case enters 结案 only through an approved closing chain: a plain stage change to 结案 is refused
(``cases.hooks.DECIDED_STAGES``) with a message pointing at the proposal. The closing is proposed by
a handler in 送达执行 while no other decision is pending; the rules that guard 结案 (service, the
record of performance, 第二十八、二十九条, 第五条 …) run when it is proposed and again when the
负责人's approval makes it take effect. A refused closing binds: the case stays where it is.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Model

from casetrail.approvals.models import Chain
from casetrail.cases.gates import transition_blockers
from casetrail.cases.models import Case, Stage
from casetrail.cases.writes import locked, move_stage
from casetrail.decisions.chains import open_chains, save_status
from casetrail.lib.errors import ActionError
from casetrail.lib.ledgered import step
from casetrail.org.models import Officer

PROPOSAL = "case_closing_report"
REFUSED_ADVANCE = "结案是一项内部决定（第六条）：请在案件页“提请结案审批”，经审核人审核、负责人批准后案件方进入结案"


def check_closing(case: Case, *, chain: Chain | None = None) -> None:
    """What closing needs now: the case in 送达执行, no other decision pending, every rule that
    guards 结案 met. ``chain`` is the closing chain itself once it is open."""
    if case.stage != Stage.SERVICE:
        raise ActionError(
            "closing_not_due",
            f"只有送达执行阶段的案件可以结案，本案当前为“{case.get_stage_display()}”",
        )
    pending = [c for c in open_chains(case) if chain is None or c.pk != chain.pk]
    if pending:
        raise ActionError(
            "chain_open",
            "尚有审批事项未办结，不能结案：" + "、".join(c.get_kind_display() for c in pending),
            details=[f"chain:{c.pk}" for c in pending],
        )
    blockers = transition_blockers(case, Stage.CLOSED)
    if blockers:
        raise ActionError(
            "transition_blocked", "不能结案：" + "；".join(blockers), details=blockers
        )


@step
def closing_ended(
    *, chain: Chain, officer: Officer, approved: bool, now: dt.datetime
) -> list[Model]:
    """Effect of the 结案审批: approved, the closing rules run again and the case enters 结案;
    refused, nothing moves."""
    if not approved:
        return []
    case = locked(chain.case)
    save_status(chain)  # the closing chain itself is decided, not pending (R6)
    check_closing(case, chain=chain)
    change = move_stage(
        case=case,
        officer=officer,
        to_stage=Stage.CLOSED,
        reason="结案审批经负责人批准",
        now=now,
    )
    case.save()
    return [change, case]


def closing_consequence(chain: Chain) -> tuple[str, list[str]]:
    """For the confirmation before 结案审批 is approved: the case enters 结案 (第三十条: its file
    is then due for archiving within 30 days), and what still stops it, if anything."""
    try:
        check_closing(chain.case, chain=chain)
    except ActionError as err:
        rules = err.details if err.code == "transition_blocked" else [err.message]
    else:
        rules = []
    return "案件进入“结案”阶段，不能再制作本案文书，案卷应在结案后30日内归档（第三十条）", rules
