"""REST API of copies (第三十二条): register a 调用单, read it, the 局长's decisions, redactions,
packages (the link is answered once), and the recipient's download with JSON refusals."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casetrail.access.actions import (
    Authority,
    copy_decisions_set,
    copy_request_register,
    redaction_create,
)
from casetrail.access.delivery import download, make_package
from casetrail.access.models import CopyRequest
from casetrail.access.selectors import binding_decisions, items_of, request_for_user
from casetrail.cases.selectors import case_for_user, may_see_personal_data
from casetrail.lib import api_fields, openapi
from casetrail.lib.errors import ActionError
from casetrail.org.reauth import require_recent_auth
from casetrail.org.selectors import officer_for_request

COPY = openapi.obj(
    ("id", "number", "status", "items"),
    id=openapi.INTEGER,
    number=openapi.STRING,
    case=openapi.INTEGER,
    chain=openapi.INTEGER,
    status=openapi.STRING,
    requester_kind=openapi.STRING,
    requester=openapi.STRING,
    purpose=openapi.STRING,
    fields=openapi.array_of(openapi.nullable("object")),
    items=openapi.array_of(openapi.nullable("object")),
    packages=openapi.array_of(openapi.nullable("object")),
)
PACKAGE = openapi.obj(
    ("id", "recipient"),
    id=openapi.INTEGER,
    recipient=openapi.STRING,
    link=openapi.STRING,
    expires_at=openapi.STRING,
    max_uses=openapi.INTEGER,
)
OBJECT = openapi.obj((), id=openapi.INTEGER)


def copy_out(copy: CopyRequest, officer: Any) -> dict[str, Any]:
    decided = binding_decisions(copy)
    personal = may_see_personal_data(officer=officer, case=copy.case)
    return {
        "id": copy.pk,
        "number": copy.number,
        "case": copy.case_id,
        "chain": copy.chain_id,
        "status": copy.chain.status,
        "requester_kind": copy.requester_kind,
        "requester": copy.requester,
        "purpose": copy.purpose,
        "fields": [
            [label, str(text)] for label, text in copy.record.shown_fields(personal=personal)
        ],
        "items": [
            {
                "id": i.pk,
                "kind": i.kind,
                "label": i.label,
                "marks": i.marks,
                "proposed": i.proposed,
                "decision": (
                    {"disposition": decided[i.pk].disposition, "reason": decided[i.pk].reason}
                    if i.pk in decided
                    else None
                ),
                "redactions": [
                    {
                        "id": r.pk,
                        "method": r.method,
                        "sha256": r.blob.sha256,
                        "sm3": r.blob.sm3,
                        "original_seq": r.original_seq,
                        "reason": r.reason,
                        "approved_by": r.approved_by.name,
                    }
                    for r in i.redactions.all()
                ],
            }
            for i in items_of(copy)
        ],
        "packages": [
            {
                "id": p.pk,
                "recipient": p.recipient,
                "delivery": p.delivery,
                "expires_at": p.expires_at,
                "max_uses": p.max_uses,
                "receipts": [
                    {"at": r.at, "by": r.by.name if r.by else None} for r in p.receipts.all()
                ],
            }
            for p in copy.packages.prefetch_related("receipts", "receipts__by")
        ],
    }


class RegisterSerializer(serializers.Serializer):
    # See approvals.api.ResubmitSerializer: the declared field does not shadow Serializer.fields.
    fields = serializers.DictField(help_text="调用单各栏（目录 copy_request）")  # type: ignore[assignment]
    items = serializers.ListField(
        child=serializers.DictField(),
        max_length=200,
        help_text='[{"kind": "record|document|media", "id": 1, "proposed": "given"}]',
    )
    opinion = api_fields.TextField(max_length=2000)
    # 20 MB of scan as Base64 (4/3 of it).
    authority_base64 = api_fields.TextField(
        required=False,
        allow_blank=True,
        max_length=28_000_000,
        help_text="授权委托书或法院函扫描件（Base64，不超过20MB）",
    )
    authority_type = api_fields.TextField(required=False, allow_blank=True, max_length=40)


class CaseCopyRequestsAPI(APIView):
    """登记调用单（第三十二条）：本案承办人登记申请人、授权文件、事由和逐项材料，提交审核人审核、局长批准。"""

    @extend_schema(request=RegisterSerializer, responses={201: COPY})
    def post(self, request: Request, case_id: int) -> Response:
        officer = officer_for_request(request.user)
        case = case_for_user(user=request.user, case_id=case_id)
        s = RegisterSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        authority = None
        if d.get("authority_base64"):
            try:
                data = base64.b64decode(d["authority_base64"], validate=True)
            except (binascii.Error, ValueError):
                raise ActionError(
                    "invalid_base64", "授权文件应为 Base64 编码", field="authority_base64"
                ) from None
            authority = Authority(data, d.get("authority_type") or "")
        copy = copy_request_register(
            case=case,
            officer=officer,
            fields=d["fields"],
            items=d["items"],
            opinion=d["opinion"],
            authority=authority,
        )
        return Response(
            copy_out(request_for_user(user=request.user, request_id=copy.pk), officer), status=201
        )


class CopyRequestAPI(APIView):
    """调用单：申请人、事由、逐项材料及标注、局长决定、删除处理件、复制件包及交付记录。"""

    @extend_schema(responses={200: COPY})
    def get(self, request: Request, request_id: int) -> Response:
        officer = officer_for_request(request.user)
        return Response(
            copy_out(request_for_user(user=request.user, request_id=request_id), officer)
        )


class DecisionsSerializer(serializers.Serializer):
    decisions = serializers.ListField(
        child=serializers.DictField(),
        max_length=200,
        help_text='[{"item": 1, "disposition": "given|redacted|withheld", "reason": "…"}]',
    )


class CopyDecisionsAPI(APIView):
    """局长逐项决定（调用单待局长批准时）：提供、删除保密部分后提供或不予提供，并说明理由。"""

    @extend_schema(request=DecisionsSerializer, responses={201: COPY})
    def post(self, request: Request, request_id: int) -> Response:
        officer = officer_for_request(request.user)
        copy = request_for_user(user=request.user, request_id=request_id)
        s = DecisionsSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        require_recent_auth(request)  # the 局长's decision on a copy (issue 15)
        copy_decisions_set(request=copy, officer=officer, decisions=s.validated_data["decisions"])
        return Response(
            copy_out(request_for_user(user=request.user, request_id=copy.pk), officer), status=201
        )


class RedactionSerializer(serializers.Serializer):
    reason = api_fields.TextField(max_length=300, required=False, allow_blank=True)
    regions = serializers.JSONField(
        required=False, help_text="PDF：[{page,x0,y0,x1,y1}]（点）；照片：[{x0,y0,x1,y1}]（像素）"
    )


class CopyRedactionAPI(APIView):
    """制作删除处理件：局长决定“删除保密部分后提供”的材料，原件不变，生成新的派生文件并记入日志。"""

    @extend_schema(request=RedactionSerializer, responses={201: OBJECT})
    def post(self, request: Request, request_id: int, item_id: int) -> Response:
        officer = officer_for_request(request.user)
        copy = request_for_user(user=request.user, request_id=request_id)
        item = copy.items.filter(pk=item_id).first()
        if item is None:
            raise ActionError("item_not_in_request", "该材料不属于本调用单", status=404)
        item.request = copy
        s = RedactionSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        row = redaction_create(
            item=item,
            officer=officer,
            reason=s.validated_data.get("reason") or "",
            regions=s.validated_data.get("regions"),
        )
        return Response(
            {"id": row.pk, "sha256": row.blob.sha256, "sm3": row.blob.sm3, "method": row.method},
            status=201,
        )


class PackageSerializer(serializers.Serializer):
    recipient = api_fields.TextField(max_length=100)
    days = api_fields.IntegerField(required=False, min_value=1, max_value=90)
    uses = api_fields.IntegerField(required=False, min_value=1, max_value=20)


class CopyPackageAPI(APIView):
    """制作复制件包（调用单经局长批准后）：返回下载链接（仅此一次显示），链接按天数和次数失效。"""

    @extend_schema(request=PackageSerializer, responses={201: PACKAGE})
    def post(self, request: Request, request_id: int) -> Response:
        officer = officer_for_request(request.user)
        copy = request_for_user(user=request.user, request_id=request_id)
        s = PackageSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        require_recent_auth(request)  # issuing a copy (issue 15)
        package, token, _ = make_package(
            request=copy,
            officer=officer,
            recipient=s.validated_data["recipient"],
            days=s.validated_data.get("days"),
            uses=s.validated_data.get("uses"),
        )
        return Response(
            {
                "id": package.pk,
                "recipient": package.recipient,
                "link": request.build_absolute_uri(f"/copies/d/{token}/"),
                "api_link": request.build_absolute_uri(f"/api/copies/d/{token}/"),
                "expires_at": package.expires_at,
                "max_uses": package.max_uses,
            },
            status=201,
        )


class CopyDownloadAPI(APIView):
    """接收人下载复制件包（无需登录）：超过有效期或次数返回 410（link_expired / link_used_up）。"""

    permission_classes = [AllowAny]
    authentication_classes: list[Any] = []

    @extend_schema(responses={(200, "application/zip"): OpenApiTypes.BINARY})
    def get(self, request: Request, token: str) -> FileResponse:
        package, path = download(token=token, address=request.META.get("REMOTE_ADDR", ""))
        response = FileResponse(path.open("rb"), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="copy-{package.pk}.zip"'
        return response
