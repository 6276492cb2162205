"""REST API of the archive: a case's 案卷 (status, items, 四性检测 report, package, transfers) and
its steps — 立卷, 四性检测, 提交归档审批, 生成归档信息包, 移交 — each refused with ``{code,
message}`` (zh-Hans) as the actions refuse them. The 归档审批 itself is the approvals API's."""

from __future__ import annotations

import dataclasses
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casetrail.archive import actions, service
from casetrail.archive.models import UseKind
from casetrail.archive.policy import Policy, policy_of
from casetrail.archive.selectors import FilePage, file_page
from casetrail.cases.selectors import case_for_user
from casetrail.lib import api_fields, openapi
from casetrail.lib.errors import ActionError
from casetrail.org.selectors import officer_for_request

CASE_FILE = openapi.obj(
    ("case", "stage", "file"),
    case=openapi.INTEGER,
    stage=openapi.STRING,
    due_at=openapi.nullable("string"),
    file=openapi.nullable("object"),
    items=openapi.array_of(),
    report=openapi.nullable("object"),
    package=openapi.nullable("object"),
)


def page_out(p: FilePage) -> dict[str, Any]:
    f = p.file
    out: dict[str, Any] = {
        "case": p.case.pk,
        "stage": p.case.stage,
        "due_at": p.deadline.due_at if p.deadline else None,
        "file": None,
        "items": [],
        "report": None,
        "package": None,
        "uses": [],
    }
    if f is None:
        return out
    out["file"] = {
        "id": f.pk,
        "version": f.version,
        "status": f.status,
        "archive_code": f.archive_code,
        "title": f.title,
        "retention": f.retention,
        "retention_basis": f.retention_basis,
        "year": f.year,
        "pieces": f.piece_count,
        "pages": f.pages,
        "media": f.media_count,
        "pdf": f"/archive/files/{f.pk}/pdf/" if p.may_download and f.pdf_id else None,
        "archived_at": f.archived_at,
        "dispose_after": f.dispose_after,
        "chain": f.chain_id,
    }
    out["items"] = [
        {
            "seq": i.seq,
            "kind": i.kind,
            "title": i.title,
            "doc_no": i.doc_no,
            "date": i.date,
            "pages": i.page_label,
            "sha256": i.blob.sha256,
            "sm3": i.blob.sm3,
            "size": i.blob.size,
        }
        for i in p.items
    ]
    if p.report is not None:
        out["report"] = {
            "passed": p.report.passed,
            "at": p.report.at,
            "results": [
                {
                    "aspect": r.aspect,
                    "code": r.code,
                    "title": r.title,
                    "target": r.target,
                    "passed": r.passed,
                    "detail": r.detail,
                }
                for r in p.results
            ],
        }
    out["uses"] = [
        {
            "kind": u.kind,
            "user_name": u.user_name,
            "purpose": u.purpose,
            "approved_by": u.approved_by,
            "due_back": u.due_back,
            "at": u.at,
        }
        for u in p.uses
    ]
    if p.package is not None:
        out["package"] = {
            "id": p.package.pk,
            "sha256": p.package.blob.sha256,
            "sm3": p.package.blob.sm3,
            "size": p.package.blob.size,
            "files": p.package.files,
            "download": f"/archive/packages/{p.package.pk}/" if p.may_download else None,
            "transfers": [
                {"receiver": t.receiver, "receiver_person": t.receiver_person, "at": t.at}
                for t in p.package.transfers.all()
            ],
        }
    return out


class StepSerializer(serializers.Serializer):
    opinion = api_fields.TextField(required=False, allow_blank=True, max_length=2000)
    receiver = api_fields.TextField(required=False, allow_blank=True, max_length=100)
    receiver_person = api_fields.TextField(required=False, allow_blank=True, max_length=50)
    note = api_fields.TextField(required=False, allow_blank=True, max_length=300)
    kind = serializers.ChoiceField(required=False, choices=UseKind.choices)
    user_name = api_fields.TextField(required=False, allow_blank=True, max_length=60)
    user_org = api_fields.TextField(required=False, allow_blank=True, max_length=100)
    purpose = api_fields.TextField(required=False, allow_blank=True, max_length=300)
    approved_by = api_fields.TextField(required=False, allow_blank=True, max_length=60)
    due_back = serializers.DateField(required=False, allow_null=True)


