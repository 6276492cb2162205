"""The approvals app's parts of a case (registered from ``ApprovalsConfig.ready()``): who may read
a case because of a chain, the case page's 审批 section, each step in the full record, the
``approvals`` key of the case API, and 待我审批 on the worklist."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse

from casetrail.approvals.api import chain_out, due_out
from casetrail.approvals.kinds import dues_of
from casetrail.approvals.models import Chain, ChainStatus, Step
from casetrail.approvals.selectors import (
    ROLE_FOR_STATUS,
    chains_waiting_for,
    load_chains,
    shown_chains,
    waiting_for,
)
from casetrail.cases.hooks import CasePage, Glance, Panel, TimelineItem, WorklistSection
from casetrail.cases.selectors import may_read_marked, page_sees_personal
from casetrail.lib import paging
from casetrail.org.models import Officer, Role, Unit


def visibility(officer: Officer, correlated: bool = False) -> Q:
    """Cases the officer acted on in a chain, or whose chain waits for a role they hold now.

    By default each part is a set of case ids read through an index (steps by officer, chains
    by status), not a subquery correlated with every case of the agency: the handler's case list
    at 10^5 cases (issue 18). ``correlated``: the same parts as EXISTS on the outer case, for
    the first page of a long list (``cases.selectors.visible_cases``)."""
    roles = officer.role_set

    def of(chains: QuerySet[Chain]) -> Q:
        if correlated:
            return Q(Exists(chains.filter(case_id=OuterRef("pk"))))
        return Q(pk__in=chains.values("case_id"))

    if correlated:
        q = Q(Exists(Step.objects.filter(officer=officer, chain__case_id=OuterRef("pk"))))
    else:
        q = Q(pk__in=Step.objects.filter(officer=officer).values("chain__case_id"))
    if Role.REVIEWER in roles:
        q |= of(Chain.objects.filter(status=ChainStatus.PENDING_REVIEW)) & Q(
            unit_id=officer.unit_id
        )
    if Role.LEGAL_REVIEWER in roles and officer.unit.kind == Unit.Kind.LEGAL:
        q |= of(Chain.objects.filter(status=ChainStatus.PENDING_LEGAL))
    if Role.APPROVER in roles:
        waiting = [ChainStatus.PENDING_COLLECTIVE, ChainStatus.PENDING_DECISION]
        q |= of(Chain.objects.filter(status__in=waiting))
    return q


def _chains(page: CasePage) -> list[Chain]:
    # One read per page view: the panel, the timeline and the API share it.
    if "chains" not in page.memo:
        page.memo["chains"] = load_chains(page.case)
    chains: list[Chain] = page.memo["chains"]
    return chains


def panel(page: CasePage) -> dict[str, Any]:
    return {"chains": _chains(page), "sees": page_sees_personal(page)}


def steps(page: CasePage) -> list[TimelineItem]:
    return [
        TimelineItem(
            step.created_at,
            1,
            "approvals/_timeline_step.html",
            step,
            page.ledger.get(f"approvals.Step:{step.pk}"),
            {"chain": chain, "sees": page_sees_personal(page)},
        )
        for chain in _chains(page)
        for step in chain.steps.all()
    ]


def waiting_on(chain: Chain, unit_name: str) -> str:
    """Who must take the next step of an open chain, in words (第六条's roles)."""
    if chain.status == ChainStatus.RETURNED:
        return f"承办人{chain.proposer.name}修改后重新提交"
    _, role = ROLE_FOR_STATUS[ChainStatus(chain.status)]
    if chain.status == ChainStatus.PENDING_REVIEW:
        return f"{unit_name}{Role(role).label}"
    return str(Role(role).label)


def glance(page: CasePage) -> list[Glance]:
    """The overview's 待谁办理: each open chain of the case and whose step it waits for."""
    return [
        Glance(
            30,
            "待谁办理",
            f"{chain.get_kind_display()}：{chain.get_status_display()}，待{waiting_on(chain, page.case.unit.name)}",
            reverse("chain-detail", args=[chain.pk]),
            "warn",
        )
        for chain in _chains(page)
        if chain.is_open
    ]


def api(page: CasePage) -> list[dict[str, Any]]:
    masked = not page_sees_personal(page)
    return [chain_out(c, page.ledger, masked=masked) for c in _chains(page)]


# 待我审批 on the worklist: the chains nearest their deadline, then the longest waiting
# (``waiting_for``), the rest on the full list (paged).
WAITING_SHOWN = 20
# /api/worklist/'s "approvals_waiting" and /api/approvals/ list at most this many.
WAITING_API_LIMIT = 500


def with_dues(chains: list[Chain]) -> list[tuple[Chain, Any]]:
    """Each chain with the deadline that bears on it (if its kind registered one)."""
    return list(zip(chains, dues_of(chains), strict=True))


def waiting_section(officer: Officer) -> dict[str, Any] | None:
    """待我审批: the first ``WAITING_SHOWN`` chains in ``waiting_for``'s order (nearest
    deadline, then longest waiting) and how many wait, counted to ``WORKLIST_COUNT_CAP`` in the
    same read; left out for an officer who decides no chain and has none returned to revise."""
    cap = paging.WORKLIST_COUNT_CAP
    ids = list(waiting_for(officer=officer).values_list("pk", flat=True)[: cap + 1])
    deciders = {Role.REVIEWER, Role.LEGAL_REVIEWER, Role.APPROVER}
    if not ids and not deciders & officer.role_set:
        return None
    return {
        "waiting": with_dues(shown_chains(ids[:WAITING_SHOWN])),
        "total": len(ids),
        "total_shown": paging.counted(len(ids), cap),
    }


PANEL = Panel("approvals", 40, "approvals/_panel_chains.html", panel, section="approvals")
WAITING = WorklistSection(
    "approvals_waiting",
    40,
    "approvals/_worklist_waiting.html",
    lambda officer: waiting_section(officer),
    lambda officer: [
        {
            **chain_out(c, masked=not may_read_marked(officer=officer, case=c.case)),
            "due": due_out(due),
        }
        for c, due in with_dues(chains_waiting_for(officer=officer, limit=WAITING_API_LIMIT))
    ],
)
