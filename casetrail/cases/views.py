"""Web UI of cases: worklist, list, detail, the three ways a case starts, and the start steps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from casetrail.approvals.selectors import chains_of_case, chains_waiting_for
from casetrail.cases import actions
from casetrail.cases.forms import (
    OPINION,
    AdvanceForm,
    ApplicationForm,
    CaseBaseForm,
    ComplaintForm,
    ExOfficioForm,
    catalogue_form,
    next_stage,
    party_input,
)
from casetrail.cases.models import Case, Stage, StartMode, StartStatus
from casetrail.cases.selectors import (
    case_for_user,
    case_list,
    deadlines_for,
    officer_for_request,
    parties_for,
)
from casetrail.compliance.deadlines import deadlines_of
from casetrail.compliance.engine import checklist, warnings
from casetrail.evidence.selectors import inbox_for, items_of_case, late_recordings_for
from casetrail.ledger.selectors import ledger_index_for
from casetrail.lib.errors import ActionError
from casetrail.lib.htmx import HtmxHttpRequest
from casetrail.org.models import Officer, Role


def apply_error(form: forms.Form, err: ActionError) -> None:
    """Show an action's refusal on the form: on its field when it names one, else on top."""
    message = err.message
    if err.field and err.field in form.fields:
        form.add_error(err.field, message)
    else:
        form.add_error(None, message)


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    officer = officer_for_request(request.user)
    my_cases = case_list(officer=officer, mine=True).exclude(
        stage__in=[Stage.CLOSED, Stage.ARCHIVED]
    )[:50]
    deadlines = deadlines_for(officer=officer)
    return render(
        request,
        "cases/worklist.html",
        {
            "my_cases": my_cases,
            "waiting": chains_waiting_for(officer=officer),
            "due": [d for d in deadlines if not d.overdue],
            "overdue": [d for d in deadlines if d.overdue],
            "late_recordings": late_recordings_for(officer),
            "evidence_inbox": inbox_for(officer=officer),
        },
    )


@login_required
def cases_index(request: HtmxHttpRequest) -> HttpResponse:
    officer = officer_for_request(request.user)
    stage = request.GET.get("stage", "")
    mode = request.GET.get("mode", "")
    q = request.GET.get("q", "").strip()
    cases = case_list(
        officer=officer,
        stage=stage if stage in Stage.values else "",
        mode=mode if mode in StartMode.values else "",
        q=q,
    )
    page = Paginator(cases, 30).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "stages": Stage.choices,
        "modes": StartMode.choices,
        "stage": stage,
        "mode": mode,
        "q": q,
    }
    template = "cases/case_list.html#results" if request.htmx else "cases/case_list.html"
    return render(request, template, context)


@login_required
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    officer = officer_for_request(request.user)
    case = case_for_user(user=request.user, case_id=case_id)
    records = list(
        case.records.select_related("created_by", "replaces").prefetch_related(
            "signatures__blob", "attachments__blob"
        )
    )
    chains = list(chains_of_case(case_id=case.pk))
    ledger = ledger_index_for(case=case)
    timeline: list[dict[str, Any]] = []
    for change in case.stage_changes.select_related("by"):
        timeline.append(
            {
                "at": change.at,
                "kind": "stage",
                "obj": change,
                "ledger": ledger.get(f"cases.StageChange:{change.pk}"),
            }
        )
    for record in records:
        timeline.append(
            {
                "at": record.created_at,
                "kind": "record",
                "obj": record,
                "ledger": ledger.get(f"records.Record:{record.pk}"),
            }
        )
    for chain in chains:
        for step in chain.steps.all():
            timeline.append(
                {
                    "at": step.created_at,
                    "kind": "step",
                    "obj": step,
                    "chain": chain,
                    "ledger": ledger.get(f"approvals.Step:{step.pk}"),
                }
            )
    # Same instant: the document, then the step deciding on it, then the stage change it caused.
    order = {"record": 0, "step": 1, "stage": 2}
    timeline.sort(key=lambda item: (item["at"], order[item["kind"]]))
    assigned = [a for a in case.assignments.select_related("officer")]
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "parties": parties_for(officer=officer, case=case),
            "assigned": assigned,
            "chains": chains,
            "timeline": timeline,
            "acts": [
                (slug, act.title)
                for slug, act in ACTS.items()
                if act.available(case) and _is_assigned(officer, assigned)
            ],
            "stages": [
                (value, label, i <= case.stage_index())
                for i, (value, label) in enumerate(Stage.choices)
            ],
            "evidence_items": items_of_case(case=case),
            "may_upload": _is_assigned(officer, assigned) and case.is_open,
            "may_record": _is_assigned(officer, assigned)
            and case.is_open
            and case.stage != Stage.START,
            "checklist": checklist(case) if case.is_open else [],
            "warnings": warnings(case),
            "exemptions": list(case.exemptions.select_related("officer")),
            "deadlines": deadlines_of(case),
            "records_by_stage": _records_by_stage(records),
        },
    )


