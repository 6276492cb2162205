"""REST API of cases: the same reads and actions as the web UI, through the same access function."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casetrail.approvals.selectors import chains_of_case, chains_waiting_for
from casetrail.cases import actions
from casetrail.cases.models import (
    Case,
    Category,
    Confidentiality,
    Party,
    Procedure,
    Stage,
    StartMode,
)
from casetrail.cases.selectors import (
    case_for_user,
    case_list,
    deadlines_for,
    officer_for_request,
    parties_for,
)
from casetrail.ledger.selectors import ledger_index_for
from casetrail.org.models import Officer, Unit
from casetrail.records.catalogue import CATALOGUE


class PartyInSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Party.Kind.choices)
    name = serializers.CharField(max_length=100)
    id_number = serializers.CharField(required=False, allow_blank=True, default="")
    phone = serializers.CharField(required=False, allow_blank=True, default="")
    address = serializers.CharField(required=False, allow_blank=True, default="")
    credit_code = serializers.CharField(required=False, allow_blank=True, default="")
    representative = serializers.CharField(required=False, allow_blank=True, default="")

    def to_input(self, data: dict[str, Any]) -> actions.PartyInput:
        return actions.PartyInput(**data)


class CaseInSerializer(serializers.Serializer):
    unit = serializers.IntegerField(help_text="承办机构 id")
    title = serializers.CharField(max_length=200)
    category = serializers.ChoiceField(choices=Category.choices)
    procedure = serializers.ChoiceField(choices=Procedure.choices, default=Procedure.ORDINARY)
    is_major = serializers.BooleanField(default=False)
    confidentiality = serializers.ChoiceField(
        choices=Confidentiality.choices, default=Confidentiality.NORMAL
    )
    officers = serializers.ListField(
        child=serializers.IntegerField(), min_length=1, help_text="执法人员 id（不少于两人）"
    )


def _case_input(
    officer: Officer, d: dict[str, Any], parties: list[dict[str, Any]]
) -> actions.CaseInput:
    # Foreign ids resolve only inside the officer's agency: another agency's unit or officer is
    # the same error as a missing one.
    unit = Unit.objects.filter(pk=d["unit"], agency_id=officer.agency_id).first()
    if unit is None:
        raise serializers.ValidationError({"unit": "承办机构不存在"})
    found = {
        o.pk: o for o in Officer.objects.filter(pk__in=d["officers"], agency_id=officer.agency_id)
    }
    missing = [i for i in d["officers"] if i not in found]
    if missing:
        raise serializers.ValidationError({"officers": f"执法人员不存在：{missing}"})
    return actions.CaseInput(
        unit=unit,
        title=d["title"],
        category=d["category"],
        procedure=d["procedure"],
        is_major=d["is_major"],
        confidentiality=d["confidentiality"],
        officers=[found[i] for i in d["officers"]],
        parties=[actions.PartyInput(**p) for p in parties],
    )


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


class CaseSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.CharField(allow_null=True)
    title = serializers.CharField()
    stage = serializers.CharField()
    stage_label = serializers.CharField(source="get_stage_display")
    start_mode = serializers.CharField()
    start_status = serializers.CharField()
    unit = serializers.CharField(source="unit.name")
    is_major = serializers.BooleanField()
    emergency = serializers.BooleanField()
    approval_due_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()
    parties = serializers.SerializerMethodField()

    def get_parties(self, case: Case) -> list[str]:
        return [p.name for p in case.parties.all()]


def _party_out(p: Any) -> dict[str, Any]:
    return {
        "id": p.pk,
        "role": p.role,
        "kind": p.kind,
        "name": p.name,
        "id_number": p.id_number_shown,
        "phone": p.phone_shown,
        "address": p.address_shown,
        "credit_code": p.credit_code,
        "representative": p.representative,
        "masked": p.masked,
    }


def case_out(officer: Officer, case: Case) -> dict[str, Any]:
    ledger = ledger_index_for(case=case)
    data: dict[str, Any] = dict(CaseSummarySerializer(case).data)
    data.update(
        {
            "category": case.category,
            "procedure": case.procedure,
            "confidentiality": case.confidentiality,
            "approved_at": case.approved_at,
            "closed_at": case.closed_at,
            "parties": [_party_out(p) for p in parties_for(officer=officer, case=case)],
            "officers": [
                {"id": a.officer_id, "name": a.officer.name, "certificate_no": a.certificate_no}
                for a in case.assignments.select_related("officer")
            ],
            "records": [
                {
                    "id": r.pk,
                    "kind": r.kind,
                    "title": r.title,
                    "fields": r.fields,
                    "created_by": r.created_by.name,
                    "created_at": r.created_at,
                    "replaces": r.replaces_id,
                    "correction_reason": r.correction_reason,
                    "ledger_seq": ledger.get(f"records.Record:{r.pk}"),
                }
                for r in case.records.select_related("created_by")
            ],
            "stage_changes": [
                {
                    "from": c.from_stage,
                    "to": c.to_stage,
                    "reason": c.reason,
                    "by": c.by.name,
                    "at": c.at,
                    "ledger_seq": ledger.get(f"cases.StageChange:{c.pk}"),
                }
                for c in case.stage_changes.select_related("by")
            ],
            "approvals": [chain_out(c, ledger) for c in chains_of_case(case_id=case.pk)],
        }
    )
    return data


def chain_out(chain: Any, ledger: dict[str, int] | None = None) -> dict[str, Any]:
    ledger = ledger or {}
    return {
        "id": chain.pk,
        "kind": chain.kind,
        "kind_label": chain.get_kind_display(),
        "status": chain.status,
        "status_label": chain.get_status_display(),
        "requires_legal": chain.requires_legal,
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
                "opinion": s.opinion,
                "record": s.record_id,
                "created_at": s.created_at,
                "ledger_seq": ledger.get(f"approvals.Step:{s.pk}"),
            }
            for s in chain.steps.all()
        ],
    }


def _validated(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    s = serializer_class(data=request.data)
    s.is_valid(raise_exception=True)
    return dict(s.validated_data)


class CaseListAPI(APIView):
    """案件列表：按阶段、启动方式筛选，按编号、案由、当事人搜索。"""

    @extend_schema(responses=CaseSummarySerializer(many=True), parameters=[])
    def get(self, request: Request) -> Response:
        officer = officer_for_request(request.user)
        stage = request.query_params.get("stage", "")
        mode = request.query_params.get("mode", "")
        cases = case_list(
            officer=officer,
            stage=stage if stage in Stage.values else "",
            mode=mode if mode in StartMode.values else "",
            q=request.query_params.get("q", ""),
        )
        from rest_framework.pagination import LimitOffsetPagination

        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(cases, request, view=self)
        return paginator.get_paginated_response(CaseSummarySerializer(page, many=True).data)


class CaseDetailAPI(APIView):
    """案件详情：当事人（按权限脱敏）、执法人员、全部记录、审批环节和阶段变更，附日志序号。"""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, case_id: int) -> Response:
        officer = officer_for_request(request.user)
        return Response(case_out(officer, case_for_user(user=request.user, case_id=case_id)))


class StartExOfficioAPI(APIView):
    """依职权启动（第九条）：填写程序启动审批表并提交审批。"""

    @extend_schema(request=ExOfficioSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request) -> Response:
        officer = officer_for_request(request.user)
        d = _validated(ExOfficioSerializer, request)
        case = actions.case_start_ex_officio(
            officer=officer,
            data=_case_input(officer, d, d["parties"]),
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
        d = _validated(ApplicationSerializer, request)
        case = actions.case_register_application(
            officer=officer,
            data=_case_input(officer, d, []),
            applicant=actions.PartyInput(**d["applicant"]),
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
        d = _validated(ComplaintSerializer, request)
        case = actions.case_register_complaint(
            officer=officer,
            data=_case_input(officer, d, d["parties"]),
            complainant=actions.PartyInput(**d["complainant"]),
            received_at=d["received_at"],
            channel=d["channel"],
            content=d["content"],
        )
        return Response(case_out(officer, case), status=201)


class CaseActSerializer(serializers.Serializer):
    # The API's key is "fields"; DRF's metaclass moves declared fields off the class, so this
    # does not shadow Serializer.fields at run time (the stubs cannot know that).
    fields = serializers.DictField(help_text="文书字段，见 /api/catalogue/")  # type: ignore[assignment]
    opinion = serializers.CharField(required=False, allow_blank=True, default="")


class CaseActAPI(APIView):
    """在案件上办理一个启动环节：correction（当场更正）、supplement-notice（一次性告知补正）、
    supplement-received（登记补正材料）、receipt（出具回执）、application-decision（受理意见）、
    start-form（投诉举报立案：程序启动审批表）、complaint-decision（不予启动意见）、
    complaint-notice（书面告知）、advance（进入下一阶段，fields: {reason}）。"""

    @extend_schema(request=CaseActSerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request, case_id: int, act: str) -> Response:
        from django.http import Http404

        from casetrail.cases.views import ACTS

        officer = officer_for_request(request.user)
        case = case_for_user(user=request.user, case_id=case_id)
        spec = ACTS.get(act)
        if spec is None:
            raise Http404("没有这个操作")
        d = _validated(CaseActSerializer, request)
        fields = dict(d["fields"])
        if d["opinion"]:
            fields["opinion"] = d["opinion"]
        form = spec.form()(
            data={k: "\n".join(v) if isinstance(v, list) else v for k, v in fields.items()}
        )
        if not form.is_valid():
            raise serializers.ValidationError(form.errors.get_json_data())
        spec.run(case, officer, form.cleaned_data)
        case.refresh_from_db()
        return Response(case_out(officer, case), status=201)


class WorklistAPI(APIView):
    """待办：我的案件、待我审批、临近期限和已逾期。"""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        officer = officer_for_request(request.user)
        deadlines = deadlines_for(officer=officer)
        mine = case_list(officer=officer, mine=True).exclude(
            stage__in=[Stage.CLOSED, Stage.ARCHIVED]
        )
        return Response(
            {
                "my_cases": CaseSummarySerializer(mine[:50], many=True).data,
                "approvals_waiting": [chain_out(c) for c in chains_waiting_for(officer=officer)],
                "deadlines": [
                    {
                        "case": d.case.pk,
                        "title": d.title,
                        "basis": d.basis,
                        "due_at": d.due_at,
                        "overdue": d.overdue,
                    }
                    for d in deadlines
                ],
            }
        )


class CatalogueAPI(APIView):
    """文书目录：每种文书的字段、所属阶段、依据条款、在场人员、签名和附件要求。"""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response([catalogue_entry_out(d) for d in CATALOGUE.values()])


def catalogue_entry_out(d: Any) -> dict[str, Any]:
    return {
        "code": d.code,
        "title": d.title,
        "stage": d.stage,
        "articles": list(d.articles),
        "procedure": d.procedure or None,
        "officers_min": d.officers_min,
        "fields": [
            {
                "name": f.name,
                "label": f.label,
                "type": f.type,
                "required": f.required,
                "choices": [c for c, _ in f.choices],
                "refers_to": list(f.refers_to),
            }
            for f in d.fields
        ],
        "signatures": [
            {"role": g.role, "label": g.label, "refusal": g.refusal} for g in d.signatures
        ],
        "attachments": [
            {"kind": a.kind, "label": a.label, "required": a.required, "overlaps": list(a.overlaps)}
            for a in d.attachments
        ],
    }
