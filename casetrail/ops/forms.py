from __future__ import annotations

from django import forms

from casetrail.lib import form_fields


class RecoveryProposeForm(forms.Form):
    reason = form_fields.TextField(
        label="恢复经过",
        max_length=2000,
        help_text="何时发生何种故障、恢复了哪一份备份、备份之后的哪些记录已重新录入或无法恢复",
    )


class RecoveryDecideForm(forms.Form):
    approve = forms.TypedChoiceField(
        label="决定",
        choices=[("1", "批准"), ("0", "不予批准")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    opinion = form_fields.TextField(label="意见", max_length=2000)
