"""REST API of cases: the list, one case (with what the apps above add through
``hooks.API_SECTIONS``), the steps taken on a case (``hooks.ACTS``) and the worklist
(``hooks.WORKLIST``), through the same access function as the web UI."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casetrail.cases.hooks import ACTS, API_SECTIONS, WORKLIST
from casetrail.cases.models import (
    Case,
    Category,
    Confidentiality,
    Party,
    Procedure,
    Stage,
    StartMode,
)
from casetrail.cases.reading import log_page_read, read_state
from casetrail.cases.selectors import case_for_user, case_list, case_page, page_sees_personal
from casetrail.cases.writes import CaseInput, PartyInput
from casetrail.lib import api_fields
from casetrail.lib.api import Pagination
from casetrail.lib.errors import ActionError
from casetrail.lib.masking import mask_texts
from casetrail.org.models import Officer, Unit
from casetrail.org.selectors import officer_for_request


class PartyInSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Party.Kind.choices)
    name = api_fields.NameField()
    # Checked and normalised by the action (GB 11643 for a person, GB 32100 for an organisation).
    id_number = api_fields.NameField(max_length=30, required=False, allow_blank=True, default="")
    phone = api_fields.NameField(max_length=30, required=False, allow_blank=True, default="")
    address = api_fields.LineField(max_length=200, required=False, allow_blank=True, default="")
    credit_code = api_fields.NameField(max_length=30, required=False, allow_blank=True, default="")
    representative = api_fields.NameField(
        max_length=40, required=False, allow_blank=True, default=""
    )


class CaseInSerializer(serializers.Serializer):
    unit = api_fields.IdField(help_text="承办机构 id")
    title = api_fields.LineField(max_length=200)
    category = serializers.ChoiceField(choices=Category.choices)
    procedure = serializers.ChoiceField(choices=Procedure.choices, default=Procedure.ORDINARY)
    is_major = serializers.BooleanField(default=False)
    confidentiality = serializers.ChoiceField(
        choices=Confidentiality.choices, default=Confidentiality.NORMAL
    )
    officers = serializers.ListField(
        child=api_fields.IdField(),
        min_length=1,
        max_length=50,
        help_text="执法人员 id（不少于两人）",
    )


def case_input(officer: Officer, d: dict[str, Any], parties: list[dict[str, Any]]) -> CaseInput:
    """The case as entered through the API. Foreign ids resolve only inside the officer's agency:
    another agency's unit or officer is the same error as a missing one."""
    unit = Unit.objects.filter(pk=d["unit"], agency_id=officer.agency_id).first()
    if unit is None:
        raise serializers.ValidationError({"unit": "承办机构不存在"})
    found = {
        o.pk: o for o in Officer.objects.filter(pk__in=d["officers"], agency_id=officer.agency_id)
    }
    missing = [i for i in d["officers"] if i not in found]
    if missing:
        raise serializers.ValidationError({"officers": f"执法人员不存在：{missing}"})
    return CaseInput(
        unit=unit,
        title=d["title"],
        category=d["category"],
        procedure=d["procedure"],
        is_major=d["is_major"],
        confidentiality=d["confidentiality"],
        officers=[found[i] for i in d["officers"]],
        parties=[PartyInput(**p) for p in parties],
    )


class CaseSummarySerializer(serializers.Serializer):
    # Output only (read_only): the case list's rows.
    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(allow_null=True, read_only=True)
    title = serializers.CharField(read_only=True)
    stage = serializers.CharField(read_only=True)
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    start_mode = serializers.CharField(read_only=True)
    start_status = serializers.CharField(read_only=True)
    unit = serializers.CharField(source="unit.name", read_only=True)
    is_major = serializers.BooleanField(read_only=True)
    emergency = serializers.BooleanField(read_only=True)
    approval_due_at = serializers.DateTimeField(allow_null=True, read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    parties = serializers.SerializerMethodField()

    def get_parties(self, case: Case) -> list[str]:
        return [p.name for p in case.parties.all()]


def case_out(officer: Officer, case: Case, request: Any = None) -> dict[str, Any]:
    """The case as one viewer may read it, with every section the apps add. With the
    ``request``, its read reason (``reason`` / ``X-Read-Reason``) opens the case's marked
    material to those allowed, and the read is logged (第三十三条)."""
    page = case_page(officer=officer, case=case)
    if request is not None:
        state = read_state(request, officer=officer, case=case)
        page.memo["read"] = state
        log_page_read(request, officer=officer, case=case, state=state, via="api")
    data: dict[str, Any] = dict(CaseSummarySerializer(case).data)
    for key, section in API_SECTIONS.items():
        data[key] = section(page)
    # Each section masks its own fields; any free text left (a stage change's reason …) has its
    # ID and phone numbers masked for a viewer who may not see the case's personal data.
    return data if page_sees_personal(page) else mask_texts(data)


def validated(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    s = serializer_class(data=request.data)
    s.is_valid(raise_exception=True)
    return dict(s.validated_data)


class CaseListAPI(APIView):
    """案件列表：按阶段、启动方式筛选，按编号、案由、当事人搜索。"""

    pagination_class = Pagination

    @extend_schema(
        responses=CaseSummarySerializer(many=True),
        parameters=[
            OpenApiParameter("stage", str, enum=Stage.values, description="按阶段筛选"),
            OpenApiParameter("mode", str, enum=StartMode.values, description="按启动方式筛选"),
            OpenApiParameter("q", str, description="搜索案件编号、案由、当事人"),
            OpenApiParameter("limit", int, description="每页条数（1–200，缺省50）"),
            OpenApiParameter("offset", int, description="从第几条开始（缺省0）"),
        ],
    )
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
        paginator = Pagination()
        page = paginator.paginate_queryset(cases, request, view=self)
        return paginator.get_paginated_response(CaseSummarySerializer(page, many=True).data)


class CaseDetailAPI(APIView):
    """案件详情：当事人（按权限脱敏）、执法人员、全部记录、审批环节和阶段变更，附日志序号。"""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, case_id: int) -> Response:
        officer = officer_for_request(request.user)
        case = case_for_user(user=request.user, case_id=case_id)
        return Response(case_out(officer, case, request))


class CaseActSerializer(serializers.Serializer):
    # The API's key is "fields"; DRF's metaclass moves declared fields off the class, so this
    # does not shadow Serializer.fields at run time (the stubs cannot know that).
    fields = serializers.DictField(help_text="文书字段，见 /api/catalogue/")  # type: ignore[assignment]
    opinion = api_fields.TextField(required=False, allow_blank=True, default="")


class CaseActAPI(APIView):
    """在案件上办理一个环节：各模块登记的操作（act），如 advance（进入下一阶段，fields: {reason}）、
    程序启动的 supplement-notice、receipt、application-decision 等；案件页面列出当前可办理的操作。"""

    @extend_schema(request=CaseActSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, case_id: int, act: str) -> Response:
        officer = officer_for_request(request.user)
        case = case_for_user(user=request.user, case_id=case_id)
        spec = ACTS.get(act)
        if spec is None:
            raise Http404("没有这个操作")
        if not spec.offered_to(case, officer):
            # Who may take the step is answered before what they sent (as on the web page).
            raise ActionError("not_assigned", "只有本案承办人员可以办理此事项", status=403)
        d = validated(CaseActSerializer, request)
        fields = dict(d["fields"])
        if d["opinion"]:
            fields["opinion"] = d["opinion"]
        form = spec.form(case)(
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
        return Response(
            {
                key: section.api(officer)
                for key, section in sorted(WORKLIST.items(), key=lambda kv: kv[1].order)
                if section.api is not None
            }
        )
