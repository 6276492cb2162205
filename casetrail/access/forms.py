"""Forms of the access pages: the 调用单 (the catalogue entry's fields, the authority scan, one
choice per item of the case), the 局长's decision per item, a redaction, a package."""

from __future__ import annotations

from typing import Any

from django import forms

from casetrail.access.kinds import FORM
from casetrail.access.models import CopyItem, Disposition
from casetrail.access.selectors import Candidate
from casetrail.cases.models import Case
from casetrail.lib import form_fields
from casetrail.records.forms import OPINION, catalogue_form

NOT_ASKED = ""
PROPOSALS = [(NOT_ASKED, "不申请"), *Disposition.choices]


def register_form(case: Case, offered: list[Candidate]) -> type[forms.Form]:
    """The catalogue's 调用单 (less its free list of items: they are chosen one by one below), the
    authority scan, and per item of the case whether it is asked for and what the handler
    proposes."""
    base = catalogue_form(FORM, extra=OPINION, case=case)
    fields: dict[str, forms.Field] = {
        name: f for name, f in base.base_fields.items() if name != "items"
    }
    fields["authority_file"] = forms.FileField(
        label="授权委托书或法院调取函扫描件（PDF、JPEG、PNG）", required=False
    )
    for c in offered:
        marks = "；".join(c.marks) if c.marks else "无标注"
        fields[f"item_{c.kind}_{c.pk}"] = forms.ChoiceField(
            label=f"{c.label}（标注：{marks}）", choices=PROPOSALS, required=False
        )
    return type("CopyRegisterForm", (forms.Form,), fields)


def chosen_items(data: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for name, value in data.items():
        if name.startswith("item_") and value:
            _, kind, pk = name.split("_", 2)
            out.append({"kind": kind, "id": int(pk), "proposed": value})
    return out


def decisions_form(items: list[CopyItem]) -> type[forms.Form]:
    fields: dict[str, forms.Field] = {}
    for item in items:
        fields[f"d_{item.pk}"] = forms.ChoiceField(
            label=item.label, choices=Disposition.choices, initial=item.proposed
        )
        fields[f"r_{item.pk}"] = form_fields.TextField(
            label=f"{item.label}·理由", required=False, max_length=300
        )
    return type("CopyDecisionsForm", (forms.Form,), fields)


def decisions_of(items: list[CopyItem], data: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"item": i.pk, "disposition": data.get(f"d_{i.pk}"), "reason": data.get(f"r_{i.pk}") or ""}
        for i in items
    ]


class RedactionForm(forms.Form):
    reason = form_fields.TextField(label="删除理由（法律依据）", max_length=300, required=False)
    regions = form_fields.TextField(
        label="涂黑区域（PDF：每行“页码 x0 y0 x1 y1”，单位点，自页面左上角；照片：每行“x0 y0 x1 y1”像素；音像：每行“x0 y0 x1 y1 起秒 止秒”遮挡画面或“起秒 止秒”静音；记录无需填写）",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )


class PackageForm(forms.Form):
    recipient = form_fields.TextField(label="接收人", max_length=100)
    days = form_fields.IntegerField(label="链接有效天数", min_value=1, max_value=90, initial=7)
    uses = form_fields.IntegerField(label="可下载次数", min_value=1, max_value=20, initial=3)
