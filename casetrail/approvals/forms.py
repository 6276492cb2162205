"""Forms of the approval steps (第六条)."""

from __future__ import annotations

from django import forms

from casetrail.approvals.models import Outcome


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(
        label="审批结果",
        choices=[
            (Outcome.APPROVE, "同意"),
            (Outcome.RETURN, "退回修改"),
            (Outcome.REFUSE, "不同意"),
        ],
        widget=forms.RadioSelect,
    )
    opinion = forms.CharField(label="意见和理由", widget=forms.Textarea(attrs={"rows": 3}))


class ResubmitReasonForm(forms.Form):
    revision_note = forms.CharField(label="修改说明", widget=forms.Textarea(attrs={"rows": 2}))
