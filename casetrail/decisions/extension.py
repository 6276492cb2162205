"""延期: a legal period extended where the law allows one, by a decision (第六条).

Only the periods listed here may be extended, each with the law that allows it and how many days
one approval may add: 行政处罚法第六十条, the 90 days from filing to the penalty decision (the
departmental procedure rules it defers to let the 负责人 extend it). Every other period of the case
(先行登记保存的处理 CF56, 送达 CF61, 缴纳罚款 CF67 …) is refused. The handler proposes before the
period ends; the unit reviewer reviews; the 负责人 approves. The approved days move the deadline
(``CaseView.extension_days``, read by the deadline CF60).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Model

from casetrail.approvals.models import Chain, ChainStatus
from casetrail.cases.models import Case
from casetrail.compliance.deadlines import deadlines_of
from casetrail.compliance.engine import DEADLINES, CaseView
from casetrail.decisions.kinds import DecisionChain
from casetrail.lib.errors import ActionError
from casetrail.lib.ledgered import step
from casetrail.org.models import Officer

PROPOSAL = "period_extension_request"


@dataclass(frozen=True)
class Extendable:
    article: str
    max_days: int


def extendable() -> dict[str, Extendable]:
    return {
        "CF60": Extendable("行政处罚法第六十条", settings.CASETRAIL_DECISION_EXTENSION_DAYS),
    }


def check_allowed(deadline_id: str) -> Extendable:
    """The period may be extended at all (before the proposal is written)."""
    allowed = extendable().get(deadline_id)
    if allowed is None:
        known = DEADLINES.get(deadline_id)
        what = f"“{known.title}”（{known.id}，{known.article}）" if known else f"“{deadline_id}”"
        raise ActionError(
            "not_extendable",
            f"{what}的期限法律未规定可以延长，不能提请延期",
            field="deadline",
        )
    return allowed


def check_extension(case: Case, fields: dict[str, Any], *, proposing: bool) -> None:
    """The days within what one approval may add, and the period running for this case: not yet
    met and — when proposing — not yet over (an extension is asked for before the period ends)."""
    deadline_id = str(fields.get("deadline") or "")
    allowed = check_allowed(deadline_id)
    days = int(fields.get("days") or 0)
    if not 1 <= days <= allowed.max_days:
        raise ActionError(
            "extension_too_long" if days > allowed.max_days else "invalid_days",
            f"延长天数应为1至{allowed.max_days}日（{allowed.article}）",
            field="days",
        )
    running = [d for d in deadlines_of(case) if d.rule == deadline_id]
    if not running:
        raise ActionError(
            "no_such_period", f"本案没有正在计算的该项期限（{allowed.article}）", field="deadline"
        )
    if all(d.done for d in running):
        raise ActionError("period_done", "该期限的事项已经完成，无需延期", field="deadline")
    if proposing and all(d.overdue for d in running if not d.done):
        raise ActionError(
            "period_expired",
            "期限已经届满，不能再提请延期：延期应当在期限届满前提出并经负责人批准",
            field="deadline",
        )


def check_proposal(case: Case, fields: dict[str, Any]) -> None:
    check_extension(case, fields, proposing=True)


@step
def extension_ended(
    *, chain: Chain, officer: Officer, approved: bool, now: dt.datetime
) -> list[Model]:
    """Effect of the 延长办案期限审批: approved, the days are checked once more (a returned
    proposal may have been revised) and the deadline reads them from the approved chain."""
    if approved:
        check_extension(chain.case, chain.record.fields, proposing=False)
    return []


def approved_extension_days(view: CaseView, deadline_id: str) -> int:
    """The days the approved 延长办案期限审批 of the case added to ``deadline_id``'s period
    (registered with ``compliance.engine.register_extension``)."""
    return sum(
        int(c.record.fields.get("days") or 0)
        for c in view.chains
        if c.kind == DecisionChain.PERIOD_EXTENSION
        and c.status == ChainStatus.APPROVED
        and c.record.fields.get("deadline") == deadline_id
    )
