"""REST API of the organisation (DRF): the agency administrator's officers, and every officer's own
API token. Each write calls exactly one action; refusals are {"code", "message"}."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import update_session_auth_hash
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from casetrail.lib import api_fields, openapi
from casetrail.lib.errors import ActionError
from casetrail.org import actions
from casetrail.org.login import MUST_CHANGE
from casetrail.org.models import ApiToken, Officer, Unit
from casetrail.org.reauth import require_recent_auth
from casetrail.org.selectors import (
    agency_admin_for_request,
    managed_officer_for_user,
    officer_for_request,
    officers_of_agency,
    tokens_of,
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
        require_recent_auth(request)
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
        require_recent_auth(request)  # changing an account (issue 15)
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


def token_out(t: ApiToken) -> dict[str, Any]:
    return {
        "id": t.pk,
        "name": t.name,
        "prefix": t.prefix,
        "created_at": t.created_at,
        "expires_at": t.expires_at,
        "revoked_at": t.revoked_at,
        "state": "revoked" if t.revoked_at else ("active" if t.usable else "expired"),
    }


TOKEN = openapi.obj(
    ("id", "name", "prefix", "created_at", "expires_at", "state"),
    id=openapi.INTEGER,
    name=openapi.STRING,
    prefix=openapi.STRING,
    created_at=openapi.DATETIME,
    expires_at=openapi.DATETIME,
    revoked_at={**openapi.DATETIME, "nullable": True},
    state=openapi.STRING,
)


def _token(officer: Officer, token_id: int) -> ApiToken:
    token = tokens_of(officer).filter(pk=token_id).first()
    if token is None:
        raise Http404("令牌不存在")
    return token


class OfficerTokensAPI(APIView):
    """某人员的 API 令牌（系统管理员）：名称、前缀、有效期、状态，不含令牌本身。"""

    @extend_schema(responses={200: openapi.array_of(TOKEN)})
    def get(self, request: Request, officer_id: int) -> Response:
        _, officer = managed_officer_for_user(user=request.user, officer_id=officer_id)
        return Response([token_out(t) for t in tokens_of(officer)])


class OfficerTokenAPI(APIView):
    """撤销某人员的一个 API 令牌（系统管理员，如设备遗失）。"""

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, officer_id: int, token_id: int) -> Response:
        me, officer = managed_officer_for_user(user=request.user, officer_id=officer_id)
        require_recent_auth(request)
        actions.token_revoke(by=me, token=_token(officer, token_id))
        return Response(status=204)


class OfficerPasswordResetAPI(APIView):
    """重置某人员的密码（系统管理员）：返回一次性临时密码，本人登录后须先修改；记入日志（不含密码）。"""

    @extend_schema(
        request=None,
        responses={200: openapi.obj(("temporary_password",), temporary_password=openapi.STRING)},
    )
    def post(self, request: Request, officer_id: int) -> Response:
        me, officer = managed_officer_for_user(user=request.user, officer_id=officer_id)
        require_recent_auth(request)
        temporary = actions.password_reset(by=me, officer=officer)
        return Response({"temporary_password": temporary}, headers={"Cache-Control": "no-store"})


class TokenIssueSerializer(serializers.Serializer):
    name = api_fields.NameField(max_length=60, allow_blank=True, default="")
    days = api_fields.IntegerField(required=False, min_value=1, max_value=3650)


class MyTokensAPI(APIView):
    """本人的 API 令牌：GET 列表；POST 签发 {"name", "days"}（令牌只在此返回一次，系统只存摘要）。"""

    @extend_schema(responses={200: openapi.array_of(TOKEN)})
    def get(self, request: Request) -> Response:
        me = officer_for_request(request.user)
        return Response([token_out(t) for t in tokens_of(me)])

    @extend_schema(
        request=TokenIssueSerializer,
        responses={
            201: openapi.obj(
                ("token", "id", "name", "expires_at"),
                token=openapi.STRING,
                id=openapi.INTEGER,
                name=openapi.STRING,
                created=openapi.DATETIME,
                expires_at=openapi.DATETIME,
            )
        },
    )
    def post(self, request: Request) -> Response:
        me = officer_for_request(request.user)
        d = _valid(TokenIssueSerializer, request)
        issued = actions.token_issue(by=me, officer=me, name=d["name"], days=d.get("days"))
        return Response(
            {**token_out(issued.token), "token": issued.key, "created": issued.token.created_at},
            status=201,
            headers={"Cache-Control": "no-store"},  # the key is shown this once
        )


class MyTokenAPI(APIView):
    """撤销本人的一个 API 令牌。"""

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request, token_id: int) -> Response:
        me = officer_for_request(request.user)
        actions.token_revoke(by=me, token=_token(me, token_id))
        return Response(status=204)


class PasswordSerializer(serializers.Serializer):
    old_password = serializers.CharField(max_length=128, trim_whitespace=False, write_only=True)
    new_password = serializers.CharField(max_length=128, trim_whitespace=False, write_only=True)


class MyPasswordAPI(APIView):
    """修改本人密码：{"old_password", "new_password"}。"""

    @extend_schema(request=PasswordSerializer, responses={204: None})
    def post(self, request: Request) -> Response:
        me = officer_for_request(request.user)
        d = _valid(PasswordSerializer, request)
        actions.password_change(officer=me, **d)
        if request.auth is None:  # a session: it stays logged in with the new password
            update_session_auth_hash(request._request, me.user)
            request.session[MUST_CHANGE] = False
        return Response(status=204)
