"""REST API of evidence (DRF). Uploads themselves are tus at /api/uploads/ (``tus.py``)."""

from __future__ import annotations

from typing import Any

from django.http.response import HttpResponseBase
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casetrail.cases.selectors import case_for_user
from casetrail.evidence import actions
from casetrail.evidence.ingest import complete
from casetrail.evidence.models import Informed, Item, Kind, Upload
from casetrail.evidence.selectors import (
    ItemView,
    as_seen,
    evidence_for_user,
    inbox_for,
    items_of_case,
    late_recordings_for,
    upload_for_user,
    visible_items,
)
from casetrail.evidence.views import item_read, media_response, read_states
from casetrail.lib import api_fields, openapi
from casetrail.lib.numbers import parse_optional_int
from casetrail.org.actions import agency_settings_change
from casetrail.org.models import Agency, Device, Officer
from casetrail.org.selectors import officer_for_request

ITEM = openapi.obj(
    ("id", "kind", "blob", "media_url"),
    id=openapi.INTEGER,
    kind=openapi.STRING,
    case=openapi.nullable("integer"),
    blob=openapi.obj(sha256=openapi.STRING, sm3=openapi.STRING, size=openapi.INTEGER),
    recorded_start=openapi.nullable("string"),
    recorded_end=openapi.nullable("string"),
    late=openapi.BOOLEAN,
    media_url=openapi.STRING,
)
UPLOAD = openapi.obj(
    ("id", "state", "length", "offset"),
    id=openapi.STRING,
    state=openapi.STRING,
    length=openapi.INTEGER,
    offset=openapi.INTEGER,
    item=openapi.nullable("integer"),
    error_code=openapi.nullable("string"),
)
DEVICE = openapi.obj(
    ("id", "serial", "status"),
    id=openapi.INTEGER,
    serial=openapi.STRING,
    model=openapi.STRING,
    kind=openapi.STRING,
    status=openapi.STRING,
    officer=openapi.nullable("integer"),
)
# The original file as recorded: its own media type (a photo, a recording, a video).
MEDIA = {(200, media): OpenApiTypes.BINARY for media in ("image/*", "audio/*", "video/*")} | {
    (206, media): OpenApiTypes.BINARY for media in ("image/*", "audio/*", "video/*")
}


def item_out(item: Item | ItemView) -> dict[str, Any]:
    # An ItemView (``as_seen``): its free text masked for a viewer who may not see personal data.
    link = getattr(item, "link", None)
    return {
        "id": item.pk,
        "kind": item.kind,
        "kind_label": item.get_kind_display(),
        "case": link.case_id if link else None,
        "linked_at": link.at if link else None,
        "file_name": item.file_name,
        "original_name": item.original_name,
        "blob": {
            "sha256": item.blob.sha256,
            "sm3": item.blob.sm3,
            "size": item.blob.size,
            "media_type": item.blob.media_type,
        },
        "media": item.media,
        "device": item.device.serial if item.device else None,
        "officer": {"id": item.officer_id, "name": item.officer.name},
        "uploaded_by": {"id": item.uploaded_by_id, "name": item.uploaded_by.name},
        "uploaded_at": item.uploaded_at,
        "recorded_start": item.recorded_start,
        "recorded_end": item.recorded_end,
        "time_source": item.time_source,
        "time_source_label": item.time_source_label,
        "time_reason": item.time_reason,
        # Whether the times stand as the recording's (from the file, or typed in / corrected
        # with a reason): only such items count for 第五条 per stage and a service's own clip.
        "time_trusted": item.time_trusted,
        "clock": item.clock,
        "file_recorded_start": item.file_recorded_start,
        "file_recorded_end": item.file_recorded_end,
        "place": item.place,
        "informed": item.informed,
        "informed_how": item.informed_how,
        "description": item.description,
        "delay_hours": item.delay_hours,
        "late": item.late,
        "late_reason": item.late_reason,
        "source": item.source,
        "media_url": f"/api/evidence/{item.pk}/media",
    }


def upload_out(upload: Upload) -> dict[str, Any]:
    return {
        "id": str(upload.pk),
        "state": upload.state,
        "state_label": upload.get_state_display(),
        "file_name": upload.file_name,
        "original_name": upload.original_name,
        "length": upload.length,
        "offset": upload.offset,
        "sha256": upload.sha256 or None,
        "sm3": upload.sm3 or None,
        "media_type": upload.media_type or None,
        "item": upload.item_id,
        "error_code": upload.error_code or None,
        "error_message": upload.error_message or None,
        "expires_at": upload.expires_at,
        "complete_url": f"/evidence/uploads/{upload.pk}/complete/",
    }


