"""Building blocks that write cases inside an action (``@step``), and the checks they share: a case
with its officers and parties, a stage change, the case number. The start procedure (第八、九条,
``casetrail.start``) and the stage actions use them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]
from django.utils import timezone

from casetrail.cases.models import (
    Case,
    CaseNumberCounter,
    CaseOfficer,
    Category,
    Confidentiality,
    Mark,
    MarkKind,
    Party,
    Procedure,
    Stage,
    StageChange,
    StartStatus,
)
from casetrail.lib import statements
from casetrail.lib.counters import next_in_year
from casetrail.lib.errors import ActionError
from casetrail.lib.identifiers import clean_credit_code, clean_id_number, clean_phone
from casetrail.lib.ledgered import step
from casetrail.lib.text import clean_name, clean_text
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


_ASSIGNED = "SELECT 1 FROM cases_caseofficer WHERE case_id = %s AND officer_id = %s LIMIT 1"


def require_assigned(
    case: Case, officer: Officer, message: str = "只有本案承办人员可以办理此事项"
) -> None:
    """403 ``not_assigned`` unless ``officer`` is assigned to ``case`` (``message`` says what)."""
    # One plain statement (issue 18): asked by nearly every action, where the related manager and
    # the query compiler cost more than the lookup itself.
    if statements.execute(_ASSIGNED, [case.pk, officer.pk]).fetchone() is None:
        raise ActionError("not_assigned", message, status=403)


def normal_party(p: PartyInput, index: int) -> PartyInput:
    """The party checked and in its normal form: ID number and credit code as GB 11643 / GB 32100
    write them (full-width typing turned into ASCII, upper-case), names and texts within their
    columns' lengths and free of invisible characters. What is stored is what this returns."""
    label = f"第{index + 1}个当事人"
    if p.kind not in Party.Kind.values:
        raise ActionError("invalid_party_kind", f"{label}：类型应为自然人或组织", field="parties")
    name = clean_name(p.name, where=f"{label}·姓名或名称", field="parties")
    if not name:
        raise ActionError("party_name_required", f"{label}：请填写姓名或名称", field="parties")
    id_number = p.id_number.strip()
    if p.kind == Party.Kind.PERSON and id_number:
        id_number = clean_id_number(id_number, where=label, field="parties")
    credit_code = p.credit_code.strip()
    if p.kind == Party.Kind.ORGANISATION and credit_code:
        credit_code = clean_credit_code(credit_code, where=label, field="parties")
    phone = p.phone.strip() and clean_phone(p.phone, where=label, field="parties")
    return replace(
        p,
        name=name,
        # An ID number given for an organisation (its representative's) is kept as typed, but
        # within its column and free of invisible characters.
        id_number=clean_name(id_number, where=f"{label}·身份证件号码", field="parties", limit=30),
        credit_code=clean_name(
            credit_code, where=f"{label}·统一社会信用代码", field="parties", limit=18
        ),
        phone=phone,
        address=clean_text(p.address, where=f"{label}·住址", field="parties", limit=200),
        representative=clean_name(
            p.representative, where=f"{label}·法定代表人", field="parties", limit=40
        ),
    )


def validate_party(p: PartyInput, index: int) -> None:
    normal_party(p, index)


def validate_case_input(data: CaseInput, officer: Officer, today: dt.date) -> None:
    if data.unit.agency_id != officer.agency_id:
        raise ActionError("invalid_unit", "承办机构不属于本机关", field="unit")
    if not clean_text(data.title, where="案由或事项", field="title", limit=200):
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
    for i, p in enumerate(data.parties):
        rows.append(add_party(case=case, party=p, now=now, index=i))
    return case, rows


