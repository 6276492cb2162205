"""REST API of the start (第八、九条): the three ways a case starts. The steps on a registered case
are acts served by ``/api/cases/<id>/<act>/`` (``casetrail.cases.api.CaseActAPI``)."""

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
from casetrail.cases.writes import PartyInput
from casetrail.lib import api_fields
from casetrail.lib.text import DOCUMENT_MAX
from casetrail.org.selectors import officer_for_request
from casetrail.records.catalogue import CATALOGUE
from casetrail.start import actions


class ExOfficioSerializer(CaseInSerializer):
    parties = serializers.ListField(child=PartyInSerializer(), max_length=50)
    reason = api_fields.TextField()
    party_facts = api_fields.TextField()
    opinion = api_fields.TextField(help_text="承办人初审意见和理由")
    emergency = serializers.BooleanField(default=False)
    emergency_reason = api_fields.TextField(required=False, allow_blank=True, default="")


class ApplicationSerializer(CaseInSerializer):
    applicant = PartyInSerializer()
    received_at = serializers.DateTimeField()
    matter = api_fields.TextField()
    materials = serializers.ListField(child=api_fields.LineField(), max_length=200)
    oral = serializers.BooleanField(default=False)
    oral_statement = api_fields.TextField(
        max_length=DOCUMENT_MAX, required=False, allow_blank=True, default=""
    )
    applicant_signed = serializers.BooleanField(default=False)


class ComplaintSerializer(CaseInSerializer):
    complainant = PartyInSerializer()
    parties = serializers.ListField(
        child=PartyInSerializer(), required=False, default=list, max_length=50
    )
    received_at = serializers.DateTimeField()
    channel = serializers.ChoiceField(choices=CATALOGUE["complaint_registration"].fields[1].choices)
    content = api_fields.TextField(max_length=DOCUMENT_MAX)


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
