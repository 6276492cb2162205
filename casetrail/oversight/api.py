"""REST API of oversight: the agency's findings, one finding with its steps, the supervisor's
moves, and a refresh (supervisors and the director read; only supervisors act)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casetrail.cases.models import Case
from casetrail.cases.selectors import case_for_user
from casetrail.lib import api_fields, openapi
from casetrail.lib.errors import ActionError
from casetrail.org.models import Role
from casetrail.org.selectors import officer_for_request
from casetrail.oversight.actions import (
    publication_approve,
    publication_policy_set,
    publication_prepare,
    publication_withdraw,
    report_issue,
    sample_draw,
    sample_review,
)
from casetrail.oversight.kinds import ITEMS, KINDS
from casetrail.oversight.models import (
    EvaluationReport,
    Finding,
    FindingState,
    NamePolicy,
    Publication,
    Sample,
)
from casetrail.oversight.moves import apply_move
from casetrail.oversight.publishing import DECISION, policy_of
from casetrail.oversight.refresh import refresh
from casetrail.oversight.selectors import (
    finding_for_user,
    findings_of_agency,
    policy_reader,
    publication_for_user,
    publications_of_agency,
    redraw_matches,
    report_for_user,
    reports_of_agency,
    require_overseer,
    sample_cases,
    sample_for_user,
    samples_of_agency,
    steps_of,
    units_of,
)
from casetrail.records.models import Record

FINDING = openapi.obj(
    ("id", "kind", "subject", "title", "article", "item", "state"),
    id=openapi.INTEGER,
    kind=openapi.STRING,
    subject=openapi.STRING,
    title=openapi.STRING,
    article=openapi.STRING,
    item=openapi.STRING,
    details=openapi.STRING,
    case=openapi.nullable("integer"),
    case_number=openapi.nullable("string"),
    unit=openapi.nullable("string"),
    officer=openapi.nullable("string"),
    raised_at=openapi.STRING,
    state=openapi.STRING,
    state_label=openapi.STRING,
    changed_at=openapi.STRING,
)
STEP = openapi.obj(
    ("state", "text", "officer", "at"),
    state=openapi.STRING,
    text=openapi.STRING,
    deadline=openapi.nullable("string"),
    officer=openapi.STRING,
    at=openapi.STRING,
)


def finding_out(f: Finding) -> dict[str, Any]:
    return {
        "id": f.pk,
        "kind": f.kind,
        "subject": f.subject,
        "title": f.title,
        "article": f.article,
        "item": f.item,
        "details": f.details,
        "case": f.case_id,
        "case_number": f.case.number if f.case else None,
        "unit": f.unit.name if f.unit else None,
        "officer": f.officer.name if f.officer else None,
        "raised_at": f.raised_at,
        "state": f.state,
        "state_label": FindingState(f.state).label,
        "changed_at": f.changed_at,
    }


class FindingListAPI(APIView):
    """本机关监督发现（监督人员、负责人），可按 state、kind、item（第三十五条第几项：一至五）筛选。"""

    @extend_schema(responses={200: openapi.array_of(FINDING)}, operation_id="findings_list")
    def get(self, request: Request) -> Response:
        officer = require_overseer(request.user)
        q = request.query_params
        state, kind, item = q.get("state", ""), q.get("kind", ""), q.get("item", "")
        rows = findings_of_agency(
            officer=officer,
            state=state if state in FindingState.values else "",
            kind=kind if kind in KINDS else "",
            item=item if item in ITEMS else "",
        )
        return Response([finding_out(f) for f in rows[:1000]])


class FindingAPI(APIView):
    """一项监督发现及其处理经过。"""

    @extend_schema(
        responses={
            200: openapi.obj(("finding", "steps"), finding=FINDING, steps=openapi.array_of(STEP))
        }
    )
    def get(self, request: Request, finding_id: int) -> Response:
        finding = finding_for_user(user=request.user, finding_id=finding_id)
        return Response(
            {
                "finding": finding_out(finding),
                "steps": [
                    {
                        "state": s.state,
                        "text": s.text,
                        "deadline": s.deadline,
                        "officer": s.officer.name,
                        "at": s.at,
                    }
                    for s in steps_of(finding)
                ],
            }
        )


class MoveSerializer(serializers.Serializer):
    # Blank reaches the action, which refuses it with its own code.
    text = api_fields.TextField(
        allow_blank=True, help_text="责令改正内容 / 改正情况 / 办结意见 / 通报批评内容"
    )
    deadline = api_fields.NameField(
        max_length=10,
        required=False,
        allow_blank=True,
        default="",
        help_text="改正期限 YYYY-MM-DD（责令改正必填）",
    )


class FindingMoveAPI(APIView):
    """监督人员处理监督发现：order（责令改正，须 deadline）、correct（记录改正情况）、close（办结，
    须已记录改正情况）、criticise（通报批评）。"""

    @extend_schema(request=MoveSerializer, responses={201: STEP})
    def post(self, request: Request, finding_id: int, move: str) -> Response:
        officer = require_overseer(request.user)
        finding = finding_for_user(user=request.user, finding_id=finding_id)
        if not officer.has_role(Role.SUPERVISOR):
            raise PermissionDenied("只有监督人员可以处理监督发现")
        s = MoveSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        step = apply_move(move=move, finding=finding, officer=officer, **s.validated_data)
        return Response(
            {
                "state": step.state,
                "text": step.text,
                "deadline": step.deadline,
                "officer": officer.name,
                "at": step.at,
            },
            status=201,
        )


class FindingRefreshAPI(APIView):
    """立即刷新本机关的监督发现（监督人员）：返回发现数与新记录数。"""

    @extend_schema(
        request=None,
        responses={
            200: openapi.obj(("found", "raised"), found=openapi.INTEGER, raised=openapi.INTEGER)
        },
    )
    def post(self, request: Request) -> Response:
        officer = require_overseer(request.user)
        if not officer.has_role(Role.SUPERVISOR):
            raise PermissionDenied("只有监督人员可以刷新监督发现")
        r = refresh(agency=officer.agency)
        return Response({"found": r.found, "raised": r.raised})


# --- 公示 ------------------------------------------------------------------------------------------

PUBLICATION = openapi.obj(
    ("id", "case", "decision", "doc_no", "party", "text", "state"),
    id=openapi.INTEGER,
    case=openapi.INTEGER,
    decision=openapi.INTEGER,
    doc_no=openapi.STRING,
    party=openapi.STRING,
    text=openapi.STRING,
    decided_on=openapi.STRING,
    state=openapi.STRING,
    published_at=openapi.nullable("string"),
    take_down_on=openapi.nullable("string"),
    withdrawn_at=openapi.nullable("string"),
)


def publication_out(p: Publication) -> dict[str, Any]:
    return {
        "id": p.pk,
        "case": p.case_id,
        "decision": p.decision_id,
        "doc_no": p.doc_no,
        "party": p.party,
        "text": p.text,
        "decided_on": p.decided_on,
        "state": p.state,
        "published_at": p.published_at,
        "take_down_on": p.take_down_on,
        "withdrawn_at": p.withdrawn_at,
    }


class PrepareSerializer(serializers.Serializer):
    decision = api_fields.IdField(help_text="行政执法决定书（记录）的 id")
    text = api_fields.TextField(
        required=False, allow_blank=True, default="", help_text="修改后的公示内容（空：按规则生成）"
    )


class PublicationListAPI(APIView):
    """本机关行政处罚决定公示（监督人员、负责人）；POST 拟写一项（本案承办人员或监督人员）。"""

    @extend_schema(responses={200: openapi.array_of(PUBLICATION)}, operation_id="publications_list")
    def get(self, request: Request) -> Response:
        officer = require_overseer(request.user)
        return Response(
            [publication_out(p) for p in publications_of_agency(officer=officer)[:1000]]
        )

    @extend_schema(request=PrepareSerializer, responses={201: PUBLICATION})
    def post(self, request: Request) -> Response:
        officer = officer_for_request(request.user)
        s = PrepareSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        record = Record.objects.filter(pk=s.validated_data["decision"], kind=DECISION).first()
        if record is None:
            raise Http404("决定书不存在")
        case = case_for_user(user=request.user, case_id=record.case_id)
        p = publication_prepare(
            case=case, decision=record, officer=officer, text=s.validated_data["text"]
        )
        return Response(publication_out(p), status=201)


POLICY = openapi.obj(
    ("person_names", "years_person", "years_organisation"),
    person_names=openapi.STRING,
    years_person=openapi.INTEGER,
    years_organisation=openapi.INTEGER,
    set_by=openapi.nullable("string"),  # null: the defaults, never set
    set_at=openapi.nullable("string"),
)


class PolicySerializer(serializers.Serializer):
    person_names = serializers.ChoiceField(
        choices=NamePolicy.choices, help_text="自然人姓名：surname 仅姓氏，full 公开，none 不公开"
    )
    years_person = api_fields.IntegerField(min_value=1, max_value=20)
    years_organisation = api_fields.IntegerField(min_value=1, max_value=20)


def policy_out(p: Any) -> dict[str, Any]:
    return {
        "person_names": p.person_names,
        "years_person": p.years_person,
        "years_organisation": p.years_organisation,
        "set_by": p.set_by.name if p.pk else None,
        "set_at": p.set_at if p.pk else None,
    }


class PublicationPolicyAPI(APIView):
    """本机关公示规则（监督人员、负责人、系统管理员可读）；POST 设定新规则（系统管理员）。"""

    @extend_schema(responses={200: POLICY}, operation_id="publication_policy_read")
    def get(self, request: Request) -> Response:
        officer = policy_reader(request.user)
        return Response(policy_out(policy_of(officer.agency_id)))

    @extend_schema(request=PolicySerializer, responses={201: POLICY})
    def post(self, request: Request) -> Response:
        officer = policy_reader(request.user)
        s = PolicySerializer(data=request.data)
        s.is_valid(raise_exception=True)
        row = publication_policy_set(officer=officer, **s.validated_data)
        return Response(policy_out(row), status=201)


class PublicationApproveAPI(APIView):
    """负责人批准公示内容，即予公示。"""

    @extend_schema(request=None, responses={200: PUBLICATION})
    def post(self, request: Request, publication_id: int) -> Response:
        officer = require_overseer(request.user)
        p = publication_for_user(user=request.user, publication_id=publication_id)
        return Response(publication_out(publication_approve(publication=p, officer=officer)))


class WithdrawSerializer(serializers.Serializer):
    # Blank reaches the action, which refuses it with its own code.
    reason = api_fields.TextField(allow_blank=True, help_text="撤回理由")


class PublicationWithdrawAPI(APIView):
    """撤回已公示的决定（决定被撤销、变更或确认无效：行政处罚法第四十八条）。"""

    @extend_schema(request=WithdrawSerializer, responses={200: PUBLICATION})
    def post(self, request: Request, publication_id: int) -> Response:
        officer = require_overseer(request.user)
        p = publication_for_user(user=request.user, publication_id=publication_id)
        s = WithdrawSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        p = publication_withdraw(publication=p, officer=officer, reason=s.validated_data["reason"])
        return Response(publication_out(p))


# --- 抽查 ------------------------------------------------------------------------------------------

SAMPLE = openapi.obj(
    ("id", "period", "seed", "size", "population", "drawn"),
    id=openapi.INTEGER,
    period=openapi.STRING,
    seed=openapi.STRING,
    size=openapi.INTEGER,
    population=openapi.array_of(openapi.INTEGER),
    drawn=openapi.array_of(openapi.INTEGER),
    drawn_by=openapi.STRING,
    drawn_at=openapi.STRING,
    redraw_matches=openapi.BOOLEAN,
)


def sample_out(s: Sample) -> dict[str, Any]:
    return {
        "id": s.pk,
        "period": s.period,
        "seed": s.seed,
        "size": s.size,
        "population": s.population,
        "drawn": s.drawn,
        "drawn_by": s.drawn_by.name,
        "drawn_at": s.drawn_at,
        "redraw_matches": redraw_matches(s),
    }


class DrawSerializer(serializers.Serializer):
    period = api_fields.NameField(max_length=10, help_text="2026、2026-Q3 或 2026-07")
    size = api_fields.IntegerField(help_text="抽取数量")


class SampleListAPI(APIView):
    """本机关案卷抽查（监督人员、负责人）；POST 随机抽取一期（监督人员；同一期间只能一次）。"""

    @extend_schema(responses={200: openapi.array_of(SAMPLE)}, operation_id="samples_list")
    def get(self, request: Request) -> Response:
        officer = require_overseer(request.user)
        return Response([sample_out(s) for s in samples_of_agency(officer=officer)])

    @extend_schema(request=DrawSerializer, responses={201: SAMPLE})
    def post(self, request: Request) -> Response:
        officer = require_overseer(request.user)
        s = DrawSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        return Response(sample_out(sample_draw(officer=officer, **s.validated_data)), status=201)


class SampleAPI(APIView):
    """一期抽查：种子、总体、抽中案件、按种子复核的结果，以及各案评查。"""

    @extend_schema(responses={200: openapi.obj(("sample", "reviews"), sample=SAMPLE)})
    def get(self, request: Request, sample_id: int) -> Response:
        sample = sample_for_user(user=request.user, sample_id=sample_id)
        reviews = [
            {
                "case": c.pk,
                "case_number": c.number,
                "results": r.results if r else None,
                "conclusion": r.conclusion if r else None,
                "reviewer": r.reviewer.name if r else None,
                "at": r.at if r else None,
            }
            for c, r in sample_cases(sample)
        ]
        return Response({"sample": sample_out(sample), "reviews": reviews})


class ReviewSerializer(serializers.Serializer):
    case = api_fields.IdField()
    results = serializers.ListField(
        child=serializers.DictField(),
        max_length=100,
        help_text="[{item, result: ok|issue|na, note}]，评查清单每项一条",
    )
    # Blank reaches the action, which refuses it with its own code.
    conclusion = api_fields.TextField(allow_blank=True)


class SampleReviewAPI(APIView):
    """评查一件抽中的案件（监督人员）：评查清单每项的结果与说明，及评查结论。"""

    @extend_schema(request=ReviewSerializer, responses={201: openapi.OBJECT})
    def post(self, request: Request, sample_id: int) -> Response:
        officer = require_overseer(request.user)
        sample = sample_for_user(user=request.user, sample_id=sample_id)
        s = ReviewSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        case = Case.objects.filter(pk=s.validated_data["case"], agency_id=officer.agency_id).first()
        if case is None:
            raise Http404("案件不存在")
        review = sample_review(
            sample=sample,
            case=case,
            officer=officer,
            results=s.validated_data["results"],
            conclusion=s.validated_data["conclusion"],
        )
        return Response({"id": review.pk, "case": case.pk, "results": review.results}, status=201)


# --- 评议考核 --------------------------------------------------------------------------------------

REPORT = openapi.obj(
    ("id", "period", "indicators", "total"),
    id=openapi.INTEGER,
    period=openapi.STRING,
    unit=openapi.nullable("string"),
    numbers=openapi.OBJECT,
    indicators=openapi.array_of(openapi.OBJECT),
    total=openapi.STRING,
    issued_by=openapi.STRING,
    issued_at=openapi.STRING,
    pdf=openapi.nullable("object"),
)


def report_out(r: EvaluationReport) -> dict[str, Any]:
    return {
        "id": r.pk,
        "period": r.period,
        "unit": r.unit.name if r.unit else None,
        "numbers": r.numbers,
        "indicators": r.indicators,
        "total": r.total,
        "issued_by": r.issued_by.name,
        "issued_at": r.issued_at,
        # The sealed PDF as issued: its digests, and where to read it.
        "pdf": {
            "url": f"/oversight/reports/{r.pk}/pdf/",
            "sha256": r.pdf.sha256,
            "sm3": r.pdf.sm3,
        }
        if r.pdf is not None
        else None,
    }


class IssueSerializer(serializers.Serializer):
    period = api_fields.NameField(
        max_length=10, required=False, help_text="考核期间：2026、2026-Q3 或 2026-07"
    )
    year = api_fields.IntegerField(required=False, help_text="考核年度（同 period=年度）")
    unit = api_fields.IdField(
        required=False, allow_null=True, default=None, help_text="股室 id（空：全局）"
    )
    weights = serializers.DictField(
        child=api_fields.IntegerField(),
        required=False,
        default=None,
        allow_null=True,
        help_text="各指标权重（整数，合计 100；空：默认权重）",
    )


class ReportListAPI(APIView):
    """本机关评议考核报告（监督人员、负责人）；POST 出具一份（监督人员）。"""

    @extend_schema(responses={200: openapi.array_of(REPORT)}, operation_id="reports_list")
    def get(self, request: Request) -> Response:
        officer = require_overseer(request.user)
        return Response([report_out(r) for r in reports_of_agency(officer=officer)])

    @extend_schema(request=IssueSerializer, responses={201: REPORT})
    def post(self, request: Request) -> Response:
        officer = require_overseer(request.user)
        s = IssueSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        unit = None
        if s.validated_data["unit"] is not None:
            unit = next((u for u in units_of(officer) if u.pk == s.validated_data["unit"]), None)
            if unit is None:
                raise ActionError("invalid_unit", "股室不属于本机关", field="unit")
        period = s.validated_data.get("period") or str(s.validated_data.get("year") or "")
        if not period:
            raise ActionError("period_required", "请填写考核期间（period）", field="period")
        report = report_issue(
            officer=officer,
            period=period,
            unit=unit,
            weights=s.validated_data["weights"],
        )
        return Response(
            report_out(report_for_user(user=request.user, report_id=report.pk)), status=201
        )


class ReportAPI(APIView):
    """一份评议考核报告（XLSX：/oversight/reports/<id>/xlsx/）。"""

    @extend_schema(responses={200: REPORT})
    def get(self, request: Request, report_id: int) -> Response:
        return Response(report_out(report_for_user(user=request.user, report_id=report_id)))
