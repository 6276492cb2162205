"""REST API of approval chains (第六条)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casetrail.approvals.actions import approval_decide, approval_resubmit
from casetrail.approvals.checklists import (
    FINDINGS,
    LEGAL_REVIEW_GROUNDS,
    LEGAL_REVIEW_ITEMS,
    collective_quorum,
)
from casetrail.approvals.kinds import due_of
from casetrail.approvals.models import ChainStatus, Outcome
from casetrail.approvals.selectors import chain_for_user, chains_waiting_for, why_cannot_act
from casetrail.cases.reading import log_page_read, read_state
from casetrail.cases.selectors import may_see_personal_data
from casetrail.ledger.selectors import ledger_index_for
from casetrail.lib import api_fields, openapi
from casetrail.lib.masking import mask_texts
from casetrail.org.models import Officer
from casetrail.org.reauth import require_recent_auth
from casetrail.org.selectors import officer_for_request
from casetrail.records.display import fields_for


class DecideSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(
        choices=[
            (Outcome.APPROVE, "同意"),
            (Outcome.RETURN, "退回修改"),
            (Outcome.REFUSE, "不同意"),
        ]
    )
    opinion = api_fields.TextField()
    findings = serializers.ListField(
        child=serializers.DictField(),
        max_length=100,
        required=False,
        default=list,
        help_text="法制审核逐项意见：[{item, finding: ok|issue|na, note}]，见 /api/approvals/checklist/",
    )
    participants = serializers.ListField(
        child=serializers.DictField(),
        max_length=100,
        required=False,
        default=list,
        help_text="集体讨论参加人员及意见：[{id, view}]（主持人应在其中）",
    )
    legal_grounds = serializers.ListField(
        child=serializers.ChoiceField(choices=list(LEGAL_REVIEW_GROUNDS)),
        max_length=len(LEGAL_REVIEW_GROUNDS),
        required=False,
        default=list,
        help_text="审核人审核同意时提请法制审核的理由：complex（案情疑难复杂）、"
        "multiple_relations（涉及多个法律关系）（行政处罚法第五十八条）",
    )


class ResubmitSerializer(serializers.Serializer):
    # See CaseActSerializer: the declared field does not shadow Serializer.fields at run time.
    fields = serializers.DictField(help_text="修改后的文书字段（未给出的保持原值）")  # type: ignore[assignment]
    opinion = api_fields.TextField(help_text="承办人初审意见和理由")
    reason = api_fields.TextField(help_text="修改说明")


CHAIN = openapi.obj(
    ("id", "kind", "status", "case", "steps"),
    id=openapi.INTEGER,
    kind=openapi.STRING,
    status=openapi.STRING,
    record=openapi.INTEGER,
    case=openapi.INTEGER,
    created_at=openapi.DATETIME,
    steps=openapi.array_of(),
)


def chain_out(
    chain: Any, ledger: dict[str, int] | None = None, *, masked: bool = False
) -> dict[str, Any]:
    """The chain for the API; ``masked``: the steps' free text (opinions, findings, views) with
    ID and phone numbers masked, for a viewer who may not see the case's personal data."""
    ledger = ledger or {}
    shown = mask_texts if masked else (lambda value: value)
    return {
        "id": chain.pk,
        "kind": chain.kind,
        "kind_label": chain.get_kind_display(),
        "status": chain.status,
        "status_label": chain.get_status_display(),
        "requires_legal": chain.requires_legal,
        "plan": chain.step_plan(),
        "record": chain.record_id,
        "case": chain.case_id,
        "created_at": chain.created_at,
        "decided_at": chain.decided_at,
        "steps": [
            {
                "id": s.pk,
                "role": s.role,
                "officer": s.officer.name,
                "outcome": s.outcome,
                "opinion": shown(s.opinion),
                "record": s.record_id,
                "created_at": s.created_at,
                "findings": shown(s.findings),
                "participants": shown(s.participants),
                "legal_grounds": s.legal_grounds,
                "ledger_seq": ledger.get(f"approvals.Step:{s.pk}"),
            }
            for s in chain.steps.all()
        ],
    }


def due_out(due: Any) -> dict[str, Any] | None:
    """The deadline bearing on a waiting chain (``kinds.register_due``), for the API."""
    if due is None:
        return None
    return {
        "rule": getattr(due, "rule", ""),
        "title": due.title,
        "basis": due.basis,
        "due_at": due.due_at,
        "overdue": due.overdue,
    }


