"""Writes of approval chains (第六条). Every public function is a ledgered action."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.utils import timezone

from casetrail.approvals.kinds import effect_for
from casetrail.approvals.models import Chain, ChainStatus, Outcome, Step, StepRole
from casetrail.approvals.selectors import ROLE_FOR_STATUS, why_cannot_act
from casetrail.lib.errors import ActionError
from casetrail.lib.facts import fact_of
from casetrail.lib.ledgered import Act, ActionName, action
from casetrail.org.models import Officer
from casetrail.records.writes import new_version


class ApprovalAction(ActionName):
    STEP = "approval.step"
    RESUBMIT = "approval.resubmit"


def _locked(chain: Chain) -> Chain:
    return Chain.objects.select_for_update().select_related("case", "case__agency").get(pk=chain.pk)


@action(ApprovalAction.STEP)
def approval_decide(
    act: Act, /, *, chain: Chain, officer: Officer, outcome: str, opinion: str
) -> Step:
    """第六条: the reviewer reviews, the legal unit reviews legality (重大), the approver decides.

    Approve moves the chain on (and, at the approver, applies the kind's effect, e.g. assigns the
    case number); return sends it back to the handler with reasons; refuse ends it.
    """
    chain = _locked(chain)
    if chain.status == ChainStatus.RETURNED:
        raise ActionError("chain_returned", "该事项已退回承办人修改，待重新提交后再审批")
    reason = why_cannot_act(officer=officer, chain=chain)
    if reason:
        raise ActionError("not_allowed_to_decide", reason, status=403)
    if outcome not in (Outcome.APPROVE, Outcome.RETURN, Outcome.REFUSE):
        raise ActionError(
            "invalid_outcome", "审批结果应为：同意、退回修改或不同意", field="outcome"
        )
    if not opinion.strip():
        raise ActionError("opinion_required", "请填写审批意见和理由", field="opinion")
    now = timezone.now()
    role, _ = ROLE_FOR_STATUS[ChainStatus(chain.status)]
    step = Step.objects.create(
        chain=chain,
        role=role,
        officer=officer,
        outcome=outcome,
        opinion=opinion.strip(),
        record=chain.record,
        created_at=now,
    )
    effects: list[Model] | None = None
    if outcome == Outcome.RETURN:
        chain.status = ChainStatus.RETURNED
    elif outcome == Outcome.REFUSE:
        chain.status, chain.decided_at = ChainStatus.REFUSED, now
        effects = effect_for(chain.kind)(chain=chain, officer=officer, approved=False, now=now)
    elif role == StepRole.REVIEW:
        chain.status = (
            ChainStatus.PENDING_LEGAL if chain.requires_legal else ChainStatus.PENDING_DECISION
        )
    elif role == StepRole.LEGAL:
        chain.status = ChainStatus.PENDING_DECISION
    else:
        chain.status, chain.decided_at = ChainStatus.APPROVED, now
        effects = effect_for(chain.kind)(chain=chain, officer=officer, approved=True, now=now)
    chain.save(update_fields=["status", "decided_at"])
    act.record(
        agency=chain.case.agency_id,
        actor=officer,
        subject=f"step:{step.pk}",
        rows=[step, chain],
        case=chain.case_id,
        effects={"rows": [fact_of(r) for r in effects]} if effects is not None else {},
    )
    return step


@action(ApprovalAction.RESUBMIT)
def approval_resubmit(
    act: Act,
    /,
    *,
    chain: Chain,
    officer: Officer,
    fields: dict[str, Any],
    opinion: str,
    reason: str,
) -> Step:
    """A returned proposal is revised (a new version of its document) and submitted again.
    The old version and every earlier step stay."""
    chain = _locked(chain)
    if chain.status != ChainStatus.RETURNED:
        raise ActionError("chain_not_returned", "只有被退回的审批事项才能修改后重新提交")
    if officer.pk != chain.proposer_id:
        raise ActionError("not_proposer", "只有原承办人可以修改并重新提交", status=403)
    if not opinion.strip():
        raise ActionError(
            "opinion_required", "请填写承办人初审意见和理由（第六条）", field="opinion"
        )
    now = timezone.now()
    record = new_version(
        record=chain.record,
        officer=officer,
        fields=fields,
        reason=reason.strip() or "审批退回后修改",
        now=now,
    )
    chain.record = record
    chain.status = ChainStatus.PENDING_REVIEW
    chain.save(update_fields=["record", "status"])
    step = Step.objects.create(
        chain=chain,
        role=StepRole.PROPOSE,
        officer=officer,
        outcome=Outcome.SUBMIT,
        opinion=opinion.strip(),
        record=record,
        created_at=now,
    )
    act.record(
        agency=chain.case.agency_id,
        actor=officer,
        subject=f"step:{step.pk}",
        rows=[record, step, chain],
        case=chain.case_id,
    )
    return step
