"""Web UI of 公示: the agency's publications for the supervisors and the director, preparing a
text (handlers of the case, supervisors), approving (负责人) and withdrawing; and the public
read-only pages and feed (no login: only what is published and not yet taken down)."""

from __future__ import annotations

import csv
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from casetrail.cases.selectors import case_for_user
from casetrail.lib import form_fields
from casetrail.lib.errors import ActionError
from casetrail.lib.forms import apply_error
from casetrail.org.models import Role
from casetrail.org.selectors import officer_for_request
from casetrail.oversight.actions import (
    publication_approve,
    publication_policy_set,
    publication_prepare,
    publication_withdraw,
)
from casetrail.oversight.models import NamePolicy, Publication
from casetrail.oversight.publishing import DECISION, draft, policy_of
from casetrail.oversight.selectors import (
    policies_of,
    policy_reader,
    public_publication,
    public_publications,
    publication_for_user,
    publications_of_agency,
    require_overseer,
    unpublished_decisions,
)
from casetrail.records.models import Record


class TextForm(forms.Form):
    text = form_fields.TextField(
        label="公示内容（已按规则隐去身份证件号码、住址、电话；可修改）",
        widget=forms.Textarea(attrs={"rows": 12}),
    )


class ReasonForm(forms.Form):
    reason = form_fields.TextField(
        label="撤回理由（如：决定已被撤销、变更或确认无效）",
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@login_required
def publication_list(request: HttpRequest) -> HttpResponse:
    officer = require_overseer(request.user)
    context = {
        "rows": list(publications_of_agency(officer=officer)[:500]),
        "waiting": unpublished_decisions(officer=officer),
        "may_prepare": officer.has_role(Role.SUPERVISOR),
        "may_approve": officer.has_role(Role.APPROVER),
    }
    return render(request, "oversight/publications.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def publication_new(request: HttpRequest, record_id: int) -> HttpResponse:
    """拟写公示内容 for one 行政执法决定书 (a handler of the case or a supervisor)."""
    officer = officer_for_request(request.user)
    record = Record.objects.filter(pk=record_id, kind=DECISION).first()
    if record is None:
        raise Http404("决定书不存在")
    case = case_for_user(user=request.user, case_id=record.case_id)
    _, text = draft(case, record, policy_of(case.agency_id))
    form = TextForm(request.POST or None, initial={"text": text})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                publication_prepare(
                    case=case, decision=record, officer=officer, text=form.cleaned_data["text"]
                )
            except ActionError as err:
                if err.status == 403:
                    raise PermissionDenied(err.message) from None
                apply_error(form, err)
            else:
                if officer.has_role(Role.SUPERVISOR) or officer.has_role(Role.APPROVER):
                    return redirect("publication-list")
                return redirect("case-detail", case_id=case.pk)
        status = 400
    return render(
        request,
        "form.html",
        {"form": form, "title": "拟写行政处罚决定公示内容", "case": case},
        status=status,
    )


@login_required
@require_POST
def publication_approve_view(request: HttpRequest, publication_id: int) -> HttpResponse:
    officer = require_overseer(request.user)
    publication = publication_for_user(user=request.user, publication_id=publication_id)
    try:
        publication_approve(publication=publication, officer=officer)
    except ActionError as err:
        if err.status == 403:
            raise PermissionDenied(err.message) from None
        return render(request, "oversight/refused.html", {"message": err.message}, status=400)
    return redirect("publication-list")


@login_required
@require_http_methods(["GET", "POST"])
def publication_withdraw_view(request: HttpRequest, publication_id: int) -> HttpResponse:
    officer = require_overseer(request.user)
    publication = publication_for_user(user=request.user, publication_id=publication_id)
    form = ReasonForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                publication_withdraw(
                    publication=publication, officer=officer, reason=form.cleaned_data["reason"]
                )
            except ActionError as err:
                if err.status == 403:
                    raise PermissionDenied(err.message) from None
                apply_error(form, err)
            else:
                return redirect("publication-list")
        status = 400
    return render(
        request,
        "form.html",
        {"form": form, "title": f"撤回公示：{publication.doc_no}"},
        status=status,
    )


# --- public (no login) -----------------------------------------------------------------------------


def public_row(p: Publication) -> dict[str, Any]:
    """One published decision as the feed gives it (the public text and its identifiers only)."""
    return {
        "id": p.pk,
        "agency": p.agency.name,
        "agency_code": p.agency.credit_code,
        "doc_no": p.doc_no,
        "party": p.party,
        "decided_on": p.decided_on.isoformat(),
        "published_at": p.published_at.isoformat() if p.published_at else None,
        "text": p.text,
    }


def public_list(request: HttpRequest) -> HttpResponse:
    rows = list(public_publications()[:500])
    return render(request, "oversight/public_list.html", {"rows": rows})


def public_detail(request: HttpRequest, publication_id: int) -> HttpResponse:
    return render(
        request, "oversight/public_detail.html", {"p": public_publication(publication_id)}
    )


def public_feed_json(request: HttpRequest) -> HttpResponse:
    """The published decisions as JSON, for the provincial 公示 platform."""
    rows = [public_row(p) for p in public_publications()]
    return JsonResponse(
        {"count": len(rows), "results": rows}, json_dumps_params={"ensure_ascii": False}
    )


def public_feed_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="decisions.csv"'
    response.write("\ufeff")  # a BOM, so spreadsheet programs read the UTF-8 Chinese text
    columns = [
        "id",
        "agency",
        "agency_code",
        "doc_no",
        "party",
        "decided_on",
        "published_at",
        "text",
    ]
    writer = csv.DictWriter(response, fieldnames=columns)
    writer.writeheader()
    for p in public_publications():
        writer.writerow(public_row(p))
    return response


class PolicyForm(forms.Form):
    person_names = forms.ChoiceField(label="自然人姓名", choices=NamePolicy.choices)
    years_person = form_fields.IntegerField(label="自然人公示期限（年）", min_value=1, max_value=20)
    years_organisation = form_fields.IntegerField(
        label="法人和其他组织公示期限（年）", min_value=1, max_value=20
    )


@login_required
@require_http_methods(["GET", "POST"])
def publication_policy(request: HttpRequest) -> HttpResponse:
    """公示规则: the agency's policy and its history (supervisors, the 负责人, administrators
    read); administrators set a new one (a new row, ledgered)."""
    officer = policy_reader(request.user)
    current = policy_of(officer.agency_id)
    may_set = officer.has_role(Role.ADMIN)
    initial = {
        "person_names": current.person_names,
        "years_person": current.years_person,
        "years_organisation": current.years_organisation,
    }
    form = PolicyForm(request.POST or None, initial=initial) if may_set else None
    status = 200
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("只有系统管理员可以设置公示规则")
        status = 400
        if form.is_valid():
            try:
                publication_policy_set(officer=officer, **form.cleaned_data)
            except ActionError as err:
                apply_error(form, err)
            else:
                return redirect("publication-policy")
    context = {"current": current, "history": policies_of(officer.agency_id), "form": form}
    return render(request, "oversight/policy.html", context, status=status)
