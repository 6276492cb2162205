"""REST API of the start (第八、九条, 第二十一条): the ways a case starts — ex officio, on application,
on a complaint, and on the spot (简易程序). The steps on a registered case (and the summary case's
备案) are acts served by ``/api/cases/<id>/<act>/`` (``casetrail.cases.api.CaseActAPI``)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casetrail.cases.api import (
    CaseInSerializer,
    PartyInSerializer,
    case_input,
    case_out,
    validated,
)
from casetrail.cases.models import Procedure
from casetrail.cases.writes import PartyInput
from casetrail.org.selectors import officer_for_request
from casetrail.records.api import SignatureSerializer, signature_inputs
from casetrail.records.catalogue import CATALOGUE
from casetrail.start import actions
from casetrail.start.summary import OnTheSpot


class ExOfficioSerializer(CaseInSerializer):
    parties = PartyInSerializer(many=True)
    reason = serializers.CharField()
    party_facts = serializers.CharField()
    opinion = serializers.CharField(help_text="承办人初审意见和理由")
    emergency = serializers.BooleanField(default=False)
    emergency_reason = serializers.CharField(required=False, allow_blank=True, default="")


class ApplicationSerializer(CaseInSerializer):
    applicant = PartyInSerializer()
    received_at = serializers.DateTimeField()
    matter = serializers.CharField()
    materials = serializers.ListField(child=serializers.CharField())
    oral = serializers.BooleanField(default=False)
    oral_statement = serializers.CharField(required=False, allow_blank=True, default="")
    applicant_signed = serializers.BooleanField(default=False)


class ComplaintSerializer(CaseInSerializer):
    complainant = PartyInSerializer()
    parties = PartyInSerializer(many=True, required=False, default=list)
    received_at = serializers.DateTimeField()
    channel = serializers.ChoiceField(choices=CATALOGUE["complaint_registration"].fields[1].choices)
    content = serializers.CharField()


class StartExOfficioAPI(APIView):
    """依职权启动（第九条）：填写程序启动审批表并提交审批。"""

    @extend_schema(request=ExOfficioSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        officer = officer_for_request(request.user)
        d = validated(ExOfficioSerializer, request)
        case = actions.case_start_ex_officio(
            officer=officer,
            data=case_input(officer, d, d["parties"]),
            reason=d["reason"],
            party_facts=d["party_facts"],
            opinion=d["opinion"],
            emergency=d["emergency"],
            emergency_reason=d["emergency_reason"],
        )
        return Response(case_out(officer, case), status=201)


class RegisterApplicationAPI(APIView):
    """依申请（第八条）：登记申请；口头申请同时制作申请人签名确认的笔录。"""

    @extend_schema(request=ApplicationSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        officer = officer_for_request(request.user)
        d = validated(ApplicationSerializer, request)
        case = actions.case_register_application(
            officer=officer,
            data=case_input(officer, d, []),
            applicant=PartyInput(**d["applicant"]),
            received_at=d["received_at"],
            matter=d["matter"],
            materials=d["materials"],
            oral=d["oral"],
            oral_statement=d["oral_statement"],
            applicant_signed=d["applicant_signed"],
        )
        return Response(case_out(officer, case), status=201)


class RegisterComplaintAPI(APIView):
    """登记投诉举报（第九条）。"""

    @extend_schema(request=ComplaintSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        officer = officer_for_request(request.user)
        d = validated(ComplaintSerializer, request)
        case = actions.case_register_complaint(
            officer=officer,
            data=case_input(officer, d, d["parties"]),
            complainant=PartyInput(**d["complainant"]),
            received_at=d["received_at"],
            channel=d["channel"],
            content=d["content"],
        )
        return Response(case_out(officer, case), status=201)


def _choices(field: str) -> list[tuple[str, str]]:
    """The labels of a choice field of the 简易程序记录, as the catalogue has them."""
    found = CATALOGUE["summary_procedure_record"].field(field)
    assert found is not None
    return list(found.choices)


class OnTheSpotSignaturesSerializer(serializers.Serializer):
    summary_procedure_record = SignatureSerializer(
        many=True, help_text="简易程序记录：officers（执法人员）、party（当事人，可拒签并注明理由）"
    )
    administrative_decision = SignatureSerializer(
        many=True, help_text="当场行政处罚决定书：other（行政执法机关印章）"
    )
    service_receipt = SignatureSerializer(
        many=True,
        help_text="送达回证：recipient（当事人签收，拒绝签收的注明理由）、server（执法人员）",
    )


class OnTheSpotSerializer(CaseInSerializer):
    # A summary case: the procedure is not a choice here.
    procedure = None  # type: ignore[assignment]
    party = PartyInSerializer()
    certificates_shown = serializers.BooleanField(help_text="执法人员已向当事人出示执法证件")
    decided_at = serializers.DateTimeField(help_text="当场作出决定的时间")
    place = serializers.CharField()
    doc_no = serializers.CharField(help_text="当场行政处罚决定书编号（预定格式、编有号码）")
    conditions = serializers.CharField(help_text="适用简易程序的具体条件")
    facts = serializers.CharField()
    evidence = serializers.ListField(child=serializers.CharField(), min_length=1)
    legal_basis = serializers.CharField()
    reasons = serializers.CharField(help_text="作出决定的理由")
    penalty = serializers.ChoiceField(choices=_choices("penalty"))
    amount = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, default=None
    )
    decision = serializers.CharField(help_text="当场作出的处理决定")
    rights_told = serializers.BooleanField(
        help_text="已告知拟作出处罚的事实、理由、依据及陈述、申辩权（行政处罚法第四十四条）"
    )
    statement = serializers.ChoiceField(choices=_choices("statement"))
    statements = serializers.CharField(required=False, allow_blank=True, default="")
    review = serializers.CharField(required=False, allow_blank=True, default="")
    adopted = serializers.ChoiceField(
        choices=_choices("adopted"), required=False, allow_blank=True, default=""
    )
    adoption_reasons = serializers.CharField(required=False, allow_blank=True, default="")
    review_body = serializers.CharField(help_text="行政复议机关")
    review_period = serializers.CharField()
    litigation_court = serializers.CharField()
    litigation_period = serializers.CharField()
    performance_manner = serializers.CharField(required=False, allow_blank=True, default="")
    collected = serializers.BooleanField(default=False, help_text="当场收缴罚款")
    collection_ground = serializers.ChoiceField(
        choices=_choices("collection_ground"), required=False, allow_blank=True, default=""
    )
    collection_ground_details = serializers.CharField(required=False, allow_blank=True, default="")
    party_requested = serializers.BooleanField(default=False)
    receipt_no = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="罚款专用票据编号（第七十条）"
    )
    documents = serializers.ListField(child=serializers.CharField(), required=False, default=list)
    contentious = serializers.BooleanField(default=False)
    other = serializers.CharField(required=False, allow_blank=True, default="")
    signer_name = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="组织当事人的签收人（缺省为法定代表人）",
    )
    signatures = OnTheSpotSignaturesSerializer()


SPOT_FIELDS = [f for f in OnTheSpot.__dataclass_fields__]


class StartOnTheSpotAPI(APIView):
    """当场处罚（简易程序，第二十一条；行政处罚法第五十一、五十二条）：登记案件，制作简易程序记录、
    当场行政处罚决定书并当场交付（送达回证），一次完成；之后应在备案期限内报所属行政机关备案。"""

    @extend_schema(request=OnTheSpotSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        officer = officer_for_request(request.user)
        d = validated(OnTheSpotSerializer, request)
        d["procedure"] = Procedure.SUMMARY
        case = actions.case_start_on_the_spot(
            officer=officer,
            data=case_input(officer, d, [d["party"]]),
            spot=OnTheSpot(**{k: d[k] for k in SPOT_FIELDS}),
            certificates_shown=d["certificates_shown"],
            signatures={doc: signature_inputs(rows) for doc, rows in d["signatures"].items()},
        )
        return Response(case_out(officer, case), status=201)
