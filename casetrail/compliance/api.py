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
from casetrail.compliance.actions import exemption_record
from casetrail.compliance.engine import Finding, checklist, warnings
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
    rule = serializers.CharField()
    subject = serializers.CharField()
    reason = serializers.CharField()


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
