"""Forms of the archive pages (the actions check everything again)."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from casetrail.archive.models import HoldKind, UseKind
from casetrail.lib import form_fields
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


class SettingsForm(forms.Form):
    """档案设置 on one page: the 档号's codes and names, the formats (one media type a line), the
    order of the groups (one code a line) and the 保管期限 rules (JSON, first match applies)."""

    fonds_code = form_fields.NameField(label="全宗号", max_length=20)
    fonds_name = form_fields.LineField(label="全宗名称", max_length=100)
    category_code = form_fields.NameField(label="门类代码", max_length=10)
    category_name = form_fields.LineField(label="类目名称", max_length=60)
    org_code = form_fields.NameField(label="机构（问题）代码", max_length=20)
    formats = form_fields.TextField(
        label="可归档文件格式（每行一种，如 application/pdf）",
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    order = form_fields.TextField(
        label="卷内文件排列顺序（每行一个类别代码）", widget=forms.Textarea(attrs={"rows": 9})
    )
    retention_rules = form_fields.TextField(
        label="保管期限规则（JSON 列表，按顺序匹配：when 为案件情况，period 为 Y / D30 / D10）",
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=20000,
    )

    def clean_retention_rules(self) -> list[dict[str, Any]]:
        try:
            rules = json.loads(self.cleaned_data["retention_rules"])
        except ValueError:
            raise forms.ValidationError("保管期限规则应为 JSON 列表") from None
        if not isinstance(rules, list) or not all(isinstance(r, dict) for r in rules) or not rules:
            raise forms.ValidationError("保管期限规则应为非空的 JSON 列表，每条为一个对象")
        return rules

    def clean_formats(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["formats"].splitlines() if line.strip()]

    def clean_order(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["order"].splitlines() if line.strip()]
