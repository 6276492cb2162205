"""The cases app's own parts of the case page, its API and the worklist: the overview with the
stage bar and the steps, the parties (masked where the viewer may not see them), the officers,
the stage changes in the full record, and the viewer's open cases. Registered from
``CasesConfig.ready()`` like every other app's parts."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from casetrail.cases.actions import case_advance
from casetrail.cases.api import CaseSummarySerializer
from casetrail.cases.forms import AdvanceForm, next_stage
from casetrail.cases.hooks import (
    ACTS,
    DECIDED_STAGES,
    LINKS,
    TIMELINE,
    CaseAct,
    CasePage,
    Panel,
    TimelineItem,
    WorklistSection,
)
from casetrail.cases.models import Case, Stage, StartStatus
from casetrail.cases.selectors import case_list, parties_for
from casetrail.org.models import Officer


def _advance(case: Case, officer: Officer, d: dict[str, Any]) -> Any:
    return case_advance(
        case=case, officer=officer, to_stage=next_stage(case.stage) or "", reason=d["reason"]
    )


ADVANCE = CaseAct(
    "进入下一阶段",
    lambda case: AdvanceForm,
    _advance,
    lambda case: (
        case.start_status == StartStatus.APPROVED
        and case.is_open
        and next_stage(case.stage) not in DECIDED_STAGES
    ),
    order=90,
)


def overview(page: CasePage) -> dict[str, Any]:
    case = page.case
    links: list[tuple[str, str]] = []
    if page.is_assigned:
        links += [link for contribute in LINKS for link in contribute(page)]
    links += [
        (reverse("case-act", args=[case.pk, slug]), act.title)
        for slug, act in sorted(ACTS.items(), key=lambda kv: kv[1].order)
        if act.available(case)
        and (act.offered_to(case, page.officer) if act.allowed else page.is_assigned)
    ]
    here = case.stage_index()
    return {
        "assigned": page.assigned,
        "links": links,
        "stages": [(label, i <= here) for i, (_, label) in enumerate(Stage.choices)],
    }


def parties(page: CasePage) -> dict[str, Any]:
    return {"parties": parties_for(officer=page.officer, case=page.case)}


def stage_changes(page: CasePage) -> list[TimelineItem]:
    return [
        TimelineItem(
            change.at,
            2,
            "cases/_timeline_stage.html",
            change,
            page.ledger.get(f"cases.StageChange:{change.pk}"),
        )
        for change in page.case.stage_changes.select_related("by")
    ]


def _party_out(p: Any) -> dict[str, Any]:
    return {
        "id": p.pk,
        "role": p.role,
        "kind": p.kind,
        "name": p.name,
        "id_number": p.id_number_shown,
        "phone": p.phone_shown,
        "address": p.address_shown,
        "credit_code": p.credit_code,
        "representative": p.representative,
        "masked": p.masked,
    }


def api_sections() -> dict[str, Any]:
    """The keys of /api/cases/<id>/ that are the case's own."""
    return {
        "category": lambda page: page.case.category,
        "procedure": lambda page: page.case.procedure,
        "confidentiality": lambda page: page.case.confidentiality,
        "approved_at": lambda page: page.case.approved_at,
        "closed_at": lambda page: page.case.closed_at,
        "parties": lambda page: [
            _party_out(p) for p in parties_for(officer=page.officer, case=page.case)
        ],
        "officers": lambda page: [
            {"id": a.officer_id, "name": a.officer.name, "certificate_no": a.certificate_no}
            for a in page.assigned
        ],
        "stage_changes": lambda page: [
            {
                "from": c.from_stage,
                "to": c.to_stage,
                "reason": c.reason,
                "by": c.by.name,
                "at": c.at,
                "ledger_seq": page.ledger.get(f"cases.StageChange:{c.pk}"),
            }
            for c in page.case.stage_changes.select_related("by")
        ],
    }


def _my_cases(officer: Officer) -> Any:
    return case_list(officer=officer, mine=True).exclude(stage__in=[Stage.CLOSED, Stage.ARCHIVED])[
        :50
    ]


def _my_cases_api(officer: Officer) -> Any:
    return CaseSummarySerializer(_my_cases(officer), many=True).data


def timeline(page: CasePage) -> dict[str, Any]:
    """The case's full record (全过程记录) from every app, in time order; at the same instant the
    document, then the step deciding on it, then the stage change it caused."""
    items = [item for contribute in TIMELINE for item in contribute(page)]
    return {"timeline": sorted(items, key=lambda item: (item.at, item.order))}


PANELS = [
    Panel("overview", 0, "cases/_panel_overview.html", overview),
    Panel("parties", 30, "cases/_panel_parties.html", parties),
    Panel("timeline", 100, "cases/_panel_timeline.html", timeline),
]
MY_CASES = WorklistSection(
    "my_cases",
    90,
    "cases/_worklist_my_cases.html",
    lambda o: {"my_cases": _my_cases(o)},
    _my_cases_api,
)
