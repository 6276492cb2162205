"""Web UI of approval chains: see a chain with its whole history, take the next step, or revise
and resubmit a returned proposal."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from casetrail.approvals.actions import approval_decide, approval_resubmit
from casetrail.approvals.checklists import labelled
from casetrail.approvals.forms import (
    CollectiveDiscussionForm,
    DecideForm,
    LegalReviewForm,
    ResubmitReasonForm,
    ReviewForm,
)
from casetrail.approvals.kinds import consequence_of, needs_legal_checklist
from casetrail.approvals.models import Chain, ChainStatus
from casetrail.approvals.panels import with_dues
from casetrail.approvals.selectors import chain_for_user, shown_chains, waiting_for, why_cannot_act
from casetrail.cases.hooks import Confirmation
from casetrail.cases.reading import read_state
from casetrail.cases.selectors import parties_for
from casetrail.lib.errors import ActionError
from casetrail.lib.forms import apply_error, resubmitted
from casetrail.lib.numbers import id_or_none
from casetrail.lib.paging import CappedPaginator
from casetrail.org.reauth import auth_is_recent, reauth_response
from casetrail.org.selectors import officer_for_request
from casetrail.records.catalogue import doc_version
from casetrail.records.forms import OPINION, catalogue_form, initial_from

# Chains on one page of 待我审批 (the worklist shows the first 20).
WAITING_PER_PAGE = 50


@login_required
def waiting_list(request: HttpRequest) -> HttpResponse:
    """Every chain waiting for the officer's step (and the returned ones to revise), in
    ``waiting_for``'s order (nearest deadline, then longest waiting), paged and counted to
    1,000 like the case list."""
    officer = officer_for_request(request.user)
    ids = waiting_for(officer=officer).values_list("pk", flat=True)
    page = CappedPaginator(ids, WAITING_PER_PAGE).get_page(id_or_none(request.GET.get("page")) or 1)
    waiting = with_dues(shown_chains(list(page.object_list)))
    return render(request, "approvals/waiting.html", {"page": page, "waiting": waiting})


def _resubmit_form(chain: Chain, data: Any = None) -> forms.Form:
    # Revised under the catalogue entry version the proposal was made with (records.writes).
    record = chain.record
    form_class = catalogue_form(
        record.kind,
        extra={**OPINION, **ResubmitReasonForm.base_fields},
        case=chain.case,  # a proposal naming the case's parties and records offers them again
        version=record.version,
    )
    return form_class(
        data, initial=initial_from(doc_version(record.kind, record.version), record.fields)
    )


def _decide_form(chain: Chain, data: Any) -> DecideForm:
    """The form of the step the chain waits for: the legal checklist, the discussion's
    participants, or an opinion."""
    if chain.status == ChainStatus.PENDING_LEGAL and needs_legal_checklist(chain.kind):
        return LegalReviewForm(data)
    if chain.status == ChainStatus.PENDING_COLLECTIVE:
        return CollectiveDiscussionForm(data, agency_id=chain.case.agency_id)
    if chain.status == ChainStatus.PENDING_REVIEW and needs_legal_checklist(chain.kind):
        return ReviewForm(data)
    return DecideForm(data)


def _approves(request: HttpRequest) -> bool:
    return request.POST.get("outcome") == "approve" and "back" not in request.POST


@login_required
@require_http_methods(["GET", "POST"])
def chain_detail(request: HttpRequest, chain_id: int) -> HttpResponse:
    officer = officer_for_request(request.user)
    chain = chain_for_user(user=request.user, chain_id=chain_id)
    blocked = why_cannot_act(officer=officer, chain=chain)
    returned = chain.status == ChainStatus.RETURNED
    decide_form = _decide_form(
        chain, request.POST if request.method == "POST" and not returned else None
    )
    resubmit_form = (
        _resubmit_form(chain, request.POST if request.method == "POST" else None)
        if returned and blocked is None
        else None
    )
    status = 200
    if request.method == "POST":
        if blocked:
            raise PermissionDenied(blocked)
        if _approves(request) and not returned and not auth_is_recent(request):
            return reauth_response(request)  # 同意 is the power holder's decision (issue 15)
        form = resubmit_form if returned else decide_form
        assert form is not None
        if "back" in request.POST:  # from the confirmation: the form again, as it was typed
            decide_form = _decide_form(chain, None)
            decide_form.initial = dict(resubmitted(request))
            form = None
        if form is not None and form.is_valid():
            d = dict(form.cleaned_data)
            last = chain.status == ChainStatus.PENDING_DECISION and d.get("outcome") == "approve"
            if last and not returned and request.POST.get("confirmed") != "1":
                # The step that makes the decision take effect (结案 …): said before it is taken.
                effect, rules = consequence_of(chain)
                return render(
                    request,
                    "cases/confirm.html",
                    {
                        "case": chain.case,
                        "title": f"批准{chain.get_kind_display()}",
                        "confirmation": Confirmation(effect, rules, bool(rules)),
                        "fields": resubmitted(request),
                    },
                    status=400 if rules else 200,
                )
            try:
                if returned:
                    opinion, reason = d.pop("opinion"), d.pop("revision_note")
                    approval_resubmit(
                        chain=chain, officer=officer, fields=d, opinion=opinion, reason=reason
                    )
                else:
                    approval_decide(
                        chain=chain,
                        officer=officer,
                        outcome=d["outcome"],
                        opinion=d["opinion"],
                        findings=form.findings() if isinstance(form, LegalReviewForm) else None,
                        participants=(
                            form.participants()
                            if isinstance(form, CollectiveDiscussionForm)
                            else None
                        ),
                        legal_grounds=d.get("legal_grounds") or None,
                    )
            except ActionError as err:
                apply_error(form, err)
            else:
                return redirect("chain-detail", chain_id=chain.pk)
        status = 400 if form is not None else 200
    # 第三十三条: a 涉密 case's personal data after the reader's reason (the case page asks too).
    state = read_state(request, officer=officer, case=chain.case)
    return render(
        request,
        "approvals/chain_detail.html",
        {
            "chain": chain,
            "legal_checklist": needs_legal_checklist(chain.kind),
            "case": chain.case,
            "parties": parties_for(officer=officer, case=chain.case, personal=state.personal),
            "sees": state.personal,
            "ask_reason": state.secret and state.needs_reason,
            "steps": [labelled(s) for s in chain.steps.select_related("officer", "record")],
            "versions": chain.case.records.filter(kind=chain.record.kind).order_by("created_at"),
            "blocked": blocked,
            "decide_form": decide_form if blocked is None and not returned else None,
            "resubmit_form": resubmit_form,
        },
        status=status,
    )
