"""Reads of approval chains and the single rule of who may act on a chain next (第六条)."""

from __future__ import annotations

import operator
from functools import reduce
from typing import Any

from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.http import Http404

from casetrail.approvals.kinds import waiting_order
from casetrail.approvals.models import Chain, ChainStatus, Step, StepRole
from casetrail.cases.models import Case, CaseOfficer
from casetrail.lib.numbers import id_or_none
from casetrail.org.models import Officer, Role, Unit

# The step a status waits for, and the role its person must hold (第六条: 审核人, the 法制机构,
# and the leaders — a 集体讨论 is chaired and recorded by one of them — and 批准人).
ROLE_FOR_STATUS = {
    ChainStatus.PENDING_REVIEW: (StepRole.REVIEW, Role.REVIEWER),
    ChainStatus.PENDING_LEGAL: (StepRole.LEGAL, Role.LEGAL_REVIEWER),
    ChainStatus.PENDING_COLLECTIVE: (StepRole.COLLECTIVE, Role.APPROVER),
    ChainStatus.PENDING_DECISION: (StepRole.DECIDE, Role.APPROVER),
}


def current_round(chain: Chain) -> list[Step]:
    """The steps since the last (re)submission: the people of this round must be distinct."""
    steps = list(chain.steps.all())
    last_propose = max((i for i, s in enumerate(steps) if s.role == StepRole.PROPOSE), default=0)
    return steps[last_propose:]


def why_cannot_act(*, officer: Officer, chain: Chain) -> str | None:
    """None when ``officer`` may take the next step of ``chain``; otherwise the reason in zh-Hans.
    (A list of chains asks ``waiting_for``, the same rule in SQL, not this per chain.)"""
    if officer.agency_id != chain.case.agency_id:
        return "不是本机关人员"
    if chain.status == ChainStatus.RETURNED:
        if officer.pk != chain.proposer_id:
            return "已退回承办人修改，只有承办人可以重新提交"
        return None
    if chain.status not in ROLE_FOR_STATUS:
        return "该审批已办结"
    _, role = ROLE_FOR_STATUS[ChainStatus(chain.status)]
    if not officer.has_role(role):
        return f"当前环节须由{Role(role).label}办理，您不具备该角色"
    if officer.pk == chain.proposer_id:
        return "不得审核或批准本人提出的事项（第六条）"
    if any(s.officer_id == officer.pk for s in current_round(chain)):
        return "承办人、审核人、批准人应为不同人员（第六条），您已在本轮办理过"
    if chain.status == ChainStatus.PENDING_REVIEW and officer.unit_id != chain.case.unit_id:
        return "审核人应为承办机构负责人"
    if chain.status == ChainStatus.PENDING_LEGAL:
        if officer.unit.kind != Unit.Kind.LEGAL:
            return "法制审核应由法制机构人员办理"
        if chain.case.assignments.filter(officer=officer).exists():
            return "本案承办人员不得进行本案的法制审核（行政处罚法第五十八条）"
    return None


