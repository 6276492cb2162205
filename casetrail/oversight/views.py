"""Web UI of oversight: the findings (第三十四、三十五条) and the supervisor's steps on each."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from casetrail.lib.errors import ActionError
from casetrail.lib.forms import apply_error
from casetrail.org.models import Officer, Role
from casetrail.oversight.actions import FROM
from casetrail.oversight.dashboard import Scope, sections
from casetrail.oversight.forms import MOVES, FindingStepForm
from casetrail.oversight.kinds import ITEMS, KINDS
from casetrail.oversight.models import FindingState
from casetrail.oversight.moves import TARGET, apply_move
from casetrail.oversight.refresh import refresh
from casetrail.oversight.selectors import (
    cases_by_ids,
    finding_for_user,
    findings_of_agency,
    officers_of,
    require_overseer,
    steps_of,
    units_of,
)
from casetrail.oversight.stats import PERIODS, Dashboard, dashboard


@login_required
def finding_list(request: HttpRequest) -> HttpResponse:
    """监督发现: the agency's findings with filters, and the registry of kinds."""
    officer = require_overseer(request.user)
    state = request.GET.get("state", "")
    kind = request.GET.get("kind", "")
    item = request.GET.get("item", "")
    rows = list(
        findings_of_agency(
            officer=officer,
            state=state if state in FindingState.values else "",
            kind=kind if kind in KINDS else "",
            item=item if item in ITEMS else "",
        )[:500]
    )
    context = {
        "rows": rows,
        "kinds": list(KINDS.values()),
        "states": FindingState.choices,
        "items": ITEMS,
        "chosen": {"state": state, "kind": kind, "item": item},
        "may_act": officer.has_role(Role.SUPERVISOR),
    }
    return render(request, "oversight/findings.html", context)


@login_required
@require_POST
def finding_refresh(request: HttpRequest) -> HttpResponse:
    """刷新: raise the agency's new findings now (supervisors; the scheduler does it daily)."""
    officer = require_overseer(request.user)
    if not officer.has_role(Role.SUPERVISOR):
        raise PermissionDenied("只有监督人员可以刷新监督发现")
    refresh(agency=officer.agency)
    return redirect("finding-list")


def _offered(state: str) -> list[tuple[str, str, str, bool]]:
    return [(move, *MOVES[move]) for move, target in TARGET.items() if state in FROM[target]]


@login_required
@require_http_methods(["GET"])
def finding_detail(request: HttpRequest, finding_id: int) -> HttpResponse:
    officer = require_overseer(request.user)
    finding = finding_for_user(user=request.user, finding_id=finding_id)
    may_act = officer.has_role(Role.SUPERVISOR)
    context = {
        "f": finding,
        "kind": KINDS.get(finding.kind),
        "item_label": ITEMS.get(finding.item, ""),
        "steps": steps_of(finding),
        "moves": _offered(finding.state) if may_act else [],
    }
    return render(request, "oversight/finding.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def finding_move(request: HttpRequest, finding_id: int, move: str) -> HttpResponse:
    """One supervisor's step: 责令改正 (with the deadline), 改正情况, 办结, 通报批评."""
    if move not in MOVES:
        raise Http404("没有该处理")
    officer = require_overseer(request.user)
    finding = finding_for_user(user=request.user, finding_id=finding_id)
    if not officer.has_role(Role.SUPERVISOR):
        raise PermissionDenied("只有监督人员可以处理监督发现")
    label, text_label, with_deadline = MOVES[move]
    form = FindingStepForm(request.POST or None)
    form.fields["text"].label = text_label
    if not with_deadline:
        del form.fields["deadline"]
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                apply_move(
                    move=move,
                    finding=finding,
                    officer=officer,
                    text=form.cleaned_data["text"],
                    deadline=form.cleaned_data.get("deadline", ""),
                )
            except ActionError as err:
                apply_error(form, err)
            else:
                return redirect("finding-detail", finding_id=finding.pk)
        status = 400
    return render(
        request,
        "form.html",
        {"form": form, "title": f"{label}：{finding.title}"},
        status=status,
    )


def _dashboard(request: HttpRequest) -> tuple[Officer, Scope, Dashboard]:
    officer = require_overseer(request.user)
    scope = Scope.read(request.GET)
    d = dashboard(
        agency_id=officer.agency_id,
        year=scope.year,
        period=scope.period,
        unit_id=scope.unit_id,
        officer_id=scope.officer_id,
    )
    return officer, scope, d


@login_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    """监督统计 (/oversight/): counts and trends by period, unit and officer, each number a link to
    the cases behind it; a chart and a table for each (supervisors and the director)."""
    officer, scope, d = _dashboard(request)
    context = {
        "scope": scope,
        "sections": sections(d, scope),
        "periods": PERIODS.items(),
        "units": units_of(officer),
        "officers": officers_of(officer),
        "years": range(timezone.localdate().year - 4, timezone.localdate().year + 1),
    }
    return render(request, "oversight/dashboard.html", context)


@login_required
def dashboard_cases(request: HttpRequest) -> HttpResponse:
    """The cases behind one number of the dashboard."""
    officer, scope, d = _dashboard(request)
    ids = d.metric(request.GET.get("metric", ""), request.GET.get("key", ""))
    cases = cases_by_ids(officer=officer, ids=ids)
    back = f"{reverse('oversight-dashboard')}?{scope.query()}"
    return render(request, "oversight/cases.html", {"cases": cases, "back": back})
