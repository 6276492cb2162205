"""Reads of the organisation, and the access functions every org view and API call uses."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from casetrail.org.models import ApiToken, Officer, Role, Unit


def officer_for_user(user: Any) -> Officer | None:
    """The officer behind a login, cached on the user object for the request; its roles are
    read on first use (``Officer.role_set``, one query of their names)."""
    if user is None or not user.is_authenticated:
        return None
    if not hasattr(user, "_officer_cache"):
        try:
            # ``get`` on the one-to-one: no ORDER BY and LIMIT to compile as ``first()`` has.
            user._officer_cache = Officer.objects.select_related("agency", "unit").get(user=user)
        except Officer.DoesNotExist:
            user._officer_cache = None
    return user._officer_cache


def officer_for_request(user: Any) -> Officer:
    """The officer behind a logged-in request; a login without one (e.g. a bare Django user)
    may use nothing of CaseTrail."""
    officer = officer_for_user(user)
    if officer is None:
        raise PermissionDenied("该账号未登记为本系统的工作人员，请联系系统管理员")
    # The login's is_active already keeps a deactivated officer out; the recorded (and verified)
    # fact decides even if the login were switched on behind the application.
    if not officer.is_active:
        raise PermissionDenied("该人员已停用，请联系系统管理员")
    return officer


def agency_admin_for_request(user: Any) -> Officer:
    """The logged-in officer, who must be an administrator of their agency (403 otherwise)."""
    me = officer_for_request(user)
    if not me.has_role(Role.ADMIN):
        raise PermissionDenied("只有本机关的系统管理员可以管理人员")
    return me


def managed_officer_for_user(*, user: Any, officer_id: int) -> tuple[Officer, Officer]:
    """The one access function for an officer managed by an administrator: (admin, officer).

    Another agency's officer is 404 for everyone (its existence is not revealed); an officer of
    the agency is 403 for anyone but its administrators."""
    me = officer_for_request(user)
    target = officers_of_agency(me.agency_id).filter(pk=officer_id).first()
    if target is None:
        raise Http404("人员不存在")
    if not me.has_role(Role.ADMIN):
        raise PermissionDenied("只有本机关的系统管理员可以管理人员")
    return me, target


def officers_of_agency(agency_id: int) -> QuerySet[Officer]:
    """Every officer of the agency, active or not, with what the officer list shows."""
    return (
        Officer.objects.filter(agency_id=agency_id)
        .select_related("unit", "user")
        .prefetch_related("roles")
        .order_by("unit__name", "name", "pk")
    )


def officers_for_picker(agency_id: int, *, role: str | None = None) -> QuerySet[Officer]:
    """The officers who may be chosen for new work (assigned to a case, present at a record,
    given a device): active ones, holding ``role`` now when given. Deactivated officers keep every
    record that names them but are offered for nothing new."""
    qs = Officer.objects.filter(agency_id=agency_id, deactivated_at__isnull=True)
    if role is not None:
        # One filter() call: the role and its open grant are the same joined row.
        qs = qs.filter(roles__role=role, roles__revoked_at__isnull=True)
    return qs.order_by("name")


def units_of_agency(agency_id: int) -> QuerySet[Unit]:
    return Unit.objects.filter(agency_id=agency_id).order_by("name")


def tokens_of(officer: Officer) -> QuerySet[ApiToken]:
    """The officer's API tokens, newest first, revoked and expired ones included (their keys are
    nowhere: only hashes are stored). Read by the officer and their agency's administrators."""
    return ApiToken.objects.filter(officer=officer).select_related("revoked_by")
