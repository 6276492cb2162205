"""Web UI of compliance: record a reasoned exemption from a rule that allows one."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from casetrail.cases.selectors import case_for_user
from casetrail.compliance.actions import exemption_record
from casetrail.lib.errors import ActionError
from casetrail.lib.forms import apply_error
from casetrail.org.selectors import officer_for_request


class ExemptionForm(forms.Form):
    rule = forms.CharField(label="规则", max_length=10)
    subject = forms.CharField(label="对象", max_length=60)
    reason = forms.CharField(
        label="无法满足的理由（监督人员可见）", widget=forms.Textarea(attrs={"rows": 3})
    )


@login_required
@require_http_methods(["GET", "POST"])
def exemption_new(request: HttpRequest, case_id: int) -> HttpResponse:
    officer = officer_for_request(request.user)
    case = case_for_user(user=request.user, case_id=case_id)
    form = ExemptionForm(request.POST or None, initial=request.GET.dict())
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                exemption_record(case=case, officer=officer, **form.cleaned_data)
            except ActionError as err:
                apply_error(form, err)
            else:
                return redirect("case-detail", case_id=case.pk)
        status = 400
    return render(
        request, "form.html", {"form": form, "title": "记录规则豁免", "case": case}, status=status
    )