def _records_by_stage(records: list[Any]) -> list[tuple[str, list[Any]]]:
    """The case's documents grouped by the stage they belong to (latest versions only)."""
    from casetrail.records.catalogue import CATALOGUE

    superseded = {r.replaces_id for r in records if r.replaces_id}
    groups: dict[str, list[Any]] = {value: [] for value in Stage.values}
    for r in records:
        doc = CATALOGUE.get(r.kind)
        if r.pk not in superseded and doc is not None:
            groups[doc.stage].append(r)
    return [(Stage(stage).label, items) for stage, items in groups.items() if items]


def _is_assigned(officer: Officer, assigned: list[Any]) -> bool:
    return any(a.officer_id == officer.pk for a in assigned)


def _start_view(
    request: HttpRequest,
    form_class: type[CaseBaseForm],
    title: str,
    run: Callable[[Officer, Any], Case],
) -> HttpResponse:
    officer = officer_for_request(request.user)
    if not officer.has_role(Role.HANDLER):
        raise PermissionDenied("只有承办人可以登记案件")
    form = form_class(request.POST or None, officer=officer)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                case = run(officer, form)
            except ActionError as err:
                apply_error(form, err)
            else:
                return redirect("case-detail", case_id=case.pk)
        status = 400
    return render(request, "form.html", {"form": form, "title": title}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def case_new_ex_officio(request: HttpRequest) -> HttpResponse:
    def run(officer: Officer, form: ExOfficioForm) -> Case:
        d = form.cleaned_data
        party = party_input(d, "party")
        return actions.case_start_ex_officio(
            officer=officer,
            data=form.case_input([party] if party else []),
            reason=d["reason"],
            party_facts=d["party_facts"],
            opinion=d["opinion"],
            emergency=d["emergency"],
            emergency_reason=d["emergency_reason"],
        )

    return _start_view(request, ExOfficioForm, "依职权启动：填写程序启动审批表（第九条）", run)


@login_required
@require_http_methods(["GET", "POST"])
def case_new_application(request: HttpRequest) -> HttpResponse:
    def run(officer: Officer, form: ApplicationForm) -> Case:
        d = form.cleaned_data
        applicant = party_input(d, "applicant")
        assert applicant is not None
        return actions.case_register_application(
            officer=officer,
            data=form.case_input(),
            applicant=applicant,
            received_at=d["received_at"],
            matter=d["matter"],
            materials=d["materials"],
            oral=d["oral"],
            oral_statement=d["oral_statement"],
            applicant_signed=d["applicant_signed"],
        )

    return _start_view(request, ApplicationForm, "依申请：登记行政执法申请（第八条）", run)


@login_required
@require_http_methods(["GET", "POST"])
def case_new_complaint(request: HttpRequest) -> HttpResponse:
    def run(officer: Officer, form: ComplaintForm) -> Case:
        d = form.cleaned_data
        complainant = party_input(d, "complainant")
        assert complainant is not None
        party = party_input(d, "party")
        return actions.case_register_complaint(
            officer=officer,
            data=form.case_input([party] if party else []),
            complainant=complainant,
            received_at=d["received_at"],
            channel=d["channel"],
            content=d["content"],
        )

    return _start_view(request, ComplaintForm, "登记投诉举报（第九条）", run)


@dataclass(frozen=True)
class CaseAct:
    """One step a handler can record on a case: its form and the action it runs."""

    title: str
    form: Callable[[], type[forms.Form]]
    run: Callable[[Case, Officer, dict[str, Any]], Any]
    available: Callable[[Case], bool]


def _application_registered(case: Case) -> bool:
    return case.start_mode == StartMode.APPLICATION and case.start_status == StartStatus.REGISTERED


def _complaint_registered(case: Case) -> bool:
    return case.start_mode == StartMode.COMPLAINT and case.start_status == StartStatus.REGISTERED


def _application_step(kind: str) -> Callable[[Case, Officer, dict[str, Any]], Any]:
    return lambda case, officer, d: actions.application_record(
        case=case, officer=officer, kind=kind, fields=d
    )


ACTS: dict[str, CaseAct] = {
    "correction": CaseAct(
        "当场更正申请材料",
        lambda: catalogue_form("on_the_spot_correction"),
        _application_step("on_the_spot_correction"),
        _application_registered,
    ),
    "supplement-notice": CaseAct(
        "一次性告知补正",
        lambda: catalogue_form("supplement_notice"),
        lambda case, officer, d: actions.application_supplement_notice(
            case=case,
            officer=officer,
            items=d["items"].splitlines(),
            due_date=d["due_date"],
            new_items_reason=d["new_items_reason"],
        ),
        _application_registered,
    ),
    "supplement-received": CaseAct(
        "登记补正材料",
        lambda: catalogue_form("supplement_received"),
        _application_step("supplement_received"),
        _application_registered,
    ),
    "receipt": CaseAct(
        "出具书面凭证（回执）",
        lambda: catalogue_form("application_receipt"),
        _application_step("application_receipt"),
        _application_registered,
    ),
    "application-decision": CaseAct(
        "提出受理 / 不予受理意见",
        lambda: catalogue_form("application_decision", extra=OPINION),
        lambda case, officer, d: actions.application_propose_decision(
            case=case,
            officer=officer,
            decision=d["decision"],
            reasons=d["reasons"],
            opinion=d["opinion"],
        ),
        _application_registered,
    ),
    "start-form": CaseAct(
        "立案调查：填写程序启动审批表",
        lambda: catalogue_form("start_approval_form", extra=OPINION),
        lambda case, officer, d: actions.case_file_start_form(
            case=case,
            officer=officer,
            reason=d["reason"],
            party_facts=d["party_facts"],
            opinion=d["opinion"],
            emergency=d["emergency"],
            emergency_reason=d["emergency_reason"],
        ),
        _complaint_registered,
    ),
    "complaint-decision": CaseAct(
        "提出不予启动意见",
        lambda: catalogue_form("complaint_decision", extra=OPINION),
        lambda case, officer, d: actions.complaint_propose_not_start(
            case=case,
            officer=officer,
            reasons=d["reasons"],
            opinion=d["opinion"],
        ),
        _complaint_registered,
    ),
    "complaint-notice": CaseAct(
        "书面告知投诉举报人",
        lambda: catalogue_form("complaint_notice"),
        lambda case, officer, d: actions.complaint_notify(
            case=case,
            officer=officer,
            notified_at=d["notified_at"],
            method=d["method"],
            content=d["content"],
        ),
        lambda case: case.start_status == StartStatus.NOT_TAKEN_UP and case.stage == Stage.START,
    ),
    "advance": CaseAct(
        "进入下一阶段",
        lambda: AdvanceForm,
        lambda case, officer, d: actions.case_advance(
            case=case,
            officer=officer,
            to_stage=next_stage(case.stage) or "",
            reason=d["reason"],
        ),
        lambda case: (
            case.start_status == StartStatus.APPROVED
            and case.stage not in (Stage.CLOSED, Stage.ARCHIVED)
        ),
    ),
}


@login_required
@require_http_methods(["GET", "POST"])
def case_act(request: HttpRequest, case_id: int, act: str) -> HttpResponse:
    officer = officer_for_request(request.user)
    case = case_for_user(user=request.user, case_id=case_id)
    spec = ACTS.get(act)
    if spec is None:
        raise Http404("没有这个操作")
    if not case.assignments.filter(officer=officer).exists():
        raise PermissionDenied("只有本案承办人员可以办理此事项")
    form = spec.form()(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                spec.run(case, officer, form.cleaned_data)
            except ActionError as err:
                apply_error(form, err)
            else:
                return redirect(reverse("case-detail", args=[case.pk]))
        status = 400
    title = spec.title
    if act == "advance":
        target = next_stage(case.stage)
        title = f"进入下一阶段：{Stage(target).label}" if target else spec.title
    return render(request, "form.html", {"form": form, "title": title, "case": case}, status=status)
