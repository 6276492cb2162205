"""REST API of compliance: the case's checklist and warnings, the proposal of reasoned exemptions
(decided through their approval chains) and the agency's exemptions for the supervisors."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casetrail.approvals.api import chain_out
from casetrail.approvals.selectors import chain_for_user
from casetrail.cases.selectors import case_for_user
from casetrail.compliance.actions import exemption_propose, holiday_schedule_import
from casetrail.compliance.engine import Finding, checklist, warnings
from casetrail.compliance.holidays import ScheduleInput
from casetrail.compliance.models import HolidaySchedule
from casetrail.compliance.selectors import exemptions_of_agency, pending_exemptions
from casetrail.lib import api_fields, openapi
from casetrail.org.selectors import officer_for_request


def finding_out(f: Finding, pending: dict[tuple[str, str], Any] | None = None) -> dict[str, Any]:
    waiting = (pending or {}).get((f.rule.id, f.missing.subject))
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
        "exemption_pending": waiting.pk if waiting is not None else None,
    }


class ComplianceAPI(APIView):
    """本阶段还需（离开当前阶段须满足的规则）与提示。"""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, case_id: int) -> Response:
        case = case_for_user(user=request.user, case_id=case_id)
        pending = pending_exemptions(case)
        return Response(
            {
                "checklist": [finding_out(f, pending) for f in checklist(case)],
                "warnings": [finding_out(f) for f in warnings(case)],
            }
        )


class ExemptionSerializer(serializers.Serializer):
    rule = api_fields.NameField(max_length=10)
    subject = api_fields.NameField(max_length=60)
    # Blank reaches the action, which refuses it with its own code (exemption_reason_required).
    reason = api_fields.TextField(allow_blank=True, help_text="无法满足的理由")
    facts = api_fields.TextField(
        required=False, allow_blank=True, default="", help_text="无法满足的事实及证据说明"
    )
    item = api_fields.IdField(
        required=False, allow_null=True, default=None, help_text="本案音像记录或照片的 id"
    )
    blob_sha256 = api_fields.NameField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text="已上传证明材料的 SHA-256",
    )


class ExemptionAPI(APIView):
    """提请规则豁免（仅限允许豁免的规则，须说明理由并提供无法满足的证据）：由审核人审批
    （重大复杂案件豁免第五条的还须负责人批准），批准前不解除相应要求。返回该审批。"""

    @extend_schema(request=ExemptionSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, case_id: int) -> Response:
        officer = officer_for_request(request.user)
        case = case_for_user(user=request.user, case_id=case_id)
        s = ExemptionSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        chain = exemption_propose(case=case, officer=officer, **s.validated_data)
        return Response(chain_out(chain_for_user(user=request.user, chain_id=chain.pk)), status=201)


class ExemptionListAPI(APIView):
    """本机关全部规则豁免及其审批状态（监督人员）。"""

    @extend_schema(
        responses={
            200: openapi.array_of(
                openapi.obj(
                    ("case", "rule", "subject", "status"),
                    case=openapi.INTEGER,
                    case_number=openapi.nullable("string"),
                    rule=openapi.STRING,
                    subject=openapi.STRING,
                    reason=openapi.STRING,
                    status=openapi.STRING,
                    status_label=openapi.STRING,
                    chain=openapi.nullable("integer"),
                    decided_at=openapi.nullable("string"),
                )
            )
        },
        operation_id="exemptions_list",
    )
    def get(self, request: Request) -> Response:
        officer = officer_for_request(request.user)
        return Response(
            [
                {
                    "case": r.case.pk,
                    "case_number": r.case.number,
                    "rule": r.rule,
                    "rule_label": r.rule_label,
                    "subject": r.subject,
                    "subject_label": r.subject_label,
                    "reason": r.reason,
                    "proposer": r.proposer,
                    "proposed_at": r.proposed_at,
                    "status": r.status,
                    "status_label": r.status_label,
                    "chain": r.chain_id,
                    "decided_at": r.decided_at,
                }
                for r in exemptions_of_agency(officer=officer)
            ]
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
