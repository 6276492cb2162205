"""Forms of the approval steps (第六条)."""

from __future__ import annotations

from typing import Any

from django import forms

from casetrail.approvals.checklists import FINDINGS, LEGAL_REVIEW_GROUNDS, LEGAL_REVIEW_ITEMS
from casetrail.approvals.models import Outcome
from casetrail.lib import form_fields
from casetrail.org.models import Officer, Role


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
    opinion = form_fields.TextField(label="意见和理由", widget=forms.Textarea(attrs={"rows": 3}))


class ReviewForm(DecideForm):
    """The review of a decision that the law may require to be legally reviewed (行政处罚法第五十八条
    第一款第三项): the reviewer may ask for 法制审核 while approving."""

    legal_grounds = forms.MultipleChoiceField(
        label="提请法制审核（审核同意后转法制机构审核）",
        choices=list(LEGAL_REVIEW_GROUNDS),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class ResubmitReasonForm(forms.Form):
    revision_note = form_fields.TextField(
        label="修改说明", widget=forms.Textarea(attrs={"rows": 2})
    )


class LegalReviewForm(DecideForm):
    """法制审核 (行政处罚法第五十八条): a finding and a note on every item of the checklist."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code, label in LEGAL_REVIEW_ITEMS:
            self.fields[f"finding_{code}"] = forms.ChoiceField(
                label=label, choices=list(FINDINGS.items()), widget=forms.RadioSelect
            )
            self.fields[f"note_{code}"] = form_fields.TextField(
                label=f"{label}：说明", required=False, max_length=500
            )
        self.order_fields(
            [*[f for f in self.fields if f not in ("outcome", "opinion")], "outcome", "opinion"]
        )

    def findings(self) -> list[dict[str, str]]:
        d = self.cleaned_data
        return [
            {"item": code, "finding": d[f"finding_{code}"], "note": d.get(f"note_{code}", "")}
            for code, _ in LEGAL_REVIEW_ITEMS
        ]


class CollectiveDiscussionForm(DecideForm):
    """集体讨论 (第十八条): the chair ticks each leader who took part and records their view; the
    outcome is the discussion's conclusion."""

    def __init__(self, *args: Any, agency_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.leaders = list(
            Officer.objects.filter(agency_id=agency_id, roles__role=Role.APPROVER).order_by("pk")
        )
        for leader in self.leaders:
            self.fields[f"took_part_{leader.pk}"] = forms.BooleanField(
                label=f"{leader.name}参加", required=False
            )
            self.fields[f"view_{leader.pk}"] = form_fields.TextField(
                label=f"{leader.name}的意见",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.fields["outcome"].label = "讨论结论"
        self.fields["opinion"].label = "结论及理由"
        self.order_fields(
            [*[f for f in self.fields if f not in ("outcome", "opinion")], "outcome", "opinion"]
        )

    def participants(self) -> list[dict[str, Any]]:
        d = self.cleaned_data
        return [
            {"id": leader.pk, "view": d.get(f"view_{leader.pk}", "")}
            for leader in self.leaders
            if d.get(f"took_part_{leader.pk}")
        ]
