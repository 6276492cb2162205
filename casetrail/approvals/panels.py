"""The approvals app's parts of a case (registered from ``ApprovalsConfig.ready()``): who may read
a case because of a chain, the case page's 审批 section, each step in the full record, the
``approvals`` key of the case API, and 待我审批 on the worklist."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, Q

from casetrail.approvals.api import chain_out, due_out
from casetrail.approvals.kinds import due_of
from casetrail.approvals.models import Chain, ChainStatus, Step
from casetrail.approvals.selectors import chains_of_case, chains_waiting_for
from casetrail.cases.hooks import CasePage, Panel, TimelineItem, WorklistSection
from casetrail.org.models import Officer, Role, Unit


def visibility(officer: Officer) -> Q:
    """Cases the officer acted on in a chain, or whose chain waits for a role they hold now."""
    roles = officer.role_set
    q = Q(Exists(Step.objects.filter(chain__case=OuterRef("pk"), officer=officer)))
    if Role.REVIEWER in roles:
        q |= Q(
            Exists(Chain.objects.filter(case=OuterRef("pk"), status=ChainStatus.PENDING_REVIEW)),
            unit_id=officer.unit_id,
        )
    if Role.LEGAL_REVIEWER in roles and officer.unit.kind == Unit.Kind.LEGAL:
        q |= Q(Exists(Chain.objects.filter(case=OuterRef("pk"), status=ChainStatus.PENDING_LEGAL)))
    if Role.APPROVER in roles:
        waiting = [ChainStatus.PENDING_COLLECTIVE, ChainStatus.PENDING_DECISION]
        q |= Q(Exists(Chain.objects.filter(case=OuterRef("pk"), status__in=waiting)))
    return q


def _chains(page: CasePage) -> list[Chain]:
    # One read per page view: the panel, the timeline and the API share it.
    if "chains" not in page.memo:
        page.memo["chains"] = list(chains_of_case(case_id=page.case.pk))
    chains: list[Chain] = page.memo["chains"]
    return chains


def panel(page: CasePage) -> dict[str, Any]:
    return {"chains": _chains(page)}


def steps(page: CasePage) -> list[TimelineItem]:
    return [
        TimelineItem(
            step.created_at,
            1,
            "approvals/_timeline_step.html",
            step,
            page.ledger.get(f"approvals.Step:{step.pk}"),
            {"chain": chain},
        )
        for chain in _chains(page)
        for step in chain.steps.all()
    ]


def api(page: CasePage) -> list[dict[str, Any]]:
    return [chain_out(c, page.ledger) for c in _chains(page)]


def _waiting(officer: Officer) -> list[tuple[Chain, Any]]:
    """The chains waiting for the officer, each with the deadline that bears on it (if its kind
    registered one)."""
    return [(c, due_of(c)) for c in chains_waiting_for(officer=officer)]


PANEL = Panel("approvals", 40, "approvals/_panel_chains.html", panel)
WAITING = WorklistSection(
    "approvals_waiting",
    40,
    "approvals/_worklist_waiting.html",
    lambda officer: {"waiting": _waiting(officer)},
    lambda officer: [{**chain_out(c), "due": due_out(due)} for c, due in _waiting(officer)],
)
