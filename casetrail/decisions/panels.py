"""The decisions app's parts of a case (registered from ``DecisionsConfig.ready()``): the case
page's 处理决定 section — where the decision stands, why it must be legally reviewed or discussed,
the 事先告知 and its period, what a penalty still needs, and every round of the 处理决定审批 with
each step's opinion in order — and the ``decision`` key of ``/api/cases/<id>/`` (also served alone
at ``/api/cases/<id>/decision/``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from casetrail.approvals.api import chain_out
from casetrail.approvals.checklists import labelled
from casetrail.approvals.models import Chain, ChainStatus
from casetrail.cases.hooks import CasePage, Panel
from casetrail.cases.models import Stage, StartStatus
from casetrail.cases.selectors import page_sees_personal
from casetrail.compliance.engine import CaseView
from casetrail.decisions.selectors import (
    Ground,
    NoticeState,
    Problem,
    chain_is_open,
    decision_chains,
    is_ordinary,
    latest_chain,
    legal_review_grounds,
    notice_problems,
    notice_states,
    why_no_proposal,
)


@dataclass
class DecisionState:
    """Where the decision on one case stands, as one viewer's page reads it (once)."""

    chains: list[Chain]
    status: str
    grounds: list[Ground]
    notices: list[NoticeState]
    penalty_problems: list[Problem]
    why_not: str | None
    may_propose: bool


def state_of(page: CasePage) -> DecisionState:
    if "decision" in page.memo:
        state: DecisionState = page.memo["decision"]
        return state
    case = page.case
    view = CaseView(case)
    latest = latest_chain(view)
    status = "none" if latest is None else str(latest.status)
    if chain_is_open(latest) and status != ChainStatus.RETURNED:
        status = "open"
    why_not = why_no_proposal(view)
    early = case.stage in (Stage.INVESTIGATION, Stage.DECISION)
    state = DecisionState(
        chains=decision_chains(view),
        status=status,
        # The grounds of the chain under way or approved; before any, those the case has now.
        grounds=legal_review_grounds(
            view, chain=latest if latest and latest.status != ChainStatus.REFUSED else None
        ),
        notices=notice_states(view),
        penalty_problems=notice_problems(view, at=timezone.now()) if early else [],
        why_not=why_not,
        may_propose=page.is_assigned and why_not is None,
    )
    page.memo["decision"] = state
    return state


STATUS_LABELS = {
    "none": "尚未提出",
    "open": "审批中",
    "returned": "已退回修改",
    "approved": "已批准",
    "refused": "未批准",
}


def panel(page: CasePage) -> dict[str, Any] | None:
    case = page.case
    if not is_ordinary(case) or case.start_status != StartStatus.APPROVED:
        return None
    if case.stage == Stage.INVESTIGATION and not notice_states(CaseView(case)):
        return None  # nothing to say before the 事先告知 or the decision stage
    state = state_of(page)
    for chain in state.chains:
        for step in chain.steps.all():
            labelled(step)
    return {
        "state": state,
        "sees": page_sees_personal(page),  # the steps' free text masked unless
        "status_label": STATUS_LABELS[state.status],
        "latest": state.chains[-1] if state.chains else None,
    }


def _notice_out(n: NoticeState) -> dict[str, Any]:
    return {
        "notice": n.notice.pk,
        "party": (n.notice.fields.get("party") or {}).get("id"),
        "served_on": n.served,
        "period_ends": n.ends.day if n.ends else None,
        "estimated": bool(n.ends and n.ends.estimated),
        "answered": n.answered,
        "waived": n.waived,
        "hearing_requested": n.hearing_requested,
        "hearing_held": n.hearing_held,
        "statements": [s.pk for s in n.statements],
        "reviewed": sorted(n.reviews),
    }


def api(page: CasePage) -> dict[str, Any] | None:
    if not is_ordinary(page.case):
        return None
    state = state_of(page)
    return {
        "status": state.status,
        "may_propose": state.may_propose,
        "why_not": state.why_not,
        "legal_review_grounds": [
            {"code": g.code, "label": g.label, "source": g.source} for g in state.grounds
        ],
        "collective_required": page.case.is_major,
        "advance_notices": [_notice_out(n) for n in state.notices],
        "penalty_blockers": [
            {"code": p.code, "message": p.message, "subject": p.subject, "add": p.add or None}
            for p in state.penalty_problems
        ],
        "chains": [
            chain_out(c, page.ledger, masked=not page_sees_personal(page)) for c in state.chains
        ],
    }


PANEL = Panel("decision", 35, "decisions/_panel_decision.html", panel, section="approvals")
