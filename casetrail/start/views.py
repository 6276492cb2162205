"""Web UI of the start (第八、九条, 第二十一条): the ways a case starts — ex officio, on application,
on a complaint, and on the spot (简易程序). The steps taken on a registered case (supplement notice,
receipt, acceptance, complaint decisions, the summary case's 备案 …) are acts (``acts.py``) served by
the case's own step page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from casetrail.cases.forms import CaseBaseForm, party_input
from casetrail.cases.models import Case
from casetrail.lib.errors import ActionError
from casetrail.lib.forms import apply_error
from casetrail.org.models import Officer, Role
from casetrail.org.selectors import officer_for_request
from casetrail.records.actions import SignatureInput
from casetrail.records.catalogue import doc_type
from casetrail.records.views import signature_pads, signatures_from
from casetrail.start import actions
from casetrail.start.forms import ApplicationForm, ComplaintForm, ExOfficioForm, OnTheSpotForm
from casetrail.start.writes import ON_THE_SPOT_DOCUMENTS


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


@login_required
@require_http_methods(["GET", "POST"])
def case_new_on_the_spot(request: HttpRequest) -> HttpResponse:
    """当场处罚（简易程序）: the case, the 简易程序记录, the 当场行政处罚决定书 and its 送达回证 in one
    form, each document signed in its own slots."""
    officer = officer_for_request(request.user)
    if not officer.has_role(Role.HANDLER):
        raise PermissionDenied("只有承办人可以登记案件")
    form = OnTheSpotForm(request.POST or None, officer=officer)
    documents = [doc_type(code) for code in ON_THE_SPOT_DOCUMENTS]
    status = 200
    signatures: dict[str, list[SignatureInput]] = {}
    if request.method == "POST":
        try:
            # Scans are stored first, whatever else is wrong, so a refused form keeps them.
            signatures = {
                doc.code: signatures_from(request, officer, doc, prefix=f"sig_{doc.code}")
                for doc in documents
            }
            if form.is_valid():
                party = party_input(form.cleaned_data, "party")
                case = actions.case_start_on_the_spot(
                    officer=officer,
                    data=form.case_input([party] if party else []),
                    spot=form.on_the_spot(),
                    certificates_shown=form.cleaned_data["certificates_shown"],
                    signatures=signatures,
                )
                return redirect("case-detail", case_id=case.pk)
        except ActionError as err:
            apply_error(form, err)  # on top: the slot keys repeat across the three documents
        status = 400
    # Each document's pads keep what the party and the officers already signed.
    pads = [
        (
            doc,
            signature_pads(
                request, doc, prefix=f"sig_{doc.code}", signatures=signatures.get(doc.code)
            ),
        )
        for doc in documents
    ]
    return render(
        request,
        "start/on_the_spot.html",
        {"form": form, "documents": pads, "title": "当场处罚（简易程序，第二十一条）"},
        status=status,
    )