def _out(chain: Any, officer: Officer, request: Any) -> dict[str, Any]:
    """The chain with the fields of the document it decides on, personal data masked unless the
    viewer may see it (第三十三条: in a 涉密 case once they gave their read reason, logged)."""
    state = read_state(request, officer=officer, case=chain.case)
    log_page_read(request, officer=officer, case=chain.case, state=state, via="api")
    personal = state.personal
    data = chain_out(
        chain,
        ledger_index_for(agency_id=chain.case.agency_id, case_id=chain.case_id),
        masked=not personal,
    )
    data["record_fields"] = fields_for(chain.record.doc, chain.record.fields, personal=personal)
    return data


# /api/approvals/ lists at most this many (approvals.panels.WAITING_API_LIMIT, the same).
WAITING_API_LIMIT = 500


class ApprovalListAPI(APIView):
    """待我办理的审批（含退回给我修改的）。"""

    @extend_schema(responses={200: openapi.array_of(CHAIN)}, operation_id="approvals_waiting_list")
    def get(self, request: Request) -> Response:
        officer = officer_for_request(request.user)
        return Response(
            [
                {
                    **chain_out(c, masked=not may_see_personal_data(officer=officer, case=c.case)),
                    "due": due_out(due_of(c)),
                }
                # Bounded like /api/worklist/ (the nearest deadline first, then the longest waiting).
                for c in chains_waiting_for(officer=officer, limit=WAITING_API_LIMIT)
            ]
        )


class ApprovalDetailAPI(APIView):
    """一个审批事项及其全部环节。"""

    @extend_schema(responses={200: CHAIN})
    def get(self, request: Request, chain_id: int) -> Response:
        officer = officer_for_request(request.user)
        return Response(
            _out(chain_for_user(user=request.user, chain_id=chain_id), officer, request)
        )


class ApprovalDecideAPI(APIView):
    """审核、法制审核或批准：同意 / 退回修改 / 不同意，须写明意见和理由。"""

    @extend_schema(request=DecideSerializer, responses={201: CHAIN})
    def post(self, request: Request, chain_id: int) -> Response:
        officer = officer_for_request(request.user)
        chain = chain_for_user(user=request.user, chain_id=chain_id)
        s = DecideSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        if s.validated_data["outcome"] == "approve":
            require_recent_auth(request)  # a session's password, or this request's token
        approval_decide(
            chain=chain,
            officer=officer,
            outcome=s.validated_data["outcome"],
            opinion=s.validated_data["opinion"],
            findings=s.validated_data["findings"] or None,
            participants=s.validated_data["participants"] or None,
            legal_grounds=s.validated_data["legal_grounds"] or None,
        )
        return Response(
            _out(chain_for_user(user=request.user, chain_id=chain_id), officer, request), status=201
        )


class ApprovalResubmitAPI(APIView):
    """退回后修改并重新提交；原版本和全部环节保留。"""

    @extend_schema(request=ResubmitSerializer, responses={201: CHAIN})
    def post(self, request: Request, chain_id: int) -> Response:
        officer = officer_for_request(request.user)
        chain = chain_for_user(user=request.user, chain_id=chain_id)
        if chain.status == ChainStatus.RETURNED:
            reason = why_cannot_act(officer=officer, chain=chain)
            if reason:
                raise PermissionDenied(reason)
        s = ResubmitSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        approval_resubmit(
            chain=chain,
            officer=officer,
            fields=s.validated_data["fields"],
            opinion=s.validated_data["opinion"],
            reason=s.validated_data["reason"],
        )
        return Response(
            _out(chain_for_user(user=request.user, chain_id=chain_id), officer, request), status=201
        )


class LegalChecklistAPI(APIView):
    """法制审核要点（行政处罚法第五十八条）：逐项填写 符合（ok）/ 存在问题（issue，须说明）/ 不适用（na）。"""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        officer_for_request(request.user)
        return Response(
            {
                "items": [{"item": code, "label": label} for code, label in LEGAL_REVIEW_ITEMS],
                "findings": FINDINGS,
                "legal_grounds": dict(LEGAL_REVIEW_GROUNDS),
                "collective_quorum": collective_quorum(),
            }
        )
