"""REST API of documents: a record's issued 文书 (read, issue), its PDF, and verification of a
PDF or a paper copy's code."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casetrail.documents.actions import (
    document_pattern_set,
    document_receipt_scanned,
    document_withdraw,
)
from casetrail.documents.forms import METHODS, RELATIONS, receipt_from
from casetrail.documents.issuing import issue
from casetrail.documents.models import IssuedDocument
from casetrail.documents.selectors import (
    PatternInForce,
    document_for_user,
    issued_for_record,
    patterns_for_admin,
)
from casetrail.documents.verification import Verification, verify_code, verify_pdf
from casetrail.documents.views import (
    MAX_VERIFY_BYTES,
    bundle_response,
    document_pdf,
    read_upload,
)
from casetrail.lib import api_fields, openapi
from casetrail.lib.errors import ActionError
from casetrail.org.reauth import require_recent_auth
from casetrail.org.selectors import officer_for_request
from casetrail.records.selectors import record_for_user

DOCUMENT = openapi.obj(
    ("id", "record", "family", "pdf"),
    id=openapi.INTEGER,
    record=openapi.INTEGER,
    case=openapi.INTEGER,
    family=openapi.STRING,
    doc_no=openapi.nullable("string"),
    pages=openapi.INTEGER,
    issued_by=openapi.STRING,
    issued_at=openapi.STRING,
    record_seq=openapi.INTEGER,
    verify_code=openapi.STRING,
    sha256=openapi.STRING,
    sm3=openapi.STRING,
    timestamped=openapi.BOOLEAN,
    withdrawn=openapi.nullable("string"),
    withdrawn_by=openapi.nullable("string"),
    withdrawn_at=openapi.nullable("string"),
    pdf=openapi.STRING,
)
RECEIPT = openapi.obj(
    ("record", "document"),
    record=openapi.INTEGER,
    document=openapi.INTEGER,
    reference=openapi.STRING,
    scan_sha256=openapi.nullable("string"),
)
PATTERN = openapi.obj(
    ("family", "label", "pattern", "default"),
    family=openapi.STRING,
    label=openapi.STRING,
    pattern=openapi.STRING,
    default=openapi.BOOLEAN,
    example=openapi.STRING,
    set_by=openapi.nullable("string"),
    set_at=openapi.nullable("string"),
)
VERIFICATION = openapi.obj(
    ("matches", "findings"),
    matches=openapi.BOOLEAN,
    findings=openapi.array_of(openapi.STRING),
    document=openapi.nullable("object"),
)


def document_out(d: IssuedDocument) -> dict[str, Any]:
    withdrawal = getattr(d, "withdrawal", None)
    return {
        "id": d.pk,
        "record": d.record_id,
        "case": d.case_id,
        "family": d.family,
        "doc_no": d.doc_no,
        "pages": d.pages,
        "issued_by": d.issued_by.name,
        "issued_at": d.issued_at,
        "record_seq": d.record_seq,
        "verify_code": d.code,
        "sha256": d.blob.sha256,
        "sm3": d.blob.sm3,
        "timestamped": d.timestamped,
        "withdrawn": withdrawal.reason if withdrawal else None,
        "withdrawn_by": withdrawal.by.name if withdrawal else None,
        "withdrawn_at": withdrawal.at if withdrawal else None,
        "pdf": f"/api/documents/{d.pk}/pdf/",
    }


class RecordDocumentAPI(APIView):
    """一份记录的文书：GET 查看已签发的文书（未签发为 404 not_issued）；POST 签发（审批通过后；
    取文号、生成 PDF/A、加盖电子印章；重复签发返回第一次签发的文书，状态 200）。"""

    @extend_schema(responses={200: DOCUMENT})
    def get(self, request: Request, record_id: int) -> Response:
        record = record_for_user(user=request.user, record_id=record_id)
        document = issued_for_record(record.pk)
        if document is None:
            raise ActionError("not_issued", "该记录的文书尚未签发", status=404)
        return Response(document_out(document))

    @extend_schema(request=None, responses={200: DOCUMENT, 201: DOCUMENT})
    def post(self, request: Request, record_id: int) -> Response:
        officer = officer_for_request(request.user)
        record = record_for_user(user=request.user, record_id=record_id)
        document, new = issue(record=record, officer=officer)
        document = issued_for_record(record.pk) or document
        return Response(document_out(document), status=201 if new else 200)


class DocumentPdfAPI(APIView):
    """签发的 PDF 原件（含当事人个人信息：仅本案承办人员和监督人员可下载）。"""

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request: Request, document_id: int) -> HttpResponse | FileResponse:
        return document_pdf(request._request, document_id)


class CaseDocumentsPdfAPI(APIView):
    """本案全部已签发文书合成一个 PDF（每份文书一个书签），供立卷打印；各文书原件仍以签发的 PDF 为准。"""

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    def get(self, request: Request, case_id: int) -> HttpResponse:
        return bundle_response(request, case_id)


class WithdrawSerializer(serializers.Serializer):
    # Blank reaches the action, which refuses it with its own code (reason_required).
    reason = api_fields.TextField(allow_blank=True, max_length=300, help_text="撤回理由")


class DocumentWithdrawAPI(APIView):
    """撤回文书（本案承办人员，须近期输入过密码）：文书保留其文号和 PDF，文号不再使用；
    撤回理由、撤回人和时间记入日志。重复撤回为 400 already_withdrawn。"""

    @extend_schema(request=WithdrawSerializer, responses={201: DOCUMENT})
    def post(self, request: Request, document_id: int) -> Response:
        officer = officer_for_request(request.user)
        document = document_for_user(user=request.user, document_id=document_id)
        require_recent_auth(request)
        s = WithdrawSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        document_withdraw(document=document, officer=officer, reason=s.validated_data["reason"])
        fresh = issued_for_record(document.record_id)
        assert fresh is not None  # withdrawn, so issued
        return Response(document_out(fresh), status=201)


def pattern_out(p: PatternInForce) -> dict[str, Any]:
    return {
        "family": p.family,
        "label": p.label,
        "pattern": p.pattern,
        "default": p.row is None,
        "example": p.example,
        "set_by": p.row.set_by.name if p.row else None,
        "set_at": p.row.set_at if p.row else None,
    }


class PatternSerializer(serializers.Serializer):
    family = api_fields.TextField(
        help_text="文书类别：decision 决定书、notice 告知书、demand 催告书"
    )
    pattern = api_fields.TextField(
        allow_blank=True, help_text="文号格式，须各含一次 {year} 和 {n}，如 陵民罚决〔{year}〕{n}号"
    )


class PatternsAPI(APIView):
    """文号设置（本机关系统管理员）：GET 各类文书的现行文号格式（未设置的为默认格式）；
    POST 设置一类文书的文号格式（此后签发的文书按新格式取号，当年序号继续）。"""

    @extend_schema(responses={200: openapi.array_of(PATTERN)})
    def get(self, request: Request) -> Response:
        return Response([pattern_out(p) for p in patterns_for_admin(user=request.user)])

    @extend_schema(request=PatternSerializer, responses={201: PATTERN})
    def post(self, request: Request) -> Response:
        officer = officer_for_request(request.user)
        require_recent_auth(request)
        s = PatternSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        row = document_pattern_set(officer=officer, **s.validated_data)
        (now,) = [p for p in patterns_for_admin(user=request.user) if p.family == row.family]
        return Response(pattern_out(now), status=201)


class ReceiptScanSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="签收的送达回证扫描件或照片：PDF、JPEG 或 PNG，不超过20MB"
    )
    served_at = serializers.DateTimeField(help_text="送达时间（签收或留置时间）")
    method = serializers.ChoiceField(choices=list(METHODS), help_text="direct、left（留置）或 mail")
    recipient = api_fields.NameField(max_length=100, help_text="受送达人")
    signer_relation = serializers.ChoiceField(
        choices=[value for value, _ in RELATIONS],
        default="self",
        help_text="签收人身份",
    )
    signer = api_fields.NameField(
        max_length=100, required=False, allow_blank=True, help_text="签收人（非本人签收）"
    )
    place = api_fields.TextField(max_length=200, help_text="送达地点")
    refusal_reason = api_fields.TextField(
        max_length=500, required=False, allow_blank=True, help_text="拒收事由（留置送达）"
    )
    servers = serializers.ListField(
        child=api_fields.IdField(), required=False, max_length=20, help_text="送达人（默认本人）"
    )


class ReceiptScanAPI(APIView):
    """登记签收的纸质送达回证（本案承办人员）：上传扫描件并填写送达情况，一次记入：送达回证记录、
    扫描件作为签名和附件。扫描件不是 PDF 或图片的为 400 scan_type，不写入任何内容。"""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request=ReceiptScanSerializer, responses={201: RECEIPT})
    def post(self, request: Request, document_id: int) -> Response:
        officer = officer_for_request(request.user)
        document = document_for_user(user=request.user, document_id=document_id)
        s = ReceiptScanSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        made = document_receipt_scanned(
            document=document,
            officer=officer,
            scan=read_upload(d["file"]),
            receipt=receipt_from(d),
        )
        attachment = made.attachments.get()
        return Response(
            {
                "record": made.pk,
                "document": document.pk,
                "reference": made.reference,
                "scan_sha256": attachment.blob.sha256 if attachment.blob else None,
            },
            status=201,
        )


class VerifySerializer(serializers.Serializer):
    file = serializers.FileField(required=False, help_text="文书 PDF 文件（不超过20MB）")
    code = api_fields.TextField(
        required=False, allow_blank=True, max_length=200, help_text="纸面核验码或核验行"
    )


def verification_out(v: Verification) -> dict[str, Any]:
    return {
        "matches": v.matches,
        "findings": v.findings,
        "document": document_out(v.document) if v.document is not None else None,
    }


class DocumentVerifyAPI(APIView):
    """核验文书：上传 PDF（比对摘要，不一致时指出哪里不同）或提交纸面核验码。"""

    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(request=VerifySerializer, responses={200: VERIFICATION})
    def post(self, request: Request) -> Response:
        officer = officer_for_request(request.user)
        s = VerifySerializer(data=request.data)
        s.is_valid(raise_exception=True)
        upload, code = s.validated_data.get("file"), s.validated_data.get("code") or ""
        if upload is not None:
            if upload.size > MAX_VERIFY_BYTES:
                raise ActionError("file_too_large", "文件不得超过20MB", field="file")
            result = verify_pdf(b"".join(upload.chunks()), agency_id=officer.agency_id)
        elif code.strip():
            result = verify_code(code, agency_id=officer.agency_id)
        else:
            raise ActionError("nothing_to_verify", "请上传 PDF 文件或提交核验码")
        return Response(verification_out(result))
