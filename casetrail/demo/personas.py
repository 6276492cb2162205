"""The demo agency 陵川县民政局 with the personas of DESIGN.md §1. Loading it twice changes nothing."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from casetrail.org.actions import agency_create, officer_create, unit_create
from casetrail.org.models import Agency, Officer, Role, Unit

DEMO_PASSWORD = "casetrail-demo"
AGENCY = {
    "name": "陵川县民政局",
    "credit_code": "11140524MB1234567J",
    "case_number_pattern": "陵民罚〔{year}〕{n}号",
}
FORMER_CODE = "11140524MB1234567X"
UNITS = [
    ("社会事务股", Unit.Kind.ORDINARY),
    ("社会组织管理股", Unit.Kind.ORDINARY),
    ("法制股", Unit.Kind.LEGAL),
    ("办公室", Unit.Kind.OFFICE),
]
# username, name, unit, roles, certificate number (enforcement staff only)
PERSONAS = [
    ("zhang", "张承办", "社会事务股", [Role.HANDLER], "14052400123"),
    ("li", "李承办", "社会事务股", [Role.HANDLER], "14052400124"),
    ("wang", "王审核", "社会事务股", [Role.REVIEWER], "14052400101"),
    ("zhao", "赵局长", "办公室", [Role.APPROVER], "14052400001"),
    # 第十八条: a 集体讨论 needs CASETRAIL_COLLECTIVE_QUORUM (3) of the agency's leaders.
    ("zheng", "郑副局长", "办公室", [Role.APPROVER], "14052400002"),
    ("feng", "冯副局长", "办公室", [Role.APPROVER], "14052400003"),
    ("chen", "陈法制", "法制股", [Role.LEGAL_REVIEWER], "14052400201"),
    ("liu", "刘档案", "办公室", [Role.CUSTODIAN], ""),
    ("sun", "孙监督", "办公室", [Role.SUPERVISOR], ""),
    ("admin", "系统管理员", "办公室", [Role.ADMIN], ""),
]


def load_demo(*, today: dt.date | None = None) -> dict[str, Officer]:
    """Create what is missing of the demo agency; return the personas by username."""
    today = today or timezone.localdate()
    # Before GB 32100 check characters were checked the demo agency had the code ending in X:
    # a database loaded then keeps its agency (and its ledger's origin).
    agency = Agency.objects.filter(credit_code__in=[AGENCY["credit_code"], FORMER_CODE]).first()
    if agency is None:
        agency = agency_create(**AGENCY)
    units = {u.name: u for u in agency.units.all()}
    for name, kind in UNITS:
        if name not in units:
            units[name] = unit_create(agency=agency, name=name, kind=kind)
    officers = {o.user.username: o for o in agency.officers.select_related("user")}
    for username, name, unit, roles, cert in PERSONAS:
        if username in officers:
            continue
        officers[username] = officer_create(
            unit=units[unit],
            username=username,
            name=name,
            password=DEMO_PASSWORD,
            roles=list(roles),
            certificate_no=cert,
            valid_from=dt.date(today.year - 2, 1, 1) if cert else None,
            valid_to=dt.date(today.year + 3, 12, 31) if cert else None,
        )
    return officers
