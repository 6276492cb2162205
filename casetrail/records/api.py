"""REST API of records: make a document of the case's current stage, attach files to it."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casetrail.cases.reading import object_read
from casetrail.cases.selectors import case_for_user, may_see_personal_data
from casetrail.lib import api_fields, openapi
from casetrail.lib.errors import ActionError
from casetrail.org.selectors import officer_for_request
from casetrail.records.actions import (
    OfficerPresent,
    SignatureInput,
    record_attach,
    record_correct,
    record_create,
)
from casetrail.records.catalogue import CATALOGUE, PERSON_PARTS, DocType, entry
from casetrail.records.display import fields_for, withheld_for
from casetrail.records.models import Record, RecordSignature
from casetrail.records.selectors import record_for_user
from casetrail.records.writes import MAX_SIGNATURE_BYTES

# A drawn signature: a PNG of at most MAX_SIGNATURE_BYTES, in base64 with a data: prefix.
SIGNATURE_IMAGE_MAX = 4 * (MAX_SIGNATURE_BYTES // 3 + 1) + 100


CATALOGUE_ENTRY = openapi.obj(
    ("code", "version", "title", "fields"),
    code=openapi.STRING,
    version=openapi.INTEGER,
    current=openapi.BOOLEAN,
    title=openapi.STRING,
    stages=openapi.array_of(openapi.STRING),
    fields=openapi.array_of(),
    ranges=openapi.array_of(openapi.array_of(openapi.STRING)),
    signatures=openapi.array_of(),
    attachments=openapi.array_of(),
)
RECORD = openapi.obj(
    ("id", "case", "kind", "fields"),
    id=openapi.INTEGER,
    case=openapi.INTEGER,
    kind=openapi.STRING,
    catalogue_version=openapi.nullable("integer"),
    fields=openapi.OBJECT,
    signatures=openapi.array_of(),
    attachments=openapi.array_of(),
)


class OfficerPresentSerializer(serializers.Serializer):
    id = api_fields.IdField()
    shown = serializers.BooleanField(help_text="是否已出示执法证件（第十一条）")


class SignatureSerializer(serializers.Serializer):
    key = api_fields.NameField(
        max_length=40,
        required=False,
        help_text="签名项（见 /api/catalogue/ 各文书的 signatures[].key）",
    )
    role = api_fields.NameField(
        max_length=40,
        required=False,
        help_text="旧写法：未给出 key 时按 role 找签名项（key 缺省即 role）",
    )
    name = api_fields.NameField(allow_blank=True)
    method = serializers.ChoiceField(choices=RecordSignature.Method.choices)
    image = api_fields.TextField(
        max_length=SIGNATURE_IMAGE_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text="drawn：PNG 的 base64（可带 data:image/png;base64, 前缀）",
    )
    blob_sha256 = api_fields.NameField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text="scan：已上传扫描件的 SHA-256",
    )
    refusal_reason = api_fields.TextField(
        max_length=300, required=False, allow_blank=True, default=""
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # Signatures are addressed by their slot (key); a client written before slots existed
        # sends the role, which is the key wherever an entry has one signature of that role.
        key = attrs.get("key") or attrs.get("role")
        if not key:
            raise ActionError(
                "signature_key_required", "每个签名须写明签名项 key", field="signatures"
            )
        return {**attrs, "key": key}


class RecordCreateSerializer(serializers.Serializer):
    kind = api_fields.NameField(max_length=40, help_text="文书类型代码，见 /api/catalogue/")
    # See CaseActSerializer: the declared field does not shadow Serializer.fields at run time.
    fields = serializers.DictField()  # type: ignore[assignment]
    officers_present = serializers.ListField(
        child=OfficerPresentSerializer(), required=False, default=list, max_length=100
    )
    signatures = serializers.ListField(
        child=SignatureSerializer(), required=False, default=list, max_length=50
    )


class AttachSerializer(serializers.Serializer):
    slot = api_fields.NameField(
        max_length=40,
        required=False,
        help_text="附件项（见 /api/catalogue/ 各文书的 attachments[].name）",
    )
    kind = serializers.ChoiceField(
        choices=["signed_scan", "photo", "av", "document"],
        required=False,
        help_text="旧写法：未给出 slot 时，按类别找该文书唯一的该类附件项",
    )
    item = api_fields.IdField(required=False, allow_null=True, default=None)
    blob_sha256 = api_fields.NameField(max_length=64, required=False, allow_blank=True, default="")


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
            key=g["key"],
            name=g["name"],
            method=g["method"],
            image=_png(g["image"]),
            blob_sha256=g["blob_sha256"],
            refusal_reason=g["refusal_reason"],
        )
        for g in rows
    ]


def record_out(record: Record, *, personal: bool) -> dict[str, Any]:
    """A record as the API gives it to a viewer: personal data masked unless ``personal``."""
    doc = record.doc
    return {
        "id": record.pk,
        "case": record.case_id,
        "kind": record.kind,
        "catalogue_version": record.version,
        "title": record.title,
        "fields": fields_for(doc, record.fields, personal=personal),
        "personal_masked": not personal,
        "officers_present": record.officers_present or [],
        "created_at": record.created_at,
        "created_by": record.created_by.name,
        "replaces": record.replaces_id,
        "signatures": [
            {
                "key": s.slot,
                "role": s.role,
                "label": s.label,
                "name": s.name,
                "method": s.method,
                "sha256": s.blob.sha256 if s.blob else None,
                "refusal_reason": s.refusal_reason,
            }
            for s in record.signatures.all()
        ],
        "attachments": [
            {
                "slot": a.slot_name,
                "label": a.label,
                "kind": a.kind,
                "item": a.item_id,
                "sha256": a.blob.sha256 if a.blob else None,
            }
            for a in record.attachments.all()
        ],
    }


def _sees_personal(request: Request, record: Record) -> bool:
    return may_see_personal_data(officer=officer_for_request(request.user), case=record.case)


class RecordCreateAPI(APIView):
    """制作文书：按文书目录校验字段、在场执法人员及出示证件情况、必需签名（第十一、十二条）。"""

    @extend_schema(request=RecordCreateSerializer, responses={201: RECORD})
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
        return Response(record_out(record, personal=_sees_personal(request, record)), status=201)


class RecordDetailAPI(APIView):
    """一份文书及其签名和附件。"""

    @extend_schema(responses={200: RECORD})
    def get(self, request: Request, record_id: int) -> Response:
        record = record_for_user(user=request.user, record_id=record_id)
        read = object_read(
            request,
            officer=officer_for_request(request.user),
            case=record.case,
            target=f"record:{record.pk}",
            via="api",
        )
        data = record_out(record, personal=read.personal)
        data["marks"] = read.marks
        if read.withheld:
            # 第三十三条: the record exists and is marked; its content is withheld.
            data.update(fields={}, signatures=[], attachments=[], withheld=withheld_for(read.marks))
        return Response(data)


class RecordAttachAPI(APIView):
    """为文书添加附件：本案音像记录或照片（item），或已上传的扫描件/文件（blob_sha256）。"""

    @extend_schema(request=AttachSerializer, responses={201: RECORD})
    def post(self, request: Request, record_id: int) -> Response:
        officer = officer_for_request(request.user)
        record = record_for_user(user=request.user, record_id=record_id)
        s = AttachSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        slot = d.get("slot") or ""
        if not slot and d.get("kind"):
            doc = record.doc
            slot = (doc.slot_of_kind(d["kind"]) if doc else None) or d["kind"]
        if not slot:
            raise ActionError("attachment_slot_required", "请写明附件项 slot", field="slot")
        record_attach(
            record=record,
            officer=officer,
            slot=slot,
            item_id=d["item"],
            blob_sha256=d["blob_sha256"],
        )
        return Response(record_out(record, personal=_sees_personal(request, record)), status=201)


class CorrectSerializer(serializers.Serializer):
    # See RecordCreateSerializer about the field named "fields".
    fields = serializers.DictField(help_text="更正的字段（未给出的保持原值）")  # type: ignore[assignment]
    reason = api_fields.TextField(max_length=300, help_text="更正理由")
    signatures = serializers.ListField(
        child=SignatureSerializer(), required=False, default=list, max_length=50
    )


class RecordCorrectAPI(APIView):
    """更正文书：生成写明理由、重新签名的新版本，原记录保持不变。"""

    @extend_schema(request=CorrectSerializer, responses={201: RECORD})
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
        return Response(record_out(new, personal=_sees_personal(request, new)), status=201)


class CatalogueAPI(APIView):
    """文书目录：每种文书的当前版本——字段、所属阶段、依据条款、在场人员、签名和附件要求。"""

    @extend_schema(
        responses={200: openapi.array_of(CATALOGUE_ENTRY)}, operation_id="catalogue_list"
    )
    def get(self, request: Request) -> Response:
        return Response([catalogue_entry_out(d) for d in CATALOGUE.values()])


class CatalogueVersionAPI(APIView):
    """文书目录中某一文书的某一版本（含已被取代的版本）：更正旧记录时按其版本填写。"""

    @extend_schema(responses={200: CATALOGUE_ENTRY})
    def get(self, request: Request, code: str, version: int) -> Response:
        doc = entry(code, version)
        if doc is None:
            raise ActionError(
                "unknown_document_type", f"未知的文书类型：{code}（第{version}版）", status=404
            )
        return Response(catalogue_entry_out(doc))


def _range_out(f: Any) -> dict[str, str] | None:
    return dict(f.valid_range.spec) if f.valid_range else None


def catalogue_entry_out(d: DocType) -> dict[str, Any]:
    return {
        "code": d.code,
        "version": d.version,
        "current": CATALOGUE.get(d.code) is d,
        "title": d.title,
        "stage": d.stage,
        "stages": list(d.stages),
        "formerly": list(d.formerly),
        "made_by": d.made_by,
        "articles": list(d.articles),
        "procedure": d.procedure or None,
        "officers_min": d.officers_min,
        "fields": [
            {
                "name": f.name,
                "label": f.label,
                "type": f.type,
                "required": f.required,
                "required_if": {"field": f.required_if.field, "in": list(f.required_if.values)}
                if f.required_if
                else None,
                "choices": [c for c, _ in f.choices],
                "refers_to": list(f.refers_to),
                "personal": f.personal or (list(PERSON_PARTS[1:]) if f.type == "person" else None),
                "future": f.future,
                "valid_range": _range_out(f),
            }
            for f in d.fields
        ],
        "signatures": [
            {
                "key": g.key,
                "role": g.role,
                "label": g.label,
                "refusal": g.refusal,
                "required": g.required,
            }
            for g in d.signatures
        ],
        "ranges": [list(pair) for pair in d.ranges],
        "attachments": [
            {
                "name": a.name,
                "kind": a.kind,
                "label": a.label,
                "required": a.required,
                "overlaps": list(a.overlaps),
            }
            for a in d.attachments
        ],
    }
