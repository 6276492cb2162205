"""Forms of oversight: the supervisor's step on a finding."""

from __future__ import annotations

from django import forms

from casetrail.lib import form_fields


class FindingStepForm(forms.Form):
    text = form_fields.TextField(label="内容", widget=forms.Textarea(attrs={"rows": 3}))
    deadline = form_fields.NameField(
        label="改正期限",
        max_length=10,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


# The moves a supervisor makes on a finding: URL name → (label, what ``text`` holds, deadline?).
MOVES: dict[str, tuple[str, str, bool]] = {
    "order": ("责令改正", "责令改正的内容", True),
    "correct": ("记录改正情况", "改正情况", False),
    "close": ("办结", "办结意见", False),
    "criticise": ("通报批评", "通报批评的内容", False),
}