def waiting_for(*, officer: Officer) -> QuerySet[Chain]:
    """Chains whose next step this officer may take, plus returned ones they must revise, the
    nearest deadline first, then the longest waiting (``kinds.waiting_order``; issue 18):
    ``why_cannot_act``'s rule in SQL (a test holds the two to the same
    chains), so a list reads the chains it shows and counts the rest, where testing each in
    Python read every waiting chain of the agency with its steps (issue 18)."""
    roles = officer.role_set
    decides: list[Q] = []
    if Role.REVIEWER in roles:
        decides.append(Q(status=ChainStatus.PENDING_REVIEW, case__unit_id=officer.unit_id))
    if Role.LEGAL_REVIEWER in roles and officer.unit.kind == Unit.Kind.LEGAL:
        # 行政处罚法第五十八条: not on a case they handle.
        handles = CaseOfficer.objects.filter(case_id=OuterRef("case_id"), officer=officer)
        decides.append(Q(status=ChainStatus.PENDING_LEGAL) & ~Q(Exists(handles)))
    if Role.APPROVER in roles:
        decides.append(Q(status__in=[ChainStatus.PENDING_COLLECTIVE, ChainStatus.PENDING_DECISION]))
    q = Q(status=ChainStatus.RETURNED, proposer=officer)
    if decides:  # a handler only revises their own (the rest would cost its compilation)
        # 第六条: not their own proposal, and nobody twice in a round (the steps since the
        # last (re)submission, that step included — ``current_round``).
        proposed = Step.objects.filter(chain_id=OuterRef(OuterRef("pk")), role=StepRole.PROPOSE)
        last = proposed.order_by("-created_at", "-id")
        at = Subquery(last.values("created_at")[:1])
        acted = Step.objects.filter(chain_id=OuterRef("pk"), officer=officer).filter(
            Q(created_at__gt=at)
            | Q(created_at=at, id__gte=Subquery(last.values("id")[:1]))
            | ~Exists(proposed)
        )
        q |= reduce(operator.or_, decides) & ~Q(proposer=officer) & ~Q(Exists(acted))
    # The statuses as one IN beside the OR: the planner then reads the waiting chains through
    # their status index, not every case of the agency for its chains (13 ms for zhao's 72
    # chains at 3,000 cases).
    statuses = [ChainStatus.RETURNED, *(s for s, (_, r) in ROLE_FOR_STATUS.items() if r in roles)]
    chains = Chain.objects.filter(status__in=statuses, case__agency_id=officer.agency_id)
    # A decider's chains are on cases they are not assigned to, whose stored deadlines their
    # other panels do not refresh: refreshed here first. A handler's returned chains are on their
    # own cases, refreshed by their worklist's deadlines (a minute's lag at most elsewhere).
    return waiting_order(chains.filter(q), refresh=bool(decides))


def chains_waiting_for(*, officer: Officer, limit: int | None = None) -> list[Chain]:
    """The first ``limit`` of ``waiting_for`` with their cases and proposers (all of them when
    no limit)."""
    chains = waiting_for(officer=officer)
    return shown_chains(list(chains.values_list("pk", flat=True)[:limit]))


def shown_chains(ids: list[int]) -> list[Chain]:
    """The chains with these ids, in that order, with what a list of them shows (the case, its
    unit and agency, the proposer)."""
    found = Chain.objects.filter(pk__in=ids).select_related(
        "case", "proposer", "case__unit", "case__agency"
    )
    by_id = {c.pk: c for c in found}
    return [by_id[pk] for pk in ids if pk in by_id]


def _chains_shown() -> QuerySet[Chain]:
    return Chain.objects.select_related("proposer", "record").prefetch_related(
        "steps__officer", "steps__record"
    )


def chains_of_case(*, case_id: int) -> QuerySet[Chain]:
    return _chains_shown().filter(case_id=case_id)


def load_chains(case: Case) -> list[Chain]:
    """The case's chains with their steps, loaded onto ``case`` itself (``case.chains.all()``
    then reads no more): for one page view, where the approvals panel, the compliance rules and
    the deadlines each read them. Not for a case an action goes on to change."""
    prefetch_related_objects([case], Prefetch("chains", queryset=_chains_shown()))
    return list(case.chains.all())


def chain_for_user(*, user: Any, chain_id: int | str) -> Chain:
    """The chain if ``user`` may read its case (the case's access function decides); else 404."""
    from casetrail.cases.selectors import case_for_user

    pk = id_or_none(chain_id)
    if pk is None:
        raise Http404("审批不存在")
    case_id = Chain.objects.filter(pk=pk).values_list("case_id", flat=True).first()
    if case_id is None:
        raise Http404("审批不存在")
    case = case_for_user(user=user, case_id=case_id)
    chain = Chain.objects.select_related("record", "proposer").get(pk=pk)
    chain.case = case
    return chain