class CaseFileAPI(APIView):
    """本案案卷：状态、卷内目录、四性检测报告、归档信息包与移交（第三十、三十一条）。"""

    @extend_schema(responses={200: CASE_FILE})
    def get(self, request: Request, case_id: int) -> Response:
        return Response(page_out(file_page(user=request.user, case_id=case_id)))


STEPS = ("assemble", "check", "submit", "package", "transfer", "use")


class CaseFileStepAPI(APIView):
    """立卷归档的一步（档案管理员）：assemble 立卷；check 四性检测；submit 提交归档审批
    （opinion）；package 生成归档信息包；transfer 登记移交（receiver, receiver_person, note）；
    use 登记利用（kind 查阅 read / 借阅 borrow / 复制 copy, user_name, user_org, purpose,
    approved_by, due_back）。"""

    step = ""  # one view per step (``as_view(step=…)`` in api_urls)

    @extend_schema(request=StepSerializer, responses={200: CASE_FILE})
    def post(self, request: Request, case_id: int) -> Response:
        officer = officer_for_request(request.user)
        case = case_for_user(user=request.user, case_id=case_id)
        step = self.step
        s = StepSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        data = s.validated_data
        if step == "assemble":
            actions.archive_assemble(case=case, officer=officer)
        else:
            current = file_page(user=request.user, case_id=case.pk).file
            if current is None:
                raise ActionError("no_case_file", "本案尚未立卷", status=409)
            if step == "check":
                service.check(case_file=current, officer=officer)
            elif step == "submit":
                actions.archive_submit(
                    case_file=current, officer=officer, opinion=data.get("opinion", "")
                )
            elif step == "package":
                service.package(case_file=current, officer=officer)
            elif step == "use":
                actions.archive_use_record(
                    case_file=current,
                    officer=officer,
                    kind=data.get("kind", ""),
                    user_name=data.get("user_name", ""),
                    user_org=data.get("user_org", ""),
                    purpose=data.get("purpose", ""),
                    approved_by=data.get("approved_by", ""),
                    due_back=data.get("due_back"),
                )
            else:
                package = service.latest_package(current)
                if package is None:
                    raise ActionError("no_package", "请先生成归档信息包", status=409)
                actions.archive_transfer(
                    package=package,
                    officer=officer,
                    receiver=data.get("receiver", ""),
                    receiver_person=data.get("receiver_person", ""),
                    note=data.get("note", ""),
                )
        return Response(page_out(file_page(user=request.user, case_id=case.pk)))


class SettingsSerializer(serializers.Serializer):
    fonds_code = api_fields.NameField(max_length=20)
    fonds_name = api_fields.TextField(max_length=100)
    category_code = api_fields.NameField(max_length=10)
    category_name = api_fields.TextField(max_length=60)
    org_code = api_fields.NameField(max_length=20)
    formats = serializers.ListField(
        child=api_fields.NameField(max_length=100), min_length=1, max_length=50
    )
    order = serializers.ListField(
        child=api_fields.NameField(max_length=20), min_length=1, max_length=30
    )
    retention_rules = serializers.ListField(
        child=serializers.DictField(), min_length=1, max_length=50
    )


class ArchiveSettingsAPI(APIView):
    """本机关的档案设置：档号的全宗号、门类代码、机构代码，全宗名称、类目名称，可归档文件格式，
    卷内文件排列顺序，保管期限规则（按顺序匹配：when 为案件情况，period 为 Y / D30 / D10）。
    GET 本机关人员可读；PUT 由系统管理员或档案管理员修改（记入日志，旧设置保留）。"""

    @extend_schema(responses={200: SettingsSerializer})
    def get(self, request: Request) -> Response:
        officer = officer_for_request(request.user)
        return Response(dataclasses.asdict(policy_of(officer.agency)))

    @extend_schema(request=SettingsSerializer, responses={200: SettingsSerializer})
    def put(self, request: Request) -> Response:
        officer = officer_for_request(request.user)
        s = SettingsSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        actions.archive_settings_set(officer=officer, policy=Policy(**s.validated_data))
        return Response(dataclasses.asdict(policy_of(officer.agency)))
