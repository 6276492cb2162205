"""REST API of records: make a document of the case's current stage, attach files to it."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casetrail.cases.selectors import case_for_user
from casetrail.lib.errors import ActionError
from casetrail.org.selectors import officer_for_request
from casetrail.records.actions import (
    OfficerPresent,
    SignatureInput,
    record_attach,
    record_correct,
    record_create,
)
from casetrail.records.catalogue import CATALOGUE
from casetrail.records.models import Record, RecordSignature
from casetrail.records.selectors import record_for_user


class OfficerPresentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    shown = serializers.BooleanField(help_text="是否已出示执法证件（第十一条）")


class SignatureSerializer(serializers.Serializer):
    role = serializers.CharField()
    name = serializers.CharField(allow_blank=True)
    method = serializers.ChoiceField(choices=RecordSignature.Method.choices)
    image = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text="drawn：PNG 的 base64（可带 data:image/png;base64, 前缀）",
    )
    blob_sha256 = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="scan：已上传扫描件的 SHA-256"
    )
    refusal_reason = serializers.CharField(required=False, allow_blank=True, default="")


class RecordCreateSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="文书类型代码，见 /api/catalogue/")
    # See CaseActSerializer: the declared field does not shadow Serializer.fields at run time.
    fields = serializers.DictField()  # type: ignore[assignment]
    officers_present = OfficerPresentSerializer(many=True, required=False, default=list)
    signatures = SignatureSerializer(many=True, required=False, default=list)


class AttachSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["signed_scan", "photo", "av", "document"])
    item = serializers.IntegerField(required=False, allow_null=True, default=None)
    blob_sha256 = serializers.CharField(required=False, allow_blank=True, default="")


def _png(value: str) -> bytes:
    if value.startswith("data:"):
        value = value.split(",", 1)[-1]
    try:
        return base64.b64decode(value, validate=True) if value else b""
    except (binascii.Error, ValueError):
        raise ActionError("invalid_signature_image", "签名图像应为 PNG 的 base64 编码") from None


def signature_inputs(rows: list[dict[str, Any]]) -> list[SignatureInput]:
    return [
        SignatureInput(
            role=g["role"],
            name=g["name"],
            method=g["method"],
            image=_png(g["image"]),
            blob_sha256=g["blob_sha256"],
            refusal_reason=g["refusal_reason"],
        )
        for g in rows
    ]


def record_out(record: Record) -> dict[str, Any]:
    return {
        "id": record.pk,
        "case": record.case_id,
        "kind": record.kind,
        "title": record.title,
        "fields": record.fields,
        "officers_present": record.officers_present or [],
        "created_at": record.created_at,
        "created_by": record.created_by.name,
        "replaces": record.replaces_id,
        "signatures": [
            {
                "role": s.role,
                "name": s.name,
                "method": s.method,
                "sha256": s.blob.sha256 if s.blob_id else None,
                "refusal_reason": s.refusal_reason,
            }
            for s in record.signatures.all()
        ],
        "attachments": [
            {"kind": a.kind, "item": a.item_id, "sha256": a.blob.sha256 if a.blob_id else None}
            for a in record.attachments.all()
        ],
    }


class RecordCreateAPI(APIView):
    """制作文书：按文书目录校验字段、在场执法人员及出示证件情况、必需签名（第十一、十二条）。"""

    @extend_schema(request=RecordCreateSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, case_id: int) -> Response:
        officer = officer_for_request(request.user)
        case = case_for_user(user=request.user, case_id=case_id)
        s = RecordCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        record = record_create(
            case=case,
            officer=officer,
            kind=d["kind"],
            fields=dict(d["fields"]),
            officers_present=[OfficerPresent(o["id"], o["shown"]) for o in d["officers_present"]],
            signatures=signature_inputs(d["signatures"]),
        )
        return Response(record_out(record), status=201)


class RecordDetailAPI(APIView):
    """一份文书及其签名和附件。"""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request, record_id: int) -> Response:
        return Response(record_out(record_for_user(user=request.user, record_id=record_id)))


class RecordAttachAPI(APIView):
    """为文书添加附件：本案音像记录或照片（item），或已上传的扫描件/文件（blob_sha256）。"""

    @extend_schema(request=AttachSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, record_id: int) -> Response:
        officer = officer_for_request(request.user)
        record = record_for_user(user=request.user, record_id=record_id)
        s = AttachSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        record_attach(
            record=record,
            officer=officer,
            kind=d["kind"],
            item_id=d["item"],
            blob_sha256=d["blob_sha256"],
        )
        return Response(record_out(record), status=201)


class CorrectSerializer(serializers.Serializer):
    # See RecordCreateSerializer about the field named "fields".
    fields = serializers.DictField(help_text="更正的字段（未给出的保持原值）")  # type: ignore[assignment]
    reason = serializers.CharField(help_text="更正理由")
    signatures = SignatureSerializer(many=True, required=False, default=list)


class RecordCorrectAPI(APIView):
    """更正文书：生成写明理由、重新签名的新版本，原记录保持不变。"""

    @extend_schema(request=CorrectSerializer, responses={201: OpenApiTypes.OBJECT})
    def post(self, request: Request, record_id: int) -> Response:
        officer = officer_for_request(request.user)
        record = record_for_user(user=request.user, record_id=record_id)
        s = CorrectSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        new = record_correct(
            record=record,
            officer=officer,
            fields=dict(d["fields"]),
            reason=d["reason"],
            signatures=signature_inputs(d["signatures"]),
        )
        return Response(record_out(new), status=201)


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