class EvidenceListAPI(APIView):
    """音像记录列表：?case=<id> 为某案件的记录；否则为本人可见的全部记录。"""

    @extend_schema(
        operation_id="evidence_list",
        parameters=[OpenApiParameter("case", int, required=False, description="案件 id")],
        responses={200: openapi.array_of(ITEM)},
    )
    def get(self, request: Request) -> Response:
        officer = officer_for_request(request.user)
        case_id = parse_optional_int(
            request.query_params.get("case"), minimum=1, field="case", digits_only=True
        )
        if case_id:
            items = items_of_case(case=case_for_user(user=request.user, case_id=case_id))
        else:
            items = list(visible_items(officer=officer).order_by("-uploaded_at")[:200])
        return Response([item_out(i) for i in as_seen(officer=officer, items=list(items))])


class EvidenceDetailAPI(APIView):
    """一条音像记录（调阅记入日志）。"""

    @extend_schema(responses={200: ITEM})
    def get(self, request: Request, item_id: int) -> Response:
        officer = officer_for_request(request.user)
        item = evidence_for_user(user=request.user, item_id=item_id)
        actions.evidence_view(item=item, officer=officer)
        read = item_read(request._request, officer=officer, item=item, via="api")
        view = as_seen(officer=officer, items=[item], states=read_states(item, read))[0]
        return Response({**item_out(view), "marks": view.marks, "withheld": view.withheld or None})


class EvidenceMediaAPI(APIView):
    """原始文件，支持 HTTP Range（206）；?download=1 下载。播放和下载记入日志。"""

    @extend_schema(
        parameters=[
            OpenApiParameter("download", str, required=False, description="1：作为附件下载"),
            OpenApiParameter("Range", str, OpenApiParameter.HEADER, required=False),
        ],
        responses={
            **MEDIA,
            416: OpenApiResponse(description="Range 超出文件长度（Content-Range: bytes */大小）"),
        },
    )
    def get(self, request: Request, item_id: int) -> HttpResponseBase:
        return media_response(request._request, item_id)


class LinkSerializer(serializers.Serializer):
    case = api_fields.IdField()


class EvidenceLinkAPI(APIView):
    """把未归案的音像记录归入本人承办的案件。"""

    @extend_schema(request=LinkSerializer, responses={201: ITEM})
    def post(self, request: Request, item_id: int) -> Response:
        officer = officer_for_request(request.user)
        item = evidence_for_user(user=request.user, item_id=item_id)
        s = LinkSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        case = case_for_user(user=request.user, case_id=s.validated_data["case"])
        actions.evidence_link(item=item, case=case, officer=officer)
        item = evidence_for_user(user=request.user, item_id=item_id)
        return Response(item_out(as_seen(officer=officer, items=[item])[0]), status=201)


class InboxAPI(APIView):
    """我的待归案音像记录和待补充信息的上传。"""

    @extend_schema(
        responses={
            200: openapi.obj(
                ("unlinked", "pending"),
                unlinked=openapi.array_of(ITEM),
                pending=openapi.array_of(UPLOAD),
            )
        }
    )
    def get(self, request: Request) -> Response:
        box = inbox_for(officer=officer_for_request(request.user))
        return Response(
            {
                "unlinked": [item_out(i) for i in box["unlinked"]],
                "pending": [upload_out(u) for u in box["pending"]],
            }
        )


class LateAPI(APIView):
    """超过24小时上传的音像记录（第三十条）。"""

    @extend_schema(responses={200: openapi.array_of(ITEM)})
    def get(self, request: Request) -> Response:
        officer = officer_for_request(request.user)
        late = late_recordings_for(officer)
        return Response([item_out(i) for i in as_seen(officer=officer, items=late)])


class UploadStatusAPI(APIView):
    """一次上传的状态：上传中、待补充信息、已完成（附音像记录 id）、已拒收。"""

    @extend_schema(responses={200: UPLOAD})
    def get(self, request: Request, upload_id: str) -> Response:
        return Response(upload_out(upload_for_user(user=request.user, upload_id=upload_id)))


class CompleteSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices, required=False)
    case = api_fields.IdField(required=False, allow_null=True)
    device = api_fields.NameField(max_length=60, required=False, allow_blank=True)
    officer = api_fields.NameField(
        max_length=40, required=False, allow_blank=True, help_text="记录人执法证号"
    )
    recorded_start = serializers.DateTimeField(required=False, allow_null=True)
    recorded_end = serializers.DateTimeField(required=False, allow_null=True)
    place = api_fields.LineField(max_length=200, required=False, allow_blank=True)
    informed = serializers.ChoiceField(choices=Informed.choices, required=False)
    informed_how = api_fields.LineField(max_length=300, required=False, allow_blank=True)
    description = api_fields.TextField(required=False, allow_blank=True)
    late_reason = api_fields.TextField(max_length=500, required=False, allow_blank=True)
    time_reason = api_fields.TextField(
        required=False,
        allow_blank=True,
        max_length=500,
        help_text="手工填写记录时间（文件中无时间）或更正文件时间的理由",
    )


