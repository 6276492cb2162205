"""REST API of compliance: the case's checklist and warnings, and reasoned exemptions."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casetrail.cases.selectors import case_for_user
from casetrail.compliance.actions import exemption_record, holiday_schedule_import
from casetrail.compliance.engine import Finding, checklist, warnings
from casetrail.compliance.holidays import ScheduleInput
from casetrail.compliance.models import HolidaySchedule
from casetrail.lib import api_fields, openapi
from casetrail.org.selectors import officer_for_request


def finding_out(f: Finding) -> dict[str, Any]:
    return {
        "rule": f.rule.id,
        "article": f.rule.article,
        "kind": f.rule.kind.value,
        "subject": f.missing.subject,
        "message": f.missing.message,
        "add": f.missing.add or None,
        "exempted": f.exempted,
        "exemption_reason": f.exemption_reason or None,
        "exemptible": f.rule.exemptible,
    }


class ComplianceAPI(APIView):
    """本阶段还需（离开当前阶段须满足的规则）与提示。"""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, case_id: int) -> Response:
        case = case_for_user(user=request.user, case_id=case_id)
        return Response(
            {
                "checklist": [finding_out(f) for f in checklist(case)],
                "warnings": [finding_out(f) for f in warnings(case)],
            }
        )


class ExemptionSerializer(serializers.Serializer):
    rule = api_fields.NameField(max_length=10)
    subject = api_fields.NameField(max_length=60)
    reason = api_fields.TextField()


class ExemptionAPI(APIView):
    """记录规则豁免（仅限允许豁免的规则，须说明理由）。"""

    @extend_schema(request=ExemptionSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, case_id: int) -> Response:
        officer = officer_for_request(request.user)
        case = case_for_user(user=request.user, case_id=case_id)
        s = ExemptionSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        e = exemption_record(
            case=case,
            officer=officer,
            rule_id=s.validated_data["rule"],
            subject=s.validated_data["subject"],
            reason=s.validated_data["reason"],
        )
        return Response(
            {"id": e.pk, "rule": e.rule, "subject": e.subject, "reason": e.reason}, status=201
        )


class HolidayScheduleSerializer(serializers.Serializer):
    year = api_fields.IntegerField(min_value=1949, max_value=2200)
    # See CaseActSerializer: the declared field does not shadow Field.source at run time.
    source = api_fields.LineField(max_length=200, help_text="国务院办公厅通知的文号")  # type: ignore[assignment]
    holidays = serializers.ListField(
        child=serializers.DateField(), max_length=366, help_text="放假日期（含放假的周末）"
    )
    workdays = serializers.ListField(
        child=serializers.DateField(),
        required=False,
        default=list,
        max_length=366,
        help_text="调休上班的周末",
    )


class HolidayScheduleAPI(APIView):
    """节假日安排：查看已导入的年度；系统管理员导入某年的安排（法定期限据此计算）。"""

    @extend_schema(
        responses={
            200: openapi.array_of(
                openapi.obj(
                    ("year", "source", "holidays", "workdays"),
                    year=openapi.INTEGER,
                    source=openapi.STRING,
                    holidays=openapi.array_of(openapi.STRING),
                    workdays=openapi.array_of(openapi.STRING),
                )
            )
        }
    )
    def get(self, request: Request) -> Response:
        officer_for_request(request.user)
        return Response(
            [
                {"year": s.year, "source": s.source, "holidays": s.holidays, "workdays": s.workdays}
                for s in HolidaySchedule.objects.order_by("year", "id")
            ]
        )

    @extend_schema(request=HolidayScheduleSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        officer = officer_for_request(request.user)
        s = HolidayScheduleSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        row = holiday_schedule_import(officer=officer, schedule=ScheduleInput(**s.validated_data))
        return Response({"year": row.year, "source": row.source}, status=201)
