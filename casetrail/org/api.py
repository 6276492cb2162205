"""REST API of the organisation (DRF): the agency administrator's officers, and every officer's own
API token. Each write calls exactly one action; refusals are {"code", "message"}."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casetrail.lib import api_fields, openapi
from casetrail.lib.errors import ActionError
from casetrail.org import actions
from casetrail.org.models import Officer, Unit
from casetrail.org.selectors import (
    agency_admin_for_request,
    managed_officer_for_user,
    officer_for_request,
    officers_of_agency,
    units_of_agency,
)


def officer_out(o: Officer) -> dict[str, Any]:
    return {
        "id": o.pk,
        "username": o.user.username,
        "name": o.name,
        "unit": {"id": o.unit_id, "name": o.unit.name},
        "roles": sorted(o.role_set),
        "role_labels": o.role_labels(),
        "certificate": {
            "number": o.certificate_no,
            "valid_from": o.certificate_valid_from,
            "valid_to": o.certificate_valid_to,
            "valid_today": o.certificate_valid_today,
        },
        "active": o.is_active,
        "deactivated_at": o.deactivated_at,
    }


OFFICER = openapi.obj(
    ("id", "username", "name", "roles", "active"),
    id=openapi.INTEGER,
    username=openapi.STRING,
    name=openapi.STRING,
    unit=openapi.obj(id=openapi.INTEGER, name=openapi.STRING),
    roles=openapi.array_of(openapi.STRING),
    certificate=openapi.OBJECT,
    active=openapi.BOOLEAN,
)


def _unit(me: Officer, pk: int) -> Unit:
    unit = units_of_agency(me.agency_id).filter(pk=pk).first()
    if unit is None:
        raise ActionError("invalid_unit", "股室不存在", field="unit")
    return unit


def _fresh(officer: Officer) -> Officer:
    return officers_of_agency(officer.agency_id).get(pk=officer.pk)


class CertificateSerializer(serializers.Serializer):
    certificate_no = api_fields.NameField(max_length=40, allow_blank=True)
    valid_from = serializers.DateField(allow_null=True)
    valid_to = serializers.DateField(allow_null=True)


class OfficerCreateSerializer(serializers.Serializer):
    username = api_fields.NameField(max_length=150)
    name = api_fields.NameField(max_length=40)
    # A password is not text to check: any character may be in it; only its length is bounded.
    password = serializers.CharField(max_length=128, trim_whitespace=False, write_only=True)
    unit = api_fields.IdField()
    # Plain strings: an unknown role reaches the action, which refuses it with `invalid_role`.
    roles = serializers.ListField(
        child=api_fields.NameField(max_length=30), default=list, max_length=20
    )
    certificate_no = api_fields.NameField(max_length=40, allow_blank=True, default="")
    valid_from = serializers.DateField(allow_null=True, default=None)
    valid_to = serializers.DateField(allow_null=True, default=None)


class RolesSerializer(serializers.Serializer):
    add = serializers.ListField(
        child=api_fields.NameField(max_length=30), default=list, max_length=20
    )
    remove = serializers.ListField(
        child=api_fields.NameField(max_length=30), default=list, max_length=20
    )
    reason = api_fields.TextField(allow_blank=True, default="", max_length=200)


class UnitSerializer(serializers.Serializer):
    unit = api_fields.IdField()


class ReasonSerializer(serializers.Serializer):
    reason = api_fields.TextField(allow_blank=True, max_length=200)


def _valid(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    s = serializer_class(data=request.data)
    s.is_valid(raise_exception=True)
    return dict(s.validated_data)


class OfficerListAPI(APIView):
    """本机关人员（系统管理员）：列表；新建人员及其登录账号。"""

    @extend_schema(operation_id="officers_list", responses={200: openapi.array_of(OFFICER)})
    def get(self, request: Request) -> Response:
        me = agency_admin_for_request(request.user)
        return Response([officer_out(o) for o in officers_of_agency(me.agency_id)])

    @extend_schema(request=OfficerCreateSerializer, responses={201: OFFICER})
    def post(self, request: Request) -> Response:
        me = agency_admin_for_request(request.user)
        d = _valid(OfficerCreateSerializer, request)
        officer = actions.officer_create(by=me, **{**d, "unit": _unit(me, d["unit"])})
        return Response(officer_out(_fresh(officer)), status=201)


class OfficerDetailAPI(APIView):
    """一名人员（系统管理员；其他机关的人员为 404）。"""

    @extend_schema(responses={200: OFFICER})
    def get(self, request: Request, officer_id: int) -> Response:
        _, officer = managed_officer_for_user(user=request.user, officer_id=officer_id)
        return Response(officer_out(officer))


class _OfficerChangeAPI(APIView):
    """POST one change of an officer: the body, parsed by ``body``, goes to one action."""

    body: type[serializers.Serializer]

    def change(self, me: Officer, officer: Officer, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def post(self, request: Request, officer_id: int) -> Response:
        me, officer = managed_officer_for_user(user=request.user, officer_id=officer_id)
        self.change(me, officer, _valid(self.body, request))
        return Response(officer_out(_fresh(officer)))


def _change_body(body: type[serializers.Serializer]) -> Any:
    """The change's body: what ``post`` parses, and what the OpenAPI schema shows."""

    def wrap(cls: type[_OfficerChangeAPI]) -> type[_OfficerChangeAPI]:
        cls.body = body
        return extend_schema_view(post=extend_schema(request=body, responses={200: OFFICER}))(cls)

    return wrap


