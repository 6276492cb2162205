"""Writes of the organisation: agencies, units, officers and their roles. Each is a ledgered
action (``casetrail.lib.ledgered``); the org app sits below the ledger and never names it."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model

from casetrail.lib.errors import ActionError
from casetrail.lib.ledgered import Act, ActionName, action
from casetrail.org.models import Agency, Officer, OfficerRole, Role, Unit


class OrgAction(ActionName):
    AGENCY_CREATE = "org.agency_create"
    UNIT_CREATE = "org.unit_create"
    OFFICER_CREATE = "org.officer_create"


@action(OrgAction.AGENCY_CREATE)
def agency_create(act: Act, /, *, name: str, credit_code: str, case_number_pattern: str) -> Agency:
    """Register an agency; its ledger starts with this entry."""
    if "{n}" not in case_number_pattern:
        raise ActionError("invalid_pattern", "案件编号格式必须包含 {n}（序号），可包含 {year}")
    if len(credit_code) != 18:
        raise ActionError("invalid_credit_code", "统一社会信用代码应为18位")
    agency = Agency.objects.create(
        name=name, credit_code=credit_code, case_number_pattern=case_number_pattern
    )
    act.record(agency=agency, actor=None, subject=f"agency:{agency.pk}", rows=[agency])
    return agency


@action(OrgAction.UNIT_CREATE)
def unit_create(act: Act, /, *, agency: Agency, name: str, kind: str) -> Unit:
    """Add an internal unit (股室 / 法制机构)."""
    if kind not in Unit.Kind.values:
        raise ActionError("invalid_unit_kind", "股室类别无效")
    unit = Unit.objects.create(agency=agency, name=name, kind=kind)
    act.record(agency=agency, actor=None, subject=f"unit:{unit.pk}", rows=[unit])
    return unit


@action(OrgAction.OFFICER_CREATE)
def officer_create(
    act: Act,
    /,
    *,
    unit: Unit,
    username: str,
    name: str,
    password: str,
    roles: list[str],
    certificate_no: str = "",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    by: Officer | None = None,
) -> Officer:
    """Create a login and its officer with roles and (for enforcement staff) a certificate."""
    bad = [r for r in roles if r not in Role.values]
    if bad:
        raise ActionError("invalid_role", f"未知角色：{', '.join(bad)}")
    if certificate_no and not (valid_from and valid_to and valid_from <= valid_to):
        raise ActionError("invalid_certificate", "执法证件须填写有效期，且起始日期不晚于截止日期")
    user = get_user_model().objects.create_user(
        username=username,
        password=password,
        is_staff=Role.ADMIN in roles,
        is_superuser=Role.ADMIN in roles,
    )
    officer = Officer.objects.create(
        user=user,
        agency=unit.agency,
        unit=unit,
        name=name,
        certificate_no=certificate_no,
        certificate_valid_from=valid_from,
        certificate_valid_to=valid_to,
    )
    role_rows = [OfficerRole.objects.create(officer=officer, role=r) for r in roles]
    act.record(
        agency=unit.agency,
        actor=by,
        subject=f"officer:{officer.pk}",
        rows=[officer, *role_rows],
        username=username,
    )
    return officer
