"""The authentication backend that reads a request's login (issue 18, "less Python per page").

Every page reads the session's user, then the officer behind it (``officer_for_user``), then the
officer's open role names (``Officer.role_set``): three queries, ≈ 1 ms of ORM Python on each
request. ``OfficerBackend.get_user`` — what Django's ``AuthenticationMiddleware`` calls for the
session's user id on every request — reads the three in one query. Nothing is kept across
requests: each request reads the login, its officer and its roles afresh, so a deactivated login,
a revoked role or an ended session take effect on the next request, in every worker.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Aggregate, CharField, OuterRef, QuerySet, Subquery

from casetrail.org.models import OfficerRole

# Role names are identifiers (casetrail.org.models.Role): never a comma.
_SEPARATOR = ","


class _Names(Aggregate):
    """The role names of a group joined by commas: SQLite's ``group_concat``, PostgreSQL's
    ``string_agg`` (Django 5.2 has no aggregate common to both)."""

    function = "GROUP_CONCAT"
    template = f"%(function)s(%(expressions)s, '{_SEPARATOR}')"
    output_field = CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(compiler, connection, function="STRING_AGG", **extra)


@cache
def _logins() -> QuerySet[Any]:
    """The logins with their officer and its open role names. Built once per process (the
    subquery and the joins cost ≈ a third of the read's Python to build again on each request);
    never evaluated itself — each ``get`` reads a clone."""
    grants = (
        OfficerRole.objects.filter(officer_id=OuterRef("officer__pk"), revoked_at__isnull=True)
        .order_by()
        .values("officer_id")
        .annotate(names=_Names("role"))
        .values("names")
    )
    return (
        get_user_model()
        ._default_manager.select_related("officer__agency", "officer__unit")
        .annotate(officer_role_names=Subquery(grants, output_field=CharField()))
    )


class OfficerBackend(ModelBackend):
    """Django's ``ModelBackend`` — passwords, ``is_active`` and permissions exactly as there —
    whose ``get_user`` also brings the login's officer (with its agency and unit) and the
    officer's open roles, cached on the objects for this request only."""

    def get_user(self, user_id: Any) -> Any:
        model = get_user_model()
        try:
            user: Any = _logins().get(pk=user_id)
        except model.DoesNotExist:
            return None
        if not self.user_can_authenticate(user):
            return None
        # What ``officer_for_user`` and ``Officer.role_set`` would otherwise read (one query each).
        officer = getattr(user, "officer", None)
        user._officer_cache = officer
        if officer is not None:
            names = user.officer_role_names
            officer._role_cache = set(names.split(_SEPARATOR)) if names else set()
        return user