@_change_body(CertificateSerializer)
class OfficerCertificateAPI(_OfficerChangeAPI):
    """登记或换发执法证件（第十一条，行政处罚法第四十二条）。"""

    def change(self, me: Officer, officer: Officer, data: dict[str, Any]) -> None:
        actions.officer_certificate_record(by=me, officer=officer, **data)


@_change_body(RolesSerializer)
class OfficerRolesAPI(_OfficerChangeAPI):
    """授予、撤销角色（第六条）：{"add": [...], "remove": [...], "reason": "..."}。"""

    def change(self, me: Officer, officer: Officer, data: dict[str, Any]) -> None:
        actions.officer_roles_change(by=me, officer=officer, **data)


@_change_body(UnitSerializer)
class OfficerUnitAPI(_OfficerChangeAPI):
    """调往本机关的另一个股室。"""

    def change(self, me: Officer, officer: Officer, data: dict[str, Any]) -> None:
        actions.officer_move(by=me, officer=officer, unit=_unit(me, data["unit"]))


@_change_body(ReasonSerializer)
class OfficerDeactivateAPI(_OfficerChangeAPI):
    """停用：不能登录，令牌撤销，不再可选；已有记录照旧署其姓名。"""

    def change(self, me: Officer, officer: Officer, data: dict[str, Any]) -> None:
        actions.officer_deactivate(by=me, officer=officer, **data)


@_change_body(ReasonSerializer)
class OfficerReactivateAPI(_OfficerChangeAPI):
    """恢复已停用的人员。"""

    def change(self, me: Officer, officer: Officer, data: dict[str, Any]) -> None:
        actions.officer_reactivate(by=me, officer=officer, **data)


class OfficerTokenAPI(APIView):
    """撤销某人员的 API 令牌（系统管理员，如设备遗失）。"""

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, officer_id: int) -> Response:
        me, officer = managed_officer_for_user(user=request.user, officer_id=officer_id)
        actions.token_revoke(by=me, officer=officer)
        return Response(status=204)


class MyTokenAPI(APIView):
    """本人的 API 令牌：POST 签发（旧令牌随即失效，新令牌只返回这一次）；DELETE 撤销。"""

    @extend_schema(
        request=None,
        responses={
            201: openapi.obj(("token", "created"), token=openapi.STRING, created=openapi.DATETIME)
        },
    )
    def post(self, request: Request) -> Response:
        me = officer_for_request(request.user)
        token = actions.token_issue(by=me, officer=me)
        return Response(
            {"token": token.key, "created": token.created},
            status=201,
            headers={"Cache-Control": "no-store"},  # the key is shown this once
        )

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        me = officer_for_request(request.user)
        actions.token_revoke(by=me, officer=me)
        return Response(status=204)
