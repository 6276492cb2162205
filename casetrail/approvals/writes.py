"""Building blocks that write approval rows inside an action (``@step``)."""

from __future__ import annotations

import datetime as dt

from casetrail.approvals.models import OPEN_STATUSES, PENDING, Chain, Outcome, Step, StepRole
from casetrail.cases.models import Case
from casetrail.lib.errors import ActionError
from casetrail.lib.ledgered import step
from casetrail.org.models import Officer
from casetrail.records.models import Record


@step
def open_chain(
    *,
    case: Case,
    kind: str,
    record: Record,
    proposer: Officer,
    opinion: str,
    requires_legal: bool,
    now: dt.datetime,
    collective: bool = False,
    plan: list[str] | None = None,
) -> tuple[Chain, Step]:
    """Start a chain with the handler's 初审意见和理由 (第六条), inside the action that proposes
    something (its ledger entry carries the chain and the first step).

    The steps that follow are ``plan`` when given, else 审核 → (法制审核 when ``requires_legal``)
    → (集体讨论 when ``collective``) → 批准 (行政处罚法第五十七、五十八条; 第十六、十八条)."""
    if not opinion.strip():
        raise ActionError(
            "opinion_required", "请填写承办人初审意见和理由（第六条）", field="opinion"
        )
    if Chain.objects.filter(case=case, kind=kind, status__in=OPEN_STATUSES).exists():
        raise ActionError("chain_already_open", "该事项已有审批在办理中，不能重复提交")
    if plan is None:
        plan = [
            StepRole.REVIEW,
            *([StepRole.LEGAL] if requires_legal else []),
            *([StepRole.COLLECTIVE] if collective else []),
            StepRole.DECIDE,
        ]
    if not plan or any(role not in PENDING for role in plan):
        raise ValueError(f"invalid approval plan {plan!r}")
    chain = Chain.objects.create(
        case=case,
        kind=kind,
        record=record,
        proposer=proposer,
        requires_legal=StepRole.LEGAL in plan,
        plan=[str(role) for role in plan],
        status=PENDING[StepRole(plan[0])],
        created_at=now,
    )
    first = Step.objects.create(
        chain=chain,
        role=StepRole.PROPOSE,
        officer=proposer,
        outcome=Outcome.SUBMIT,
        opinion=opinion.strip(),
        record=record,
        created_at=now,
    )
    return chain, first
