"""Forms of cases: the case itself as every start mode asks for it, its parties, the stage step.
They only parse input; the actions validate the law."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from casetrail.cases.models import STAGE_ORDER, Category, Confidentiality, Party, Procedure, Stage
from casetrail.cases.writes import CaseInput, PartyInput
from casetrail.lib import form_fields
from casetrail.org.models import Officer, Role, Unit
from casetrail.org.selectors import officers_for_picker

DT_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class OfficerChoiceField(forms.ModelMultipleChoiceField):
    """Officers listed with the certificate number a party is shown (第十一条)."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（执法证 {obj.certificate_no or '无'}）"


class CaseBaseForm(forms.Form):
    unit = forms.ModelChoiceField(label="承办机构", queryset=Unit.objects.none())
    title = form_fields.LineField(label="案由 / 事项", max_length=200)
    category = forms.ChoiceField(label="事项类别", choices=Category.choices)
    procedure = forms.ChoiceField(label="程序", choices=Procedure.choices)
    is_major = forms.BooleanField(
        label="重大复杂案件（需法制审核、全过程音像记录）", required=False
    )
    confidentiality = forms.ChoiceField(label="密级", choices=Confidentiality.choices)
    officers = OfficerChoiceField(
        label="执法人员（不少于两人，须持有效执法证）",
        queryset=Officer.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, officer: Officer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.officer = officer
        unit = cast(forms.ModelChoiceField, self.fields["unit"])
        unit.queryset = Unit.objects.filter(agency_id=officer.agency_id).exclude(
            kind=Unit.Kind.LEGAL
        )
        unit.initial = officer.unit_id
        officers = cast(forms.ModelMultipleChoiceField, self.fields["officers"])
        officers.queryset = officers_for_picker(officer.agency_id, role=Role.HANDLER)
        officers.initial = [officer.pk]

    def case_input(self, parties: list[PartyInput] | None = None) -> CaseInput:
        d = self.cleaned_data
        return CaseInput(
            unit=d["unit"],
            title=d["title"],
            category=d["category"],
            procedure=d["procedure"],
            is_major=d["is_major"],
            confidentiality=d["confidentiality"],
            officers=list(d["officers"]),
            parties=parties or [],
        )


def party_fields(prefix: str, label: str, required: bool = True) -> dict[str, forms.Field]:
    return {
        f"{prefix}_kind": forms.ChoiceField(
            label=f"{label}类型", choices=Party.Kind.choices, required=required
        ),
        f"{prefix}_name": form_fields.NameField(
            label=f"{label}姓名 / 名称", max_length=100, required=required
        ),
        f"{prefix}_id_number": form_fields.NameField(
            label="身份证件号码（自然人）", max_length=30, required=False
        ),
        f"{prefix}_credit_code": form_fields.NameField(
            label="统一社会信用代码（组织）", max_length=30, required=False
        ),
        f"{prefix}_representative": form_fields.NameField(
            max_length=40, label="法定代表人 / 负责人（组织）", required=False
        ),
        f"{prefix}_phone": form_fields.NameField(label="联系电话", max_length=30, required=False),
        f"{prefix}_address": form_fields.TextField(
            label="住址 / 住所", max_length=200, required=False
        ),
    }


def party_input(data: dict[str, Any], prefix: str) -> PartyInput | None:
    if not data.get(f"{prefix}_name"):
        return None
    return PartyInput(
        **{
            k: data.get(f"{prefix}_{k}") or ""
            for k in (
                "kind",
                "name",
                "id_number",
                "credit_code",
                "representative",
                "phone",
                "address",
            )
        }
    )


class AdvanceForm(forms.Form):
    reason = form_fields.TextField(
        label="理由", max_length=200, widget=forms.Textarea(attrs={"rows": 2})
    )


def next_stage(stage: str) -> str | None:
    i = STAGE_ORDER.index(stage)
    return STAGE_ORDER[i + 1] if i + 1 < len(STAGE_ORDER) and stage != Stage.ARCHIVED else None


class StateSecretPaperForm(forms.Form):
    """登记国家秘密纸质材料 (第三十三条): what it is, named without its content, where the paper is
    kept and who keeps it; the material itself never enters the system."""

    title = form_fields.LineField(label="材料名称（不得写入涉密内容）", max_length=200)
    kept_at = form_fields.LineField(label="纸质材料存放地点", max_length=200)
    keeper = form_fields.NameField(label="保管人", max_length=60)
    reason = form_fields.TextField(
        label="定密依据", max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )
