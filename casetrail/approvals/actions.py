"""Writes of approval chains (第六条). Every public function is a ledgered action."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.utils import timezone

from casetrail.approvals.checklists import (
    clean_findings,
    clean_legal_grounds,
    collective_quorum,
    has_issue,
)
from casetrail.approvals.kinds import effect_for, needs_legal_checklist, prepare_for
from casetrail.approvals.models import PENDING, Chain, ChainStatus, Outcome, Step, StepRole
from casetrail.approvals.selectors import ROLE_FOR_STATUS, why_cannot_act
from casetrail.lib.errors import ActionError
from casetrail.lib.facts import fact_of
from casetrail.lib.ledgered import Act, ActionName, action
from casetrail.lib.numbers import parse_int
from casetrail.lib.text import clean_text
from casetrail.org.models import Officer, Role
from casetrail.records.writes import new_version


class ApprovalAction(ActionName):
    STEP = "approval.step"
    RESUBMIT = "approval.resubmit"


def _locked(chain: Chain) -> Chain:
    return (
        Chain.objects.select_for_update(no_key=True, of=("self", "case"))
        .select_related("case", "case__agency")
        .get(pk=chain.pk)
    )


def _last_approval_before(**kwargs: Any) -> dict[str, Any]:
    """Before the deciding transaction (``lib.outside``, issue 18): when this step is the last
    approval of a chain whose kind prepares its effect outside (``kinds.register_prepare``: the
    附卷 approval's 案卷 PDF), that preparation; nothing otherwise, nor when the action will
    refuse (it says why itself). Read without locks: the effect checks again under them."""
    prepare = prepare_for(kwargs["chain"].kind)  # a chain's kind never changes
    if prepare is None or kwargs.get("outcome") != Outcome.APPROVE:
        return {}  # no query: most kinds prepare nothing
    chain = Chain.objects.select_related("case", "case__agency").get(pk=kwargs["chain"].pk)
    officer: Officer = kwargs["officer"]
    if chain.status not in ROLE_FOR_STATUS:
        return {}
    role, _ = ROLE_FOR_STATUS[ChainStatus(chain.status)]
    adds_legal = kwargs.get("legal_grounds") and StepRole.LEGAL not in chain.step_plan()
    if adds_legal or chain.role_after(role) is not None:
        return {}
    if why_cannot_act(officer=officer, chain=chain):
        return {}
    return prepare(chain=chain, officer=officer)


@action(ApprovalAction.STEP, before=_last_approval_before)
def approval_decide(
    act: Act,
    /,
    *,
    chain: Chain,
    officer: Officer,
    outcome: str,
    opinion: str,
    findings: list[dict[str, Any]] | None = None,
    participants: list[dict[str, Any]] | None = None,
    legal_grounds: list[str] | None = None,
) -> Step:
    """第六条: the reviewer reviews, the legal unit reviews legality (第十六条; 行政处罚法第五十八条,
    with a finding on every item of the checklist), the leaders discuss (第十八条: the chair records
    who took part and what each said), the approver decides (第十九条).

    Approve moves the chain to its next step (after the last, the kind's effect applies, e.g. the
    case number; what it needs from another machine was prepared before the transaction,
    ``_last_approval_before``); return sends it back to the proposer with reasons; refuse ends
    it and binds: the effect of a refusal applies and nothing the chain proposed may follow from
    it.

    A reviewer approving a decision of a checklist kind may find the case 疑难复杂 or involving
    several legal relations (``legal_grounds``, 行政处罚法第五十八条第一款第三项): the 法制审核 step
    is then added to the plan, right after the review, unless it is there already.
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
    opinion = clean_text(opinion, where="审批意见", field="opinion")
    if not opinion:
        raise ActionError("opinion_required", "请填写审批意见和理由", field="opinion")
    now = timezone.now()
    role, _ = ROLE_FOR_STATUS[ChainStatus(chain.status)]
    extra = _step_extras(chain, officer, role, outcome, findings, participants, legal_grounds)
    if extra.get("legal_grounds") and StepRole.LEGAL not in chain.step_plan():
        plan = chain.step_plan()
        plan.insert(plan.index(role) + 1, StepRole.LEGAL.value)
        chain.plan, chain.requires_legal = plan, True
    step = Step.objects.create(
        chain=chain,
        role=role,
        officer=officer,
        outcome=outcome,
        opinion=opinion,
        record=chain.record,
        created_at=now,
        **extra,
    )
    effects: list[Model] | None = None
    following = chain.role_after(role)
    if outcome == Outcome.RETURN:
        chain.status = ChainStatus.RETURNED
    elif outcome == Outcome.REFUSE:
        chain.status, chain.decided_at = ChainStatus.REFUSED, now
        effects = effect_for(chain.kind)(chain=chain, officer=officer, approved=False, now=now)
    elif following is not None:
        chain.status = PENDING[StepRole(following)]
    else:
        chain.status, chain.decided_at = ChainStatus.APPROVED, now
        effects = effect_for(chain.kind)(chain=chain, officer=officer, approved=True, now=now)
    chain.save(update_fields=["status", "decided_at", "plan", "requires_legal"])
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
    opinion = clean_text(opinion, where="承办人初审意见", field="opinion")
    reason = clean_text(reason, where="修改说明", field="reason", limit=300)
    if not opinion:
        raise ActionError(
            "opinion_required", "请填写承办人初审意见和理由（第六条）", field="opinion"
        )
    now = timezone.now()
    record = new_version(
        record=chain.record,
        officer=officer,
        fields=fields,
        reason=reason or "审批退回后修改",
        now=now,
    )
    chain.record = record
    chain.status = PENDING[StepRole(chain.step_plan()[0])]
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


def _step_extras(
    chain: Chain,
    officer: Officer,
    role: str,
    outcome: str,
    findings: list[dict[str, Any]] | None,
    participants: list[dict[str, Any]] | None,
    legal_grounds: list[str] | None = None,
) -> dict[str, Any]:
    """What a step records besides its opinion: the legal checklist's findings, the discussion's
    participants, the reviewer's grounds for 法制审核. Only the step that has them may carry them."""
    if role != StepRole.LEGAL and findings:
        raise ActionError(
            "findings_not_expected", "只有法制审核环节逐项填写审核要点", field="findings"
        )
    if role != StepRole.COLLECTIVE and participants:
        raise ActionError(
            "participants_not_expected", "只有集体讨论环节记录参加人员", field="participants"
        )
    if legal_grounds:
        if role != StepRole.REVIEW or not needs_legal_checklist(chain.kind):
            raise ActionError(
                "legal_grounds_not_expected",
                "只有处理决定等须经法制审核的事项，由审核人在审核环节提请法制审核",
                field="legal_grounds",
            )
        if outcome != Outcome.APPROVE:
            raise ActionError(
                "legal_grounds_need_approval",
                "提请法制审核的，审核结果应为“同意”并转法制审核；退回或不同意的无需提请",
                field="legal_grounds",
            )
        return {"legal_grounds": clean_legal_grounds(legal_grounds)}
    if role == StepRole.LEGAL and (findings or needs_legal_checklist(chain.kind)):
        cleaned = clean_findings(findings)
        if outcome == Outcome.APPROVE and has_issue(cleaned):
            raise ActionError(
                "legal_review_has_issues",
                "审核要点中存在问题的，不能同意：请退回修改或不同意（行政处罚法第五十八条）",
                field="outcome",
            )
        return {"findings": cleaned}
    if role == StepRole.COLLECTIVE:
        return {"participants": _clean_participants(chain, officer, participants)}
    return {}


def _clean_participants(
    chain: Chain, chair: Officer, raw: list[dict[str, Any]] | None
) -> list[dict[str, Any]]:
    """第十八条: the agency's leaders who discussed (the chair among them), each with a view."""
    entries = [p for p in raw or [] if isinstance(p, dict)]
    ids = []
    for p in entries:
        try:
            ids.append(parse_int(p.get("id"), minimum=1))
        except ActionError:
            raise ActionError(
                "invalid_participant", "参加人员应为本机关人员", field="participants"
            ) from None
    if len(set(ids)) != len(ids):
        raise ActionError("duplicate_participant", "参加人员重复", field="participants")
    found = {
        o.pk: o
        for o in Officer.objects.filter(
            pk__in=ids, agency_id=chain.case.agency_id
        ).prefetch_related("roles")
    }
    out = []
    for pk, entry in zip(ids, entries, strict=True):
        leader = found.get(pk)
        if leader is None or not leader.has_role(Role.APPROVER):
            raise ActionError(
                "participant_not_a_leader",
                "集体讨论的参加人员应为本机关负责人",
                field="participants",
            )
        view = clean_text(
            entry.get("view") or "", where=f"{leader.name}的意见", field="participants", limit=1000
        )
        if not view:
            raise ActionError(
                "participant_view_required", f"请记录{leader.name}的意见", field="participants"
            )
        out.append({"id": leader.pk, "name": leader.name, "view": view})
    if chair.pk not in found:
        raise ActionError("chair_not_listed", "主持人应列为参加人员", field="participants")
    quorum = collective_quorum()
    if len(out) < quorum:
        raise ActionError(
            "quorum_not_met",
            f"集体讨论应有不少于{quorum}名负责人参加（第十八条），本次仅{len(out)}名",
            field="participants",
        )
    return out
