"""Building blocks that write cases inside an action (``@step``), and the checks they share: a case
with its officers and parties, a stage change, the case number. The start procedure (第八、九条,
``casetrail.start``) and the stage actions use them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from casetrail.cases.models import (
    Case,
    CaseNumberCounter,
    CaseOfficer,
    Category,
    Confidentiality,
    Party,
    Procedure,
    Stage,
    StageChange,
    StartStatus,
)
from casetrail.lib.errors import ActionError
from casetrail.lib.identifiers import valid_id_number, valid_phone
from casetrail.lib.ledgered import step
from casetrail.org.models import Officer, Role, Unit


@dataclass(frozen=True)
class PartyInput:
    """A party as entered: a natural person or an organisation."""

    kind: str
    name: str
    id_number: str = ""
    phone: str = ""
    address: str = ""
    credit_code: str = ""
    representative: str = ""
    role: str = Party.Role.PARTY


@dataclass(frozen=True)
class CaseInput:
    """What every start mode asks for the case itself."""

    unit: Unit
    title: str
    category: str
    officers: list[Officer]
    procedure: str = Procedure.ORDINARY
    is_major: bool = False
    confidentiality: str = Confidentiality.NORMAL
    parties: list[PartyInput] = field(default_factory=list)


def require_handler(officer: Officer, today: dt.date) -> None:
    """Only a handler holding a certificate valid on the agency's ``today`` acts (行政处罚法第四十二条)."""
    if not officer.has_role(Role.HANDLER):
        raise ActionError("not_a_handler", "只有承办人可以办理此事项", status=403)
    if not officer.certificate_valid_on(today):
        raise ActionError(
            "certificate_invalid",
            f"{officer.name}的执法证件在今天无效（行政处罚法第四十二条），请先更新证件信息",
        )


def require_assigned(case: Case, officer: Officer) -> None:
    if not case.assignments.filter(officer=officer).exists():
        raise ActionError("not_assigned", "只有本案承办人员可以办理此事项", status=403)


def validate_party(p: PartyInput, index: int) -> None:
    label = f"第{index + 1}个当事人"
    if p.kind not in Party.Kind.values:
        raise ActionError("invalid_party_kind", f"{label}：类型应为自然人或组织", field="parties")
    if not p.name.strip():
        raise ActionError("party_name_required", f"{label}：请填写姓名或名称", field="parties")
    if p.kind == Party.Kind.PERSON and p.id_number and not valid_id_number(p.id_number):
        raise ActionError(
            "invalid_id_number", f"{label}：身份证号码格式或校验位不正确", field="parties"
        )
    if p.kind == Party.Kind.ORGANISATION and p.credit_code and len(p.credit_code.strip()) != 18:
        raise ActionError(
            "invalid_credit_code", f"{label}：统一社会信用代码应为18位", field="parties"
        )
    if p.phone and not valid_phone(p.phone):
        raise ActionError("invalid_phone", f"{label}：联系电话只能包含数字和 - +", field="parties")


def validate_case_input(data: CaseInput, officer: Officer, today: dt.date) -> None:
    if data.unit.agency_id != officer.agency_id:
        raise ActionError("invalid_unit", "承办机构不属于本机关", field="unit")
    if not data.title.strip():
        raise ActionError("title_required", "请填写案由或事项", field="title")
    if data.category not in Category.values:
        raise ActionError("invalid_category", "请选择事项类别", field="category")
    if data.procedure not in Procedure.values:
        raise ActionError("invalid_procedure", "程序应为普通程序或简易程序", field="procedure")
    if data.confidentiality not in Confidentiality.values:
        raise ActionError("invalid_confidentiality", "请选择密级", field="confidentiality")
    officers = {o.pk: o for o in data.officers}
    if officer.pk not in officers:
        raise ActionError("proposer_not_assigned", "登记人应为本案承办人员之一", field="officers")
    # 行政处罚法第四十二条: at least two officers holding valid certificates.
    if len(officers) < 2:
        raise ActionError(
            "too_few_officers", "执法人员不得少于两人（行政处罚法第四十二条）", field="officers"
        )
    for o in officers.values():
        if o.agency_id != officer.agency_id:
            raise ActionError("invalid_officer", f"{o.name}不是本机关执法人员", field="officers")
        if not o.is_active:
            raise ActionError("officer_inactive", f"{o.name}已停用，不能承办案件", field="officers")
        if not o.has_role(Role.HANDLER):
            raise ActionError("invalid_officer", f"{o.name}不是承办人", field="officers")
        if not o.certificate_valid_on(today):
            raise ActionError(
                "certificate_invalid",
                f"{o.name}的执法证件在今天无效（行政处罚法第四十二条）",
                field="officers",
            )
    for i, p in enumerate(data.parties):
        validate_party(p, i)


@step
def create_case(
    *, data: CaseInput, officer: Officer, mode: str, now: dt.datetime
) -> tuple[Case, list[Any]]:
    """The case in 程序启动 with its officers and parties. Returns the case and every row written."""
    case = Case.objects.create(
        agency_id=officer.agency_id,
        unit=data.unit,
        title=data.title.strip(),
        category=data.category,
        procedure=data.procedure,
        is_major=data.is_major,
        confidentiality=data.confidentiality,
        start_mode=mode,
        stage=Stage.START,
        start_status=StartStatus.REGISTERED,
        created_by=officer,
        created_at=now,
    )
    rows: list[Any] = [case]
    for o in {o.pk: o for o in data.officers}.values():
        rows.append(
            CaseOfficer.objects.create(
                case=case,
                officer=o,
                certificate_no=o.certificate_no,
                assigned_at=now,
                assigned_by=officer,
            )
        )
    for p in data.parties:
        rows.append(add_party(case=case, party=p, now=now))
    return case, rows


@step
def add_party(*, case: Case, party: PartyInput, now: dt.datetime) -> Party:
    return Party.objects.create(
        case=case,
        role=party.role,
        kind=party.kind,
        name=party.name.strip(),
        id_number=party.id_number.strip(),
        phone=party.phone.strip(),
        address=party.address.strip(),
        credit_code=party.credit_code.strip(),
        representative=party.representative.strip(),
        created_at=now,
    )


@step
def move_stage(
    *, case: Case, officer: Officer, to_stage: str, reason: str, now: dt.datetime
) -> StageChange:
    """Record the move and set the projection (the caller saves the case and records both)."""
    change = StageChange.objects.create(
        case=case, from_stage=case.stage, to_stage=to_stage, reason=reason, by=officer, at=now
    )
    case.stage = to_stage
    if to_stage == Stage.CLOSED:
        case.closed_at = now
    return change


@step
def assign_number(*, case: Case, now: dt.datetime) -> CaseNumberCounter:
    """Gapless per agency and year: the counter row is locked and advanced in the approving
    transaction, so a rolled-back approval never consumes a number."""
    year = timezone.localdate(now).year
    CaseNumberCounter.objects.get_or_create(agency_id=case.agency_id, year=year)
    counter = CaseNumberCounter.objects.select_for_update().get(agency_id=case.agency_id, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    case.number_year, case.number_seq = year, counter.last
    case.number = case.agency.format_case_number(year=year, n=counter.last)
    return counter


def locked(case: Case) -> Case:
    """The case row locked for the running action, with its agency and unit."""
    return Case.objects.select_for_update().select_related("agency", "unit").get(pk=case.pk)
