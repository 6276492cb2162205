"""Web UI of 抽查: the draws of the agency (supervisors draw; the director reads), each draw with
its seed, the check that the seed re-draws the same cases, and the review of each drawn case
against the checklist."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from casetrail.cases.models import Case
from casetrail.lib import form_fields
from casetrail.lib.errors import ActionError
from casetrail.lib.forms import apply_error
from casetrail.org.models import Role
from casetrail.oversight.actions import sample_draw, sample_review
from casetrail.oversight.checklists import CHECKLIST, RESULTS
from casetrail.oversight.selectors import (
    redraw_matches,
    require_overseer,
    sample_cases,
    sample_for_user,
    samples_of_agency,
)


class DrawForm(forms.Form):
    period = form_fields.NameField(label="抽查期间（2026、2026-Q3 或 2026-07）", max_length=10)
    size = form_fields.IntegerField(label="抽取数量", min_value=1, max_value=500)


class ReviewForm(forms.Form):
    conclusion = form_fields.TextField(label="评查结论", widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for item in CHECKLIST:
            self.fields[f"r_{item.code}"] = forms.ChoiceField(
                label=f"{item.question}（{item.article}）", choices=list(RESULTS.items())
            )
            self.fields[f"n_{item.code}"] = form_fields.TextField(label="说明", required=False)

    def results(self) -> list[dict[str, str]]:
        d = self.cleaned_data
        return [
            {"item": c.code, "result": d[f"r_{c.code}"], "note": d.get(f"n_{c.code}", "")}
            for c in CHECKLIST
        ]


@login_required
@require_http_methods(["GET", "POST"])
def sample_list(request: HttpRequest) -> HttpResponse:
    officer = require_overseer(request.user)
    may_draw = officer.has_role(Role.SUPERVISOR)
    form = DrawForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not may_draw:
            raise PermissionDenied("只有监督人员可以抽查案卷")
        if form.is_valid():
            try:
                sample = sample_draw(officer=officer, **form.cleaned_data)
            except ActionError as err:
                apply_error(form, err)
            else:
                return redirect("sample-detail", sample_id=sample.pk)
        status = 400
    rows = list(samples_of_agency(officer=officer))
    context = {"rows": rows, "form": form, "may_draw": may_draw}
    return render(request, "oversight/samples.html", context, status=status)


@login_required
def sample_detail(request: HttpRequest, sample_id: int) -> HttpResponse:
    officer = require_overseer(request.user)
    sample = sample_for_user(user=request.user, sample_id=sample_id)
    context = {
        "s": sample,
        "cases": sample_cases(sample),
        "matches": redraw_matches(sample),
        "may_review": officer.has_role(Role.SUPERVISOR),
        "results": RESULTS,
    }
    return render(request, "oversight/sample.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def sample_review_view(request: HttpRequest, sample_id: int, case_id: int) -> HttpResponse:
    officer = require_overseer(request.user)
    sample = sample_for_user(user=request.user, sample_id=sample_id)
    if not officer.has_role(Role.SUPERVISOR):
        raise PermissionDenied("只有监督人员可以评查")
    case = Case.objects.filter(pk=case_id, agency_id=officer.agency_id).first()
    if case is None or case.pk not in sample.drawn:
        raise Http404("该案件不在本次抽查范围内")
    form = ReviewForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                sample_review(
                    sample=sample,
                    case=case,
                    officer=officer,
                    results=form.results(),
                    conclusion=form.cleaned_data["conclusion"],
                )
            except ActionError as err:
                apply_error(form, err)
            else:
                return redirect("sample-detail", sample_id=sample.pk)
        status = 400
    title = f"评查 {case.label} {case.title}"
    return render(request, "form.html", {"form": form, "title": title}, status=status)
