"""Web UI of cases: the worklist, the case list, the case page and the steps taken on a case. The
apps above fill the page, the worklist and the steps through ``casetrail.cases.hooks``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from casetrail.cases.forms import next_stage
from casetrail.cases.hooks import ACTS, PANELS, SECTIONS, WORKLIST, CasePage
from casetrail.cases.models import Stage, StartMode
from casetrail.cases.reading import choose_reason, log_page_read, read_state
from casetrail.cases.selectors import (
    case_for_user,
    case_ids,
    case_list,
    case_page,
    case_table_rows,
    known_length,
    may_read_marked,
    page_marks,
    page_sees_personal,
    reads_correlated,
    stage_bar,
)
from casetrail.lib.errors import ActionError
from casetrail.lib.forms import apply_error, resubmitted
from casetrail.lib.htmx import HtmxHttpRequest
from casetrail.lib.masking import mask_text
from casetrail.lib.numbers import id_or_none
from casetrail.lib.paging import CappedPaginator
from casetrail.org.selectors import officer_for_request


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    officer = officer_for_request(request.user)
    sections = []
    for section in sorted(WORKLIST.values(), key=lambda s: s.order):
        context = section.context(officer)
        if context is not None:
            sections.append((section.template, context))
    return render(request, "cases/worklist.html", {"sections": sections})


# Cases on one page of the case list.
PER_PAGE = 30
# The case list's 办理状态 filter: open cases (any stage before 结案) or closed ones.
STATUSES = {"open": "办理中", "closed": "已结案"}


@login_required
def cases_index(request: HtmxHttpRequest) -> HttpResponse:
    officer = officer_for_request(request.user)
    stage = request.GET.get("stage", "")
    mode = request.GET.get("mode", "")
    q = request.GET.get("q", "").strip()
    mine = request.GET.get("mine") == "1"
    status = request.GET.get("status", "")
    status = status if status in STATUSES else ""
    filters: dict[str, Any] = {
        "stage": stage if stage in Stage.values else "",
        "mode": mode if mode in StartMode.values else "",
        "q": q,
        "mine": mine,
        "status": status,
    }
    # Counted up to 1,000 (「超过 1000 件」): an exact count of a large agency's list cost more
    # than the page (issue 18). An officer on more than 1,000 cases has the access filter
    # correlated to each case read in the list's index order (the first cases found are the
    # page; the count stops at 1,001), not their every case gathered and sorted. The ids are
    # read once for the count and the page (the filter compiled once), the page's rows by id;
    # not read for the count at all when such an officer's list is known to be longer.
    correlated = reads_correlated(officer, mine=mine)
    paginator = CappedPaginator(
        case_ids(case_list(officer=officer, correlated=correlated, **filters)),
        PER_PAGE,
        at_least=known_length(correlated=correlated, **filters),
    )
    page = paginator.get_page(id_or_none(request.GET.get("page")) or 1)
    context = {
        "page": page,
        "rows": case_table_rows(list(page.object_list)),
        "stages": Stage.choices,
        "modes": StartMode.choices,
        "stage": stage,
        "mode": mode,
        "q": q,
        "mine": mine,
        "status": status,
        "statuses": list(STATUSES.items()),
    }
    template = "cases/case_list.html#results" if request.htmx else "cases/case_list.html"
    return render(request, template, context)


def _panels(page: CasePage, section: str) -> list[tuple[str, dict[str, Any]]]:
    """The parts of one section of the page, in order; only they are read."""
    panels = []
    for panel in sorted(PANELS.values(), key=lambda p: p.order):
        if panel.section != section:
            continue
        context = panel.context(page)
        if context is not None:
            panels.append((panel.template, context))
    return panels


def _section(request: HttpRequest, case_id: int, section: str) -> dict[str, Any]:
    """The context of one section of a case as the requesting officer may see it (the case's
    access function decides: 404 otherwise)."""
    officer = officer_for_request(request.user)
    case = case_for_user(user=request.user, case_id=case_id)
    page = case_page(officer=officer, case=case)
    state = read_state(request, officer=officer, case=case)
    page.memo["read"] = state
    marked = state.secret or any(target for target in page_marks(page))
    panels = _panels(page, section)
    log_page_read(request, officer=officer, case=case, state=state, via="page")
    return {
        "case": case,
        "page": page,
        "panels": panels,
        # 第三十三条: the reason prompt, once per case per session, where there is marked material
        "ask_reason": marked and state.needs_reason,
    }


@login_required
def case_detail(request: HtmxHttpRequest, case_id: int, section: str = "overview") -> HttpResponse:
    """The case page, one section (tab) at a time: ``/cases/<id>/`` is 概览, the others are at
    ``/cases/<id>/section/<key>/``. An htmx request gets the tabs and the section only."""
    if section not in SECTIONS:
        raise Http404("没有这一部分")
    context = _section(request, case_id, section)
    context.update(
        section=section, section_title=SECTIONS[section], sections=list(SECTIONS.items())
    )
    if request.htmx and request.htmx.target == "case-section":
        return _as_seen(context, render(request, "cases/case_detail.html#section", context))
    context["stage_bar"] = stage_bar(context["case"])
    return _as_seen(context, render(request, "cases/case_detail.html", context))


def _as_seen(context: dict[str, Any], response: HttpResponse) -> HttpResponse:
    """The rendered page with every ID and phone number in it masked when its viewer may not see
    the case's personal data. Each panel masks its own fields; this catches free text any panel
    shows (a stage change's reason, an exemption's, a future panel's) — one rule for the page."""
    if not page_sees_personal(context["page"]):
        response.content = mask_text(response.content.decode()).encode()
    return response


@login_required
def case_timeline_print(request: HttpRequest, case_id: int) -> HttpResponse:
    """The full record (全过程记录) of the case on one page laid out for paper."""
    context = _section(request, case_id, "timeline")
    context.update(stage_bar=stage_bar(context["case"]), printed_at=timezone.now())
    return _as_seen(context, render(request, "cases/timeline_print.html", context))


@login_required
@require_http_methods(["POST"])
def case_read_reason(request: HttpRequest, case_id: int) -> HttpResponse:
    """The reason prompt's answer (第三十三条): why the reader opens the case's marked material,
    kept for the rest of the session; back to the page it was asked on."""
    case = case_for_user(user=request.user, case_id=case_id)
    if not may_read_marked(officer=officer_for_request(request.user), case=case):
        raise PermissionDenied("您无权查阅本案涉密或个人隐私材料")
    try:
        choose_reason(request, case, request.POST.get("reason", ""))
    except ActionError as err:
        return HttpResponse(err.message, status=400)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("case-detail", args=[case.pk])
    return redirect(back or reverse("case-detail", args=[case.pk]))


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
    back = request.method == "POST" and "back" in request.POST
    form = spec.form(case)(
        None if back else request.POST or None, initial=dict(resubmitted(request))
    )
    status = 200
    if request.method == "POST" and not back:
        if form.is_valid():
            confirmed = request.POST.get("confirmed") == "1"
            if spec.confirm is not None and not confirmed:
                confirmation = spec.confirm(case, officer, form.cleaned_data)
                return render(
                    request,
                    "cases/confirm.html",
                    {
                        "case": case,
                        "title": _act_title(case, act, spec.title),
                        "confirmation": confirmation,
                        "fields": resubmitted(request),
                    },
                    # Rules that block the step: refused now, nothing to confirm.
                    status=400 if confirmation.block else 200,
                )
            try:
                spec.run(case, officer, form.cleaned_data)
            except ActionError as err:
                apply_error(form, err)
            else:
                return redirect(reverse("case-detail", args=[case.pk]))
        status = 400
    title = _act_title(case, act, spec.title)
    return render(request, "form.html", {"form": form, "title": title, "case": case}, status=status)


def _act_title(case: Any, act: str, title: str) -> str:
    if act == "advance":
        target = next_stage(case.stage)
        return f"进入下一阶段：{Stage(target).label}" if target else title
    return title
