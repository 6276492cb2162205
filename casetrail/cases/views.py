"""Web UI of cases: the worklist, the case list, the case page and the steps taken on a case. The
apps above fill the page, the worklist and the steps through ``casetrail.cases.hooks``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from casetrail.cases.forms import next_stage
from casetrail.cases.hooks import ACTS, PANELS, WORKLIST
from casetrail.cases.models import Stage, StartMode
from casetrail.cases.selectors import case_for_user, case_list, case_page
from casetrail.lib.errors import ActionError
from casetrail.lib.forms import apply_error
from casetrail.lib.htmx import HtmxHttpRequest
from casetrail.lib.numbers import id_or_none
from casetrail.org.selectors import officer_for_request


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    officer = officer_for_request(request.user)
    sections = [
        (section.template, section.context(officer))
        for section in sorted(WORKLIST.values(), key=lambda s: s.order)
    ]
    return render(request, "cases/worklist.html", {"sections": sections})


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
    page = Paginator(cases, 30).get_page(id_or_none(request.GET.get("page")) or 1)
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
    page = case_page(officer=officer, case=case)
    panels = []
    for panel in sorted(PANELS.values(), key=lambda p: p.order):
        context = panel.context(page)
        if context is not None:
            panels.append((panel.template, context))
    return render(request, "cases/case_detail.html", {"case": case, "page": page, "panels": panels})


@login_required
@require_http_methods(["GET", "POST"])
def case_act(request: HttpRequest, case_id: int, act: str) -> HttpResponse:
    officer = officer_for_request(request.user)
    case = case_for_user(user=request.user, case_id=case_id)
    spec = ACTS.get(act)
    if spec is None:
        raise Http404("没有这个操作")
    if not spec.offered_to(case, officer):
        raise PermissionDenied("只有本案承办人员可以办理此事项")
    form = spec.form(case)(request.POST or None)
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