@step
def add_party(*, case: Case, party: PartyInput, now: dt.datetime, index: int = 0) -> Party:
    """The party in its normal form (``normal_party``)."""
    p = normal_party(party, index)
    return Party.objects.create(
        case=case,
        role=p.role,
        kind=p.kind,
        name=p.name,
        id_number=p.id_number,
        phone=p.phone,
        address=p.address,
        credit_code=p.credit_code,
        representative=p.representative,
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
    counter = next_in_year(CaseNumberCounter, year=year, agency_id=case.agency_id)
    case.number_year, case.number_seq = year, counter.last
    case.number = case.agency.format_case_number(year=year, n=counter.last)
    return counter


def _locked_query() -> QuerySet[Case]:
    return Case.objects.select_for_update(no_key=True, of=("self",)).select_related(
        "agency", "unit"
    )


# The query of ``locked``, compiled once per database vendor (issue 18): nearly every action opens
# with it, and compiling it (select_related, the lock clause) cost more than running it.
_Plan = tuple[str, Any, Any, list[str], list[Any], int, int]
_LOCKED: dict[str, _Plan] = {}


def _locked_plan() -> _Plan:
    plan = _LOCKED.get(connection.vendor)
    if plan is None:
        compiler = _locked_query().filter(pk=-1).query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        if list(params) != [-1]:  # the case's id is the query's only parameter
            raise RuntimeError(f"locked(): unexpected parameters {params!r}")
        select, klass_info = compiler.select, compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        init_list = [f[0].target.attname for f in select[start:end]]
        converters = compiler.get_converters([f[0] for f in select])
        populators = get_related_populators(klass_info, select, connection.alias)
        plan = (sql, compiler, converters, init_list, populators, start, end)
        _LOCKED[connection.vendor] = plan
    return plan


def locked(case: Case) -> Case:
    """The case row locked for the running action, with its agency and unit: the same row and
    related objects as ``Case.objects.select_for_update(no_key=True, of=("self",))
    .select_related("agency", "unit").get(pk=case.pk)``, from a statement compiled once."""
    if not connection.in_atomic_block:
        return _locked_query().get(pk=case.pk)  # the ORM's own refusal outside a transaction
    sql, compiler, converters, init_list, populators, start, end = _locked_plan()
    with connection.cursor() as cursor:
        cursor.execute(sql, [case.pk])
        row = cursor.fetchone()
    if row is None:
        raise Case.DoesNotExist("Case matching query does not exist.")
    if converters:
        row = next(iter(compiler.apply_converters([row], converters)))
    obj = Case.from_db(connection.alias, init_list, row[start:end])
    for populator in populators:
        populator.populate(row, obj)
    return obj


# A mark as people may send it: its code or its Chinese name.
MARK_NAMES = {k.value: k.value for k in MarkKind} | {str(k.label): k.value for k in MarkKind}


def clean_mark(kind: str, reason: str, *, field: str = "kind") -> tuple[str, str]:
    """The mark's code and reason, checked before anything is written. 国家秘密 is refused: such
    material is never put in the system (第三十三条), only where its paper is kept."""
    code = MARK_NAMES.get(str(kind or "").strip(), "")
    if code == MarkKind.STATE_SECRET:
        raise ActionError(
            "state_secret_not_uploaded",
            "国家秘密材料不得上传或录入本系统（第三十三条）；请登记纸质材料的存放地点和保管人",
            field=field,
        )
    if not code:
        raise ActionError("invalid_mark", "标记应为：商业秘密或个人隐私", field=field)
    reason = clean_text(reason, where="标记理由", field="mark_reason", limit=300)
    if not reason:
        raise ActionError("mark_reason_required", "请说明标记理由", field="mark_reason")
    return code, reason


@step
def add_mark(
    *, case: Case, officer: Officer, target: str, kind: str, reason: str, title: str = ""
) -> Mark:
    """A 商业秘密 / 个人隐私 mark on an object of the case (its ledger subject ``target``), inside
    the action of the app that owns the object and checked it belongs to the case. 国家秘密 is
    refused: such material is never put in the system (``state_secret_register`` records where
    the paper is kept instead)."""
    kind, reason = clean_mark(kind, reason)
    if Mark.objects.filter(case=case, target=target, kind=kind).exists():
        raise ActionError("already_marked", f"该材料已标记为{MarkKind(kind).label}", field="kind")
    return Mark.objects.create(
        case=case,
        target=target,
        kind=kind,
        title=clean_text(title, where="材料名称", field="title", limit=200),
        reason=reason,
        by=officer,
        at=timezone.now(),
    )
