"""Forms of the start (第八、九条). They only parse input; the actions validate the law."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from casetrail.cases.forms import DT_WIDGET, CaseBaseForm, party_fields
from casetrail.cases.models import Procedure
from casetrail.records.catalogue import doc_type
from casetrail.start.summary import OnTheSpot


class OrdinaryCaseForm(CaseBaseForm):
    """The case of an ex officio start, an application or a complaint: a summary case is opened
    and decided on the spot instead (OnTheSpotForm, 行政处罚法第五十一、五十二条)."""

    procedure = forms.ChoiceField(
        label="程序（当场给予警告或限额内罚款的简易程序案件，请使用“当场处罚（简易程序）”登记）",
        choices=[(Procedure.ORDINARY, Procedure.ORDINARY.label)],
    )


class ExOfficioForm(OrdinaryCaseForm):
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


class ApplicationForm(OrdinaryCaseForm):
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


class ComplaintForm(OrdinaryCaseForm):
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


def _catalogue_choices(name: str, blank: bool = False) -> list[tuple[str, str]]:
    """A choice field of the 简易程序记录 as the catalogue labels it."""
    found = doc_type("summary_procedure_record").field(name)
    assert found is not None
    return [("", "——")] * blank + list(found.choices)


def _text(label: str, rows: int = 3, required: bool = True, initial: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        initial=initial,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class OnTheSpotForm(CaseBaseForm):
    """当场处罚（简易程序）: the case, the party, what was decided on the spot and how it was
    handed over. The signatures of each document are captured beside it (the view reads them)."""

    procedure = None  # type: ignore[assignment]  # a summary case: not a choice here
    is_major = None  # type: ignore[assignment]  # 重大复杂案件不适用简易程序

    certificates_shown = forms.BooleanField(
        label="执法人员已向当事人出示执法证件、表明身份（第十一条；行政处罚法第五十二条）",
        required=False,
    )
    decided_at = forms.DateTimeField(label="当场作出决定的时间", widget=DT_WIDGET)
    place = forms.CharField(label="地点", max_length=500)
    conditions = _text(
        "（一）适用简易程序的具体条件",
        initial="违法事实确凿并有法定依据，拟给予的处罚在行政处罚法第五十一条规定的范围内。",
    )
    facts = _text("违法事实")
    evidence = _text("证据（每行一项）", rows=2)
    legal_basis = forms.CharField(label="处罚依据（法律、条款）", max_length=500)
    penalty = forms.ChoiceField(label="处罚种类", choices=_catalogue_choices("penalty"))
    amount = forms.DecimalField(
        label="罚款金额（元；公民二百元以下，法人或者其他组织三千元以下）",
        required=False,
        max_digits=12,
        decimal_places=2,
    )
    decision = _text("当场作出的处理决定", rows=2)
    reasons = _text("作出决定的理由", rows=2)
    rights_told = forms.BooleanField(
        label="已告知当事人拟作出处罚的事实、理由、依据及陈述、申辩权（行政处罚法第四十四条）",
        required=False,
    )
    statement = forms.ChoiceField(
        label="（三）当事人陈述、申辩", choices=_catalogue_choices("statement")
    )
    statements = _text("（三）陈述、申辩的内容", required=False)
    review = _text("（四）复核及处理", required=False)
    adopted = forms.ChoiceField(
        label="（四）是否采纳", choices=_catalogue_choices("adopted", blank=True), required=False
    )
    adoption_reasons = _text("（四）采纳或不采纳的理由", required=False)
    collected = forms.BooleanField(label="（六）当场收缴罚款", required=False)
    collection_ground = forms.ChoiceField(
        label="（六）当场收缴的依据",
        choices=_catalogue_choices("collection_ground", blank=True),
        required=False,
    )
    collection_ground_details = _text("（六）当场收缴的情形说明", rows=2, required=False)
    party_requested = forms.BooleanField(label="（六）当事人提出当场缴纳", required=False)
    receipt_no = forms.CharField(
        label="（六）罚款专用票据编号（行政处罚法第七十条）", required=False, max_length=100
    )
    performance_manner = forms.CharField(
        label="履行方式（未当场收缴的：缴款银行或电子支付方式）", required=False, max_length=500
    )
    doc_no = forms.CharField(label="当场行政处罚决定书编号（预定格式、编有号码）", max_length=100)
    review_body = forms.CharField(label="行政复议机关", max_length=200)
    review_period = forms.CharField(
        label="申请行政复议的期限", max_length=200, initial="自收到本决定书之日起六十日内"
    )
    litigation_court = forms.CharField(label="提起行政诉讼的人民法院", max_length=200)
    litigation_period = forms.CharField(
        label="提起行政诉讼的期限", max_length=200, initial="自收到本决定书之日起六个月内"
    )
    signer_name = forms.CharField(
        label="签收人（当事人为组织的；缺省为法定代表人 / 负责人）", required=False, max_length=100
    )
    documents = _text("（二）当场制作的其他文书（每行一项）", rows=2, required=False)
    contentious = forms.BooleanField(label="容易引起行政争议（应当音像记录）", required=False)
    other = _text("（七）其他依法记录的内容", rows=2, required=False)

    SECTIONS = (
        ("案件与执法人员", ("unit", "title", "category", "confidentiality", "officers")),
        ("当事人", tuple(party_fields("party", "当事人"))),
        (
            "当场处罚（第二十一条；行政处罚法第五十一、五十二条）",
            (
                "certificates_shown",
                "decided_at",
                "place",
                "conditions",
                "facts",
                "evidence",
                "legal_basis",
                "penalty",
                "amount",
                "decision",
                "reasons",
            ),
        ),
        (
            "告知与陈述、申辩（行政处罚法第四十四、四十五条）",
            ("rights_told", "statement", "statements", "review", "adopted", "adoption_reasons"),
        ),
        (
            "当场收缴罚款（行政处罚法第六十八至七十条）",
            (
                "collected",
                "collection_ground",
                "collection_ground_details",
                "party_requested",
                "receipt_no",
                "performance_manner",
            ),
        ),
        (
            "行政处罚决定书（当场交付）",
            (
                "doc_no",
                "review_body",
                "review_period",
                "litigation_court",
                "litigation_period",
                "signer_name",
                "documents",
                "contentious",
                "other",
            ),
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["decided_at"].initial = timezone.localtime().strftime("%Y-%m-%dT%H:%M")

    def clean(self) -> dict[str, Any]:
        # CaseBaseForm.case_input reads these: a summary case, never 重大 (第五十一条).
        data = super().clean() or {}
        data.update(procedure=Procedure.SUMMARY, is_major=False)
        return data

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def on_the_spot(self) -> OnTheSpot:
        d = self.cleaned_data
        lines = {"evidence", "documents"}
        values: dict[str, Any] = {
            name: [x.strip() for x in d[name].splitlines() if x.strip()]
            if name in lines
            else d[name]
            for name in OnTheSpot.__dataclass_fields__
        }
        return OnTheSpot(**values)


OnTheSpotForm.base_fields.update(party_fields("party", "当事人"))