class UploadCompleteAPI(APIView):
    """为待补充信息的上传补充信息（如延迟上传理由），生成音像记录。"""

    @extend_schema(request=CompleteSerializer, responses={201: UPLOAD})
    def post(self, request: Request, upload_id: str) -> Response:
        officer = officer_for_request(request.user)
        upload = upload_for_user(user=request.user, upload_id=upload_id)
        s = CompleteSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        meta = {
            k: (v.isoformat() if hasattr(v, "isoformat") else v)
            for k, v in s.validated_data.items()
        }
        complete(upload=upload, officer=officer, meta=meta)
        upload.refresh_from_db()
        return Response(upload_out(upload), status=201)


def _clock_field(when_empty: str) -> serializers.CharField:
    return api_fields.LineField(
        required=False,
        allow_blank=True,
        allow_null=True,
        default=None,
        max_length=40,
        help_text=f"设备时钟：UTC、时区名（如 Asia/Shanghai）或固定偏移（如 +08:00）；{when_empty}",
    )


class DeviceSerializer(serializers.Serializer):
    serial = api_fields.NameField(max_length=60)
    model = api_fields.NameField(max_length=100, required=False, allow_blank=True, default="")
    kind = serializers.ChoiceField(choices=Device.Kind.choices, default=Device.Kind.BODY_CAMERA)
    officer = api_fields.IdField(required=False, allow_null=True, default=None)
    clock = _clock_field("不填按设备类别默认（手机 UTC，其他为本机关时区）")


class DeviceUpdateSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Device.Status.choices)
    officer = api_fields.IdField(required=False, allow_null=True, default=None)
    clock = _clock_field("不填则不变")


class DevicePolicySerializer(serializers.Serializer):
    av_device_required = serializers.BooleanField()
    reason = api_fields.LineField(max_length=200)


def device_out(d: Device) -> dict[str, Any]:
    return {
        "id": d.pk,
        "serial": d.serial,
        "model": d.model,
        "kind": d.kind,
        "status": d.status,
        "officer": d.officer_id,
        "officer_name": d.officer.name if d.officer else None,
        "registered_at": d.registered_at,
        "clock": d.clock,
        "clock_label": d.clock_label,
    }


def policy_out(agency: Agency) -> dict[str, Any]:
    return {"av_device_required": agency.requires_av_device}


def _agency_officer(me: Officer, pk: int | None) -> Officer | None:
    if pk is None:
        return None
    found = Officer.objects.filter(pk=pk, agency_id=me.agency_id).first()
    if found is None:
        raise serializers.ValidationError({"officer": "人员不存在"})
    return found


class DeviceListAPI(APIView):
    """音像记录设备登记（第三十七条）：列表；登记（系统管理员、监督人员）。"""

    @extend_schema(responses={200: openapi.array_of(DEVICE)})
    def get(self, request: Request) -> Response:
        officer = officer_for_request(request.user)
        rows = Device.objects.filter(agency_id=officer.agency_id).select_related("officer")
        return Response([device_out(d) for d in rows])

    @extend_schema(
        request=DeviceSerializer, responses={201: DEVICE}, operation_id="devices_register"
    )
    def post(self, request: Request) -> Response:
        officer = officer_for_request(request.user)
        s = DeviceSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        device = actions.device_register(
            officer=officer,
            serial=d["serial"],
            model=d["model"],
            kind=d["kind"],
            assigned_to=_agency_officer(officer, d["officer"]),
            clock=d["clock"],
        )
        return Response(device_out(device), status=201)


class DevicePolicyAPI(APIView):
    """本机关是否要求音像记录注明记录设备（第三十七条）：查看；变更（系统管理员）。"""

    @extend_schema(responses=OpenApiTypes.OBJECT)
    def get(self, request: Request) -> Response:
        return Response(policy_out(officer_for_request(request.user).agency))

    @extend_schema(request=DevicePolicySerializer, responses=OpenApiTypes.OBJECT)
    def post(self, request: Request) -> Response:
        officer = officer_for_request(request.user)
        s = DevicePolicySerializer(data=request.data)
        s.is_valid(raise_exception=True)
        agency = agency_settings_change(by=officer, **s.validated_data)
        return Response(policy_out(agency))


class DeviceDetailAPI(APIView):
    """变更设备的配发人员或状态。"""

    @extend_schema(
        request=DeviceUpdateSerializer, responses={200: DEVICE}, operation_id="devices_update"
    )
    def post(self, request: Request, device_id: int) -> Response:
        from django.http import Http404

        officer = officer_for_request(request.user)
        device = Device.objects.filter(pk=device_id, agency_id=officer.agency_id).first()
        if device is None:
            raise Http404("设备不存在")
        s = DeviceUpdateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        device = actions.device_update(
            officer=officer,
            device=device,
            assigned_to=_agency_officer(officer, s.validated_data["officer"]),
            status=s.validated_data["status"],
            clock=s.validated_data["clock"],
        )
        return Response(device_out(device))
