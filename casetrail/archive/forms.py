"""Forms of the archive pages (the actions check everything again)."""

from __future__ import annotations

from django import forms

from casetrail.archive.models import HoldKind, UseKind
from casetrail.lib.form_fields import LineField, TextField


class SubmitForm(forms.Form):
    opinion = TextField(label="立卷意见", widget=forms.Textarea, required=False)


class AttachForm(forms.Form):
    file = forms.FileField(label="附件（PDF）")
    title = LineField(label="题名", max_length=300)
    responsible = LineField(label="责任者", max_length=100, required=False)
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    reason = TextField(label="列入案卷的理由", widget=forms.Textarea, max_length=300)


class TransferForm(forms.Form):
    receiver = LineField(label="接收单位", max_length=100, initial="陵川县档案馆")
    receiver_person = LineField(label="接收人", max_length=50)
    note = LineField(label="备注", max_length=300, required=False)


class UseForm(forms.Form):
    kind = forms.ChoiceField(label="利用方式", choices=UseKind.choices)
    user_name = LineField(label="利用人", max_length=60)
    user_org = LineField(label="利用人单位", max_length=100, required=False)
    purpose = LineField(label="利用目的", max_length=300)
    approved_by = LineField(label="批准人", max_length=60)
    due_back = forms.DateField(
        label="应归还日期（借阅）", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class HoldForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=HoldKind.choices)
    reason = LineField(label="事由", max_length=300)


class DestructionForm(forms.Form):
    appraisal = TextField(label="鉴定意见", widget=forms.Textarea)
