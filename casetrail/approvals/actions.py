"""Writes of approval chains. Every public function is one action: one transaction, one ledger entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from casetrail.approvals.kinds import effect_for
from casetrail.approvals.models import OPEN_STATUSES, Chain, ChainStatus, Outcome, Step, StepRole
from casetrail.approvals.selectors import ROLE_FOR_STATUS, why_cannot_act
from casetrail.cases.models import Case
from casetrail.ledger.actions import ledger_append
from casetrail.ledger.facts import fact_of
from casetrail.lib.errors import ActionError
from casetrail.org.models import Officer
from casetrail.records.models import Record


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
    """Start a chain with the handler's 初审意见和理由. A building block of the actions that propose
    something (it runs inside their transaction and their ledger entry carries its rows)."""
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
    step = Step.objects.create(
        chain=chain,
        role=StepRole.PROPOSE,
        officer=proposer,
        outcome=Outcome.SUBMIT,
        opinion=opinion.strip(),
        record=record,
        created_at=now,
    )
    return chain, step


def approval_decide(*, chain: Chain, officer: Officer, outcome: str, opinion: str) -> Step:
    """第六条: the reviewer reviews, the legal unit reviews legality (重大), the approver decides.

    Approve moves the chain on (and, at the approver, applies the kind's effect, e.g. assigns the
    case number); return sends it back to the handler with reasons; refuse ends it.
    """
    with transaction.atomic():
        chain = (
            Chain.objects.select_for_update()
            .select_related("case", "case__agency")
            .get(pk=chain.pk)
        )
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
        effects: dict[str, Any] = {}
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
        ledger_append(
            agency=chain.case.agency,
            actor=officer,
            action="approval.step",
            subject=f"step:{step.pk}",
            payload={
                "case": chain.case_id,
                "rows": [fact_of(step), fact_of(chain)],
                "effects": effects,
            },
            case_id=chain.case_id,
        )
        return step


def approval_resubmit(
    *, chain: Chain, officer: Officer, fields: dict[str, Any], opinion: str, reason: str
) -> Step:
    """A returned proposal is revised (a new version of its document) and submitted again.
    The old version and every earlier step stay."""
    from casetrail.records.actions import new_version

    with transaction.atomic():
        chain = (
            Chain.objects.select_for_update()
            .select_related("case", "case__agency")
            .get(pk=chain.pk)
        )
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
        ledger_append(
            agency=chain.case.agency,
            actor=officer,
            action="approval.resubmit",
            subject=f"step:{step.pk}",
            payload={
                "case": chain.case_id,
                "rows": [fact_of(record), fact_of(step), fact_of(chain)],
            },
            case_id=chain.case_id,
        )
        return step
