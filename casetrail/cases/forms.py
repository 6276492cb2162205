"""Forms of the case start (第八、九条). They only parse input; the actions validate the law."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django import forms
from django.utils import timezone

from casetrail.cases.actions import CaseInput, PartyInput
from casetrail.cases.models import STAGE_ORDER, Category, Confidentiality, Party, Procedure, Stage
from casetrail.org.models import Officer, Role, Unit
from casetrail.records.catalogue import doc_type

DT_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class OfficerChoiceField(forms.ModelMultipleChoiceField):
    """Officers listed with the certificate number a party is shown (第十一条)."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name}（执法证 {obj.certificate_no or '无'}）"


class CaseBaseForm(forms.Form):
    unit = forms.ModelChoiceField(label="承办机构", queryset=Unit.objects.none())
    title = forms.CharField(label="案由 / 事项", max_length=200)
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
        officers.queryset = Officer.objects.filter(
            agency_id=officer.agency_id, roles__role=Role.HANDLER
        ).order_by("name")
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
        f"{prefix}_name": forms.CharField(
            label=f"{label}姓名 / 名称", max_length=100, required=required
        ),
        f"{prefix}_id_number": forms.CharField(label="身份证件号码（自然人）", required=False),
        f"{prefix}_credit_code": forms.CharField(label="统一社会信用代码（组织）", required=False),
        f"{prefix}_representative": forms.CharField(
            label="法定代表人 / 负责人（组织）", required=False
        ),
        f"{prefix}_phone": forms.CharField(label="联系电话", required=False),
        f"{prefix}_address": forms.CharField(label="住址 / 住所", required=False),
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


class ExOfficioForm(CaseBaseForm):
    reason = forms.CharField(label="启动原因", widget=forms.Textarea(attrs={"rows": 3}))
    party_facts = forms.CharField(label="当事人基本情况", widget=forms.Textarea(attrs={"rows": 3}))
    opinion = forms.CharField(
        label="承办人意见（初审意见和理由）", widget=forms.Textarea(attrs={"rows": 3})
    )
    emergency = forms.BooleanField(label="情况紧急，先行启动、事后补报审批", required=False)
    emergency_reason = forms.CharField(
        label="紧急情况说明", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


ExOfficioForm.base_fields.update(party_fields("party", "当事人"))
ExOfficioForm.field_order = [*CaseBaseForm.base_fields, *party_fields("party", "当事人")]


class ApplicationForm(CaseBaseForm):
    received_at = forms.DateTimeField(label="申请时间", widget=DT_WIDGET)
    matter = forms.CharField(label="申请事项", widget=forms.Textarea(attrs={"rows": 3}))
    materials = forms.CharField(
        label="提交的申请材料（每行一项）", widget=forms.Textarea(attrs={"rows": 3})
    )
    oral = forms.BooleanField(label="口头申请（制作口头申请笔录）", required=False)
    oral_statement = forms.CharField(
        label="口头申请笔录：申请人口述内容",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    applicant_signed = forms.BooleanField(label="申请人已阅读笔录并签名确认", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received_at"].initial = timezone.localtime().strftime("%Y-%m-%dT%H:%M")


ApplicationForm.base_fields.update(party_fields("applicant", "申请人"))
ApplicationForm.field_order = [*CaseBaseForm.base_fields, *party_fields("applicant", "申请人")]


class ComplaintForm(CaseBaseForm):
    received_at = forms.DateTimeField(label="收到时间", widget=DT_WIDGET)
    channel = forms.ChoiceField(
        label="来源", choices=doc_type("complaint_registration").fields[1].choices
    )
    content = forms.CharField(label="投诉举报内容", widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["received_at"].initial = timezone.localtime().strftime("%Y-%m-%dT%H:%M")


ComplaintForm.base_fields.update(party_fields("complainant", "投诉举报人"))
ComplaintForm.base_fields.update(party_fields("party", "被投诉举报人", required=False))
ComplaintForm.field_order = [
    *CaseBaseForm.base_fields,
    "received_at",
    "channel",
    "content",
    *party_fields("complainant", "投诉举报人"),
    *party_fields("party", "被投诉举报人"),
]


def _context_choices(f: Any, case: Any) -> list[tuple[Any, str]]:
    """Choices for fields that point into the case: its parties, the agency's officers, records."""
    if case is None:
        return []
    if f.type == "party":
        return [(p.pk, f"{p.name}（{p.get_role_display()}）") for p in case.parties.all()]
    if f.type == "document":
        records = case.records.filter(kind__in=f.refers_to) if f.refers_to else case.records.all()
        return [
            (r.pk, f"{r.title} #{r.pk}（{timezone.localtime(r.created_at):%Y-%m-%d}）")
            for r in records
        ]
    officers = Officer.objects.filter(agency_id=case.agency_id).order_by("name")
    return [(o.pk, f"{o.name}（{o.certificate_no or '无执法证'}）") for o in officers]


def catalogue_form(
    kind: str, *, extra: Mapping[str, forms.Field] | None = None, case: Any = None
) -> type[forms.Form]:
    """A form generated from the catalogue entry of ``kind`` (plus ``extra`` fields); fields that
    point into the case offer its parties, officers and records."""
    doc = doc_type(kind)
    fields: dict[str, forms.Field] = {}
    for f in doc.fields:
        label = f.label + (f"（{f.help}）" if f.help else "")
        field: forms.Field
        if f.type == "bool":
            field = forms.BooleanField(label=label, required=False)
        elif f.type == "longtext" or f.type == "list":
            field = forms.CharField(
                label=label, required=f.required, widget=forms.Textarea(attrs={"rows": 3})
            )
        elif f.type == "date":
            field = forms.DateField(
                label=label, required=f.required, widget=forms.DateInput(attrs={"type": "date"})
            )
        elif f.type == "datetime":
            field = forms.DateTimeField(
                label=label,
                required=f.required,
                widget=DT_WIDGET,
                initial=lambda: timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            )
        elif f.type == "choice":
            field = forms.ChoiceField(label=label, required=f.required, choices=f.choices)
        elif f.type == "number":
            field = forms.IntegerField(label=label, required=f.required, min_value=0)
        elif f.type == "money":
            field = forms.DecimalField(
                label=label + "（元）",
                required=f.required,
                min_value=0,
                decimal_places=2,
                max_digits=14,
            )
        elif f.type == "officers":
            field = forms.TypedMultipleChoiceField(
                label=label,
                required=f.required,
                coerce=int,
                choices=_context_choices(f, case),
                widget=forms.CheckboxSelectMultiple,
            )
        elif f.type in ("party", "officer", "document"):
            field = forms.TypedChoiceField(
                label=label,
                required=f.required,
                coerce=int,
                choices=[("", "—— 请选择 ——"), *_context_choices(f, case)],
            )
        else:
            field = forms.CharField(label=label, required=f.required, max_length=500)
        fields[f.name] = field
    fields.update(extra or {})
    return type(f"{kind}_form", (forms.Form,), fields)


OPINION = {
    "opinion": forms.CharField(
        label="承办人初审意见和理由", widget=forms.Textarea(attrs={"rows": 3})
    )
}


class AdvanceForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}))


def next_stage(stage: str) -> str | None:
    i = STAGE_ORDER.index(stage)
    return STAGE_ORDER[i + 1] if i + 1 < len(STAGE_ORDER) and stage != Stage.ARCHIVED else None
