"""Reads of operations and the access function of a 恢复登记: the agency's 系统管理员 and 负责人
(批准人) and its supervisors read them; anyone else: 403; another agency's: 404."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from casetrail.lib.numbers import id_or_none
from casetrail.ops.models import Recovery
from casetrail.org.models import Officer, Role
from casetrail.org.selectors import officer_for_request

READERS = {Role.ADMIN, Role.APPROVER, Role.SUPERVISOR}


def recovery_reader(user: Any) -> Officer:
    officer = officer_for_request(user)
    if not READERS & officer.role_set:
        raise PermissionDenied("恢复登记仅系统管理员、负责人和监督人员可以查看")
    return officer


def recoveries_of_agency(*, officer: Officer) -> QuerySet[Recovery]:
    return Recovery.objects.filter(agency_id=officer.agency_id).select_related(
        "proposed_by", "decided_by"
    )


def recovery_for_user(*, user: Any, recovery_id: int | str) -> Recovery:
    officer = recovery_reader(user)
    found = recoveries_of_agency(officer=officer).filter(pk=id_or_none(recovery_id) or 0).first()
    if found is None:
        raise Http404("恢复登记不存在")
    return found
