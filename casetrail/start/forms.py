"""Forms of the start (第八、九条). They only parse input; the actions validate the law."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from casetrail.cases.forms import DT_WIDGET, CaseBaseForm, party_fields
from casetrail.lib import form_fields
from casetrail.lib.text import DOCUMENT_MAX
from casetrail.records.catalogue import doc_type


class ExOfficioForm(CaseBaseForm):
    reason = form_fields.TextField(label="启动原因", widget=forms.Textarea(attrs={"rows": 3}))
    party_facts = form_fields.TextField(
        label="当事人基本情况", widget=forms.Textarea(attrs={"rows": 3})
    )
    opinion = form_fields.TextField(
        label="承办人意见（初审意见和理由）", widget=forms.Textarea(attrs={"rows": 3})
    )
    emergency = forms.BooleanField(label="情况紧急，先行启动、事后补报审批", required=False)
    emergency_reason = form_fields.TextField(
        label="紧急情况说明", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


ExOfficioForm.base_fields.update(party_fields("party", "当事人"))
ExOfficioForm.field_order = [*CaseBaseForm.base_fields, *party_fields("party", "当事人")]


class ApplicationForm(CaseBaseForm):
    received_at = forms.DateTimeField(label="申请时间", widget=DT_WIDGET)
    matter = form_fields.TextField(label="申请事项", widget=forms.Textarea(attrs={"rows": 3}))
    materials = form_fields.TextField(
        label="提交的申请材料（每行一项）", widget=forms.Textarea(attrs={"rows": 3})
    )
    oral = forms.BooleanField(label="口头申请（制作口头申请笔录）", required=False)
    oral_statement = form_fields.TextField(
        max_length=DOCUMENT_MAX,
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
    content = form_fields.TextField(
        label="投诉举报内容", max_length=DOCUMENT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )

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
