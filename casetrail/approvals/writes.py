"""Building blocks that write approval rows inside an action (``@step``)."""

from __future__ import annotations

import datetime as dt

from casetrail.approvals.models import OPEN_STATUSES, Chain, ChainStatus, Outcome, Step, StepRole
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
) -> tuple[Chain, Step]:
    """Start a chain with the handler's 初审意见和理由 (第六条), inside the action that proposes
    something (its ledger entry carries the chain and the first step)."""
    if not opinion.strip():
        raise ActionError(
            "opinion_required", "请填写承办人初审意见和理由（第六条）", field="opinion"
        )
    if Chain.objects.filter(case=case, kind=kind, status__in=OPEN_STATUSES).exists():
        raise ActionError("chain_already_open", "该事项已有审批在办理中，不能重复提交")
    chain = Chain.objects.create(
        case=case,
        kind=kind,
        record=record,
        proposer=proposer,
        requires_legal=requires_legal,
        status=ChainStatus.PENDING_REVIEW,
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
