"""The cases app's own parts of the case page, its API and the worklist: the overview with the
stage bar and the steps, the parties (masked where the viewer may not see them), the officers,
the stage changes in the full record, and the viewer's open cases. Registered from
``CasesConfig.ready()`` like every other app's parts."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef
from django.urls import reverse

from casetrail.cases.actions import case_advance, state_secret_register
from casetrail.cases.api import CaseSummarySerializer
from casetrail.cases.forms import AdvanceForm, StateSecretPaperForm, next_stage
from casetrail.cases.gates import transition_blockers
from casetrail.cases.hooks import (
    ACTS,
    DECIDED_STAGES,
    GLANCE,
    LINKS,
    TIMELINE,
    CaseAct,
    CasePage,
    Confirmation,
    Panel,
    TimelineItem,
    WorklistSection,
)
from casetrail.cases.models import Case, CaseOfficer, Confidentiality, Stage, StartStatus
from casetrail.cases.selectors import (
    MANY_CASES,
    case_list,
    case_table_rows,
    has_many_cases,
    marked_reads_of,
    page_marks,
    page_read_state,
    page_sees_personal,
    parties_for,
    stage_changes_of,
)
from casetrail.lib import paging
from casetrail.org.models import Officer


def _advance(case: Case, officer: Officer, d: dict[str, Any]) -> Any:
    return case_advance(
        case=case, officer=officer, to_stage=next_stage(case.stage) or "", reason=d["reason"]
    )


def confirm_advance(case: Case, officer: Officer, d: dict[str, Any]) -> Confirmation:
    """The confirmation of 进入下一阶段: the move, that it cannot be undone, and every rule of the
    next stage still unmet (then the move is refused anyway, so the page says so)."""
    target = next_stage(case.stage) or ""
    blockers = transition_blockers(case, target) if target else []
    effect = (
        f"案件将从“{case.get_stage_display()}”进入“{Stage(target).label}”，理由：{d['reason']}。"
        "阶段变更记入全过程记录和日志，提交后不能撤销。"
    )
    return Confirmation(effect, blockers, bool(blockers))


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
    confirm=confirm_advance,
)


SECRET_PAPER = CaseAct(
    "登记国家秘密纸质材料",
    lambda case: StateSecretPaperForm,
    lambda case, officer, d: state_secret_register(case=case, officer=officer, **d),
    lambda case: case.is_open,
    order=95,
)


def steps(page: CasePage) -> list[tuple[str, str]]:
    """The steps the viewer may take on the case now (url, title): the apps' forms (制作文书 …)
    for its officers, then the registered acts offered to the viewer."""
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
    return links


def overview(page: CasePage) -> dict[str, Any]:
    """The case at a glance: its facts and the lines the apps add (本阶段还需, 下一期限, 待谁办理)."""
    lines = sorted((line for fn in GLANCE for line in fn(page)), key=lambda line: line.order)
    return {"assigned": page.assigned, "glance": lines, "links": steps(page)}


def todo(page: CasePage) -> dict[str, Any]:
    return {"links": steps(page)}


def parties(page: CasePage) -> dict[str, Any]:
    personal = page_sees_personal(page)
    return {"parties": parties_for(officer=page.officer, case=page.case, personal=personal)}


def stage_changes(page: CasePage) -> list[TimelineItem]:
    return [
        TimelineItem(
            change.at,
            2,
            "cases/_timeline_stage.html",
            change,
            page.ledger.get(f"cases.StageChange:{change.pk}"),
        )
        for change in stage_changes_of(page.case)
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
        # 第三十三条: who read the case's marked material, and why.
        "marked_reads": _reads_out,
        "approved_at": lambda page: page.case.approved_at,
        "closed_at": lambda page: page.case.closed_at,
        "parties": lambda page: [
            _party_out(p)
            for p in parties_for(
                officer=page.officer, case=page.case, personal=page_sees_personal(page)
            )
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


# 我的案件 on the worklist: the latest open cases shown, the rest behind the filtered case list
# (a handler of a large agency has thousands; the page stays one screen).
MY_CASES_SHOWN = 20


def _my_cases(officer: Officer, limit: int = 50, many: bool | None = None) -> Any:
    # An officer on many cases: the newest open ones found walking the case index (EXISTS on
    # each), not all of theirs gathered and sorted (``visible_cases``).
    many = has_many_cases(officer) if many is None else many
    mine = case_list(officer=officer, mine=True, correlated=many)
    return mine.exclude(stage__in=[Stage.CLOSED, Stage.ARCHIVED])[:limit]


def my_cases_section(officer: Officer) -> dict[str, Any] | None:
    """我的案件: the officer's latest open cases (``MY_CASES_SHOWN``; how many are open when there
    are more), and how many of theirs are closed (behind links to the case list filtered on
    them, which counts to 1,000); left out for an officer who never handled a case. Both totals
    stop at ``WORKLIST_COUNT_CAP`` (「超过 100」)."""
    cap = paging.WORKLIST_COUNT_CAP
    assigned = CaseOfficer.objects.filter(officer=officer)
    # The officer's assignments read up to the threshold, in the walk ``has_many_cases`` counts
    # with: none, and there is nothing to show (the agency's cases were walked to find that —
    # 21 ms for 孙监督, on no case, at 10^5 cases); a few, and they are looked up by key.
    few = list(assigned.order_by().values_list("case_id", flat=True)[: MANY_CASES + 1])
    if not few:
        return None
    many = len(few) > MANY_CASES
    if many:  # counted walking the case index, stopped at the cap
        mine = Case.objects.filter(
            Exists(assigned.filter(case_id=OuterRef("pk"))), agency_id=officer.agency_id
        )
    else:
        mine = Case.objects.filter(agency_id=officer.agency_id, pk__in=few)
    closed = mine.filter(stage__in=[Stage.CLOSED, Stage.ARCHIVED]).order_by()[: cap + 1].count()
    # The open cases' ids in the model's order (the case list's, newest first), up to the cap +
    # 1: the ones shown and the total from one walk (an officer on thousands of cases walked to
    # 1,001 for the count alone). No access filter: the cases assigned to the officer are among
    # those they may read (``visible_cases``), so it only cost its compilation (issue 18).
    open_ = mine.exclude(stage__in=[Stage.CLOSED, Stage.ARCHIVED])
    ids = list(open_.values_list("pk", flat=True)[: cap + 1])
    if not ids and not closed:
        return None
    return {
        # Read as the case list's table reads its page (its columns and the parties' names).
        "my_cases": case_table_rows(ids[:MY_CASES_SHOWN]),
        "open": len(ids),
        "open_shown": paging.counted(len(ids), cap),
        "closed": closed,
        "closed_shown": paging.counted(closed, cap),
    }


def _my_cases_api(officer: Officer) -> Any:
    return CaseSummarySerializer(_my_cases(officer), many=True).data


def timeline(page: CasePage) -> dict[str, Any]:
    """The case's full record (全过程记录) from every app, in time order; at the same instant the
    document, then the step deciding on it, then the stage change it caused."""
    items = [item for contribute in TIMELINE for item in contribute(page)]
    return {"timeline": sorted(items, key=lambda item: (item.at, item.order))}


def marks(page: CasePage) -> dict[str, Any] | None:
    """涉密与查阅记录 (第三十三条): the case's 密级, its 国家秘密 papers (where each is kept and by
    whom — for those the access function allows; others see that they exist), the marked
    records and items, and who read marked material, with the reason they chose. Left out of a
    case with nothing marked and nothing read."""
    by_target = page_marks(page)
    # The 国家秘密 papers are among the case's marks the page read already (target "").
    papers = [m for m in by_target.get("", []) if m.kind == "state_secret"]
    reads = marked_reads_of(case=page.case)
    secret = page.case.confidentiality == Confidentiality.SECRET
    if not (by_target or reads or secret):
        return None
    return {
        "secret": secret,
        "papers": papers,
        "may_read": page_read_state(page).may,
        "marked": [(t, ms) for t, ms in by_target.items() if t],
        "reads": reads,
    }


def _reads_out(page: CasePage) -> list[dict[str, Any]]:
    return [
        {
            "officer": r.officer.name,
            "reason": r.reason,
            "reason_label": r.get_reason_display(),
            "via": r.via,
            "target": r.target,
            "at": r.at,
        }
        for r in marked_reads_of(case=page.case)
    ]


PANELS = [
    Panel("overview", 0, "cases/_panel_overview.html", overview),
    Panel("marks", 35, "cases/_panel_marks.html", marks),
    Panel("steps", 0, "cases/_panel_steps.html", todo, section="todo"),
    Panel("parties", 30, "cases/_panel_parties.html", parties),
    Panel("timeline", 100, "cases/_panel_timeline.html", timeline, section="timeline"),
]
MY_CASES = WorklistSection(
    "my_cases",
    90,
    "cases/_worklist_my_cases.html",
    my_cases_section,
    _my_cases_api,
)
