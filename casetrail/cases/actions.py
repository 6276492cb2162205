"""Writes of cases: how a case starts (第八、九条), moves between stages, and closes.

Every public function here is one action: typed, keyword-only, one transaction, one ledger entry.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from casetrail.approvals.actions import open_chain
from casetrail.approvals.models import Chain, ChainKind
from casetrail.cases.models import (
    STAGE_ORDER,
    Case,
    CaseNumberCounter,
    CaseOfficer,
    Category,
    Confidentiality,
    Party,
    Procedure,
    Stage,
    StageChange,
    StartMode,
    StartStatus,
)
from casetrail.cases.rules import transition_blockers
from casetrail.ledger.actions import ledger_append
from casetrail.ledger.facts import fact_of
from casetrail.lib.errors import ActionError
from casetrail.org.models import Officer, Role, Unit
from casetrail.records.actions import add_record
from casetrail.records.models import Record


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


# --- validation --------------------------------------------------------------------------------


def _require_handler(officer: Officer, today: dt.date) -> None:
    if not officer.has_role(Role.HANDLER):
        raise ActionError("not_a_handler", "只有承办人可以办理此事项", status=403)
    if not officer.certificate_valid_on(today):
        raise ActionError(
            "certificate_invalid",
            f"{officer.name}的执法证件在今天无效（行政处罚法第四十二条），请先更新证件信息",
        )


def _require_assigned(case: Case, officer: Officer) -> None:
    if not case.assignments.filter(officer=officer).exists():
        raise ActionError("not_assigned", "只有本案承办人员可以办理此事项", status=403)


def _validate_party(p: PartyInput, index: int) -> None:
    label = f"第{index + 1}个当事人"
    if p.kind not in Party.Kind.values:
        raise ActionError("invalid_party_kind", f"{label}：类型应为自然人或组织", field="parties")
    if not p.name.strip():
        raise ActionError("party_name_required", f"{label}：请填写姓名或名称", field="parties")
    if p.kind == Party.Kind.PERSON and p.id_number and not _valid_id_number(p.id_number):
        raise ActionError(
            "invalid_id_number", f"{label}：身份证号码格式或校验位不正确", field="parties"
        )
    if p.kind == Party.Kind.ORGANISATION and p.credit_code and len(p.credit_code.strip()) != 18:
        raise ActionError(
            "invalid_credit_code", f"{label}：统一社会信用代码应为18位", field="parties"
        )
    if p.phone and not all(c.isdigit() or c in "-+ " for c in p.phone):
        raise ActionError("invalid_phone", f"{label}：联系电话只能包含数字和 - +", field="parties")


def _valid_id_number(value: str) -> bool:
    """GB 11643 check digit of an 18-digit 居民身份证号码."""
    v = value.strip().upper()
    if len(v) != 18 or not v[:17].isdigit() or not (v[17].isdigit() or v[17] == "X"):
        return False
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(v[:17], weights, strict=True))
    return "10X98765432"[total % 11] == v[17]


def _validate_case_input(data: CaseInput, officer: Officer, today: dt.date) -> None:
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
        if not o.has_role(Role.HANDLER):
            raise ActionError("invalid_officer", f"{o.name}不是承办人", field="officers")
        if not o.certificate_valid_on(today):
            raise ActionError(
                "certificate_invalid",
                f"{o.name}的执法证件在今天无效（行政处罚法第四十二条）",
                field="officers",
            )
    for i, p in enumerate(data.parties):
        _validate_party(p, i)


def _create_case(
    *, data: CaseInput, officer: Officer, mode: str, now: dt.datetime
) -> tuple[Case, list[Any]]:
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
        rows.append(_add_party(case, p, now))
    return case, rows


def _add_party(case: Case, p: PartyInput, now: dt.datetime) -> Party:
    return Party.objects.create(
        case=case,
        role=p.role,
        kind=p.kind,
        name=p.name.strip(),
        id_number=p.id_number.strip(),
        phone=p.phone.strip(),
        address=p.address.strip(),
        credit_code=p.credit_code.strip(),
        representative=p.representative.strip(),
        created_at=now,
    )


def _append(case: Case, officer: Officer, action: str, rows: list[Any], **extra: Any) -> None:
    ledger_append(
        agency=case.agency,
        actor=officer,
        action=action,
        subject=f"case:{case.pk}",
        payload={"case": case.pk, "rows": [fact_of(r) for r in rows], **extra},
        case_id=case.pk,
    )


def _move(
    case: Case, officer: Officer, to_stage: str, reason: str, now: dt.datetime
) -> StageChange:
    change = StageChange.objects.create(
        case=case, from_stage=case.stage, to_stage=to_stage, reason=reason, by=officer, at=now
    )
    case.stage = to_stage
    if to_stage == Stage.CLOSED:
        case.closed_at = now
    return change


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().select_related("agency", "unit").get(pk=case.pk)


# --- ex officio (第九条) ---------------------------------------------------------------------------


def _file_start_form(
    *,
    case: Case,
    officer: Officer,
    reason: str,
    party_facts: str,
    opinion: str,
    emergency: bool,
    emergency_reason: str,
    now: dt.datetime,
) -> list[Any]:
    if emergency and not emergency_reason.strip():
        raise ActionError(
            "emergency_reason_required",
            "情况紧急先行启动的，请说明紧急情况",
            field="emergency_reason",
        )
    record = add_record(
        case=case,
        kind="start_approval_form",
        officer=officer,
        now=now,
        fields={
            "reason": reason,
            "party_facts": party_facts,
            "emergency": emergency,
            "emergency_reason": emergency_reason,
        },
    )
    # 第九条: 重大行政执法行为 need the legal unit's legality review before the director decides.
    chain, step = open_chain(
        case=case,
        kind=ChainKind.CASE_START,
        record=record,
        proposer=officer,
        opinion=opinion,
        requires_legal=case.is_major,
        now=now,
    )
    rows: list[Any] = [record, chain, step]
    case.start_status = StartStatus.PENDING
    if emergency:
        # 情况紧急的，可以事后补报: the case opens now; approval is due within the configured hours.
        case.emergency = True
        case.approval_due_at = now + dt.timedelta(hours=settings.CASETRAIL_EMERGENCY_APPROVAL_HOURS)
        rows.append(
            _move(case, officer, Stage.INVESTIGATION, "情况紧急，先行启动，事后补报审批", now)
        )
    case.save()
    rows.append(case)
    return rows


def case_start_ex_officio(
    *,
    officer: Officer,
    data: CaseInput,
    reason: str,
    party_facts: str,
    opinion: str,
    emergency: bool = False,
    emergency_reason: str = "",
) -> Case:
    """依职权启动 (第九条): the handler fills the 程序启动审批表, which goes to the unit reviewer and the
    director (and the legal unit first when the case is 重大). In an emergency the case opens at once
    and the approval follows within the configured limit."""
    now = timezone.now()
    with transaction.atomic():
        _require_handler(officer, now.date())
        _validate_case_input(data, officer, timezone.localdate(now))
        if not data.parties:
            raise ActionError("party_required", "请至少填写一个当事人", field="parties")
        case, rows = _create_case(data=data, officer=officer, mode=StartMode.EX_OFFICIO, now=now)
        rows += _file_start_form(
            case=case,
            officer=officer,
            reason=reason,
            party_facts=party_facts,
            opinion=opinion,
            emergency=emergency,
            emergency_reason=emergency_reason,
            now=now,
        )
        _append(case, officer, "case.start_ex_officio", rows)
        return case


def case_file_start_form(
    *,
    case: Case,
    officer: Officer,
    reason: str,
    party_facts: str,
    opinion: str,
    emergency: bool = False,
    emergency_reason: str = "",
) -> Case:
    """Take up a complaint or report: the handler files the 程序启动审批表 in the registered case."""
    now = timezone.now()
    with transaction.atomic():
        case = _locked(case)
        _require_handler(officer, now.date())
        _require_assigned(case, officer)
        if case.start_mode != StartMode.COMPLAINT or case.start_status != StartStatus.REGISTERED:
            raise ActionError(
                "start_form_not_allowed", "只有已登记、尚未决定的投诉举报可以填写程序启动审批表"
            )
        if not case.parties.filter(role=Party.Role.PARTY).exists():
            raise ActionError("party_required", "请先登记被投诉举报的当事人", field="parties")
        rows = _file_start_form(
            case=case,
            officer=officer,
            reason=reason,
            party_facts=party_facts,
            opinion=opinion,
            emergency=emergency,
            emergency_reason=emergency_reason,
            now=now,
        )
        _append(case, officer, "case.file_start_form", rows)
        return case


def _assign_number(case: Case, now: dt.datetime) -> CaseNumberCounter:
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


def _open_case(case: Case, officer: Officer, now: dt.datetime, reason: str) -> list[Any]:
    rows: list[Any] = [_assign_number(case, now)]
    case.start_status, case.approved_at = StartStatus.APPROVED, now
    if case.stage == Stage.START:
        rows.append(_move(case, officer, Stage.INVESTIGATION, reason, now))
    return rows


def _close_unstarted(
    case: Case, officer: Officer, status: str, reason: str, now: dt.datetime
) -> list[Any]:
    case.start_status = status
    return [_move(case, officer, Stage.CLOSED, reason, now)]


def start_chain_ended(
    *, chain: Chain, officer: Officer, approved: bool, now: dt.datetime
) -> dict[str, Any]:
    """Effect of the 程序启动审批: approved opens the case with its number; refused closes it."""
    case = _locked(chain.case)
    if approved:
        rows = _open_case(case, officer, now, "程序启动审批表经局长批准")
    else:
        rows = _close_unstarted(case, officer, StartStatus.REFUSED, "程序启动未获批准", now)
    case.save()
    return {"rows": [fact_of(r) for r in [*rows, case]]}


def application_chain_ended(
    *, chain: Chain, officer: Officer, approved: bool, now: dt.datetime
) -> dict[str, Any]:
    """Effect of the 受理审批: an approved acceptance opens the case; an approved refusal closes it
    as 不予受理. A chain that is not approved leaves the application registered for a new proposal."""
    case = _locked(chain.case)
    rows: list[Any] = []
    if approved and chain.record.fields["decision"] == "accept":
        rows = _open_case(case, officer, now, "申请经审批予以受理")
    elif approved:
        rows = _close_unstarted(case, officer, StartStatus.NOT_ACCEPTED, "申请经审批不予受理", now)
    else:
        case.start_status = StartStatus.REGISTERED
    case.save()
    return {"rows": [fact_of(r) for r in [*rows, case]]}


def complaint_chain_ended(
    *, chain: Chain, officer: Officer, approved: bool, now: dt.datetime
) -> dict[str, Any]:
    """Effect of the 不予启动审批: once approved the complainant must be told in writing (第九条);
    the case closes when that notice is recorded."""
    case = _locked(chain.case)
    case.start_status = StartStatus.NOT_TAKEN_UP if approved else StartStatus.REGISTERED
    case.save()
    return {"rows": [fact_of(case)]}


# --- on application (第八条) ------------------------------------------------------------------------


def case_register_application(
    *,
    officer: Officer,
    data: CaseInput,
    applicant: PartyInput,
    received_at: Any,
    matter: str,
    materials: list[str],
    oral: bool = False,
    oral_statement: str = "",
    applicant_signed: bool = False,
) -> Case:
    """依申请: register the application (time, applicant, matter, materials). An oral application is
    written down as a record the applicant signs (第八条)."""
    now = timezone.now()
    with transaction.atomic():
        _require_handler(officer, now.date())
        _validate_case_input(data, officer, timezone.localdate(now))
        applicant = PartyInput(**{**applicant.__dict__, "role": Party.Role.APPLICANT})
        _validate_party(applicant, 0)
        case, rows = _create_case(data=data, officer=officer, mode=StartMode.APPLICATION, now=now)
        rows.append(_add_party(case, applicant, now))
        rows.append(
            add_record(
                case=case,
                kind="application_registration",
                officer=officer,
                now=now,
                fields={
                    "received_at": received_at,
                    "matter": matter,
                    "materials": materials,
                    "oral": oral,
                },
            )
        )
        if oral:
            rows.append(
                add_record(
                    case=case,
                    kind="oral_application_record",
                    officer=officer,
                    now=now,
                    fields={
                        "statement": oral_statement,
                        "applicant_signed": applicant_signed,
                        "signed_at": received_at,
                    },
                )
            )
        _append(case, officer, "case.register_application", rows)
        return case


def _application_open(case: Case, officer: Officer) -> Case:
    case = _locked(case)
    _require_handler(officer, timezone.localdate())
    _require_assigned(case, officer)
    if case.start_mode != StartMode.APPLICATION:
        raise ActionError("not_an_application", "该案件不是依申请启动的")
    if case.start_status != StartStatus.REGISTERED:
        raise ActionError(
            "application_decided",
            f"申请当前状态为“{case.get_start_status_display()}”，不能再办理此事项",
        )
    return case


def application_record(
    *, case: Case, officer: Officer, kind: str, fields: dict[str, Any]
) -> Record:
    """Record one step of handling an application: an on-the-spot correction, the materials
    supplemented, or the written receipt (第八条)."""
    if kind not in ("on_the_spot_correction", "supplement_received", "application_receipt"):
        raise ActionError("unknown_document_type", f"申请办理中没有“{kind}”这一记录")
    with transaction.atomic():
        case = _application_open(case, officer)
        record = add_record(
            case=case, kind=kind, officer=officer, fields=fields, now=timezone.now()
        )
        _append(case, officer, f"application.{kind}", [record])
        return record


def application_supplement_notice(
    *, case: Case, officer: Officer, items: list[str], due_date: Any, new_items_reason: str = ""
) -> Record:
    """一次性告知 (第八条): one notice lists everything missing. A later notice is allowed only for
    items raised by materials supplemented after the previous notice, never for items that were
    already missing then."""
    with transaction.atomic():
        case = _application_open(case, officer)
        now = timezone.now()
        earlier = list(case.records.filter(kind="supplement_notice").order_by("created_at", "id"))
        if earlier:
            last = earlier[-1]
            listed = {i for r in earlier for i in r.fields["items"]}
            repeated = [i.strip() for i in items if i.strip() in listed]
            if repeated:
                raise ActionError(
                    "supplement_items_already_notified",
                    "以下内容已在此前的补正通知中告知，不得再次告知：" + "、".join(repeated),
                )
            supplemented_after = case.records.filter(
                kind="supplement_received", created_at__gt=last.created_at
            ).exists()
            if not supplemented_after or not new_items_reason.strip():
                raise ActionError(
                    "supplement_items_already_missing",
                    "应一次性告知需补正的全部内容（第八条）。只有申请人补正后的材料引出新的问题时，"
                    "才能再次告知，并须说明理由",
                )
        record = add_record(
            case=case,
            kind="supplement_notice",
            officer=officer,
            now=now,
            fields={"items": items, "due_date": due_date, "new_items_reason": new_items_reason},
        )
        _append(case, officer, "application.supplement_notice", [record])
        return record


def application_propose_decision(
    *, case: Case, officer: Officer, decision: str, reasons: str, opinion: str
) -> Chain:
    """The handler proposes to accept or refuse the application, with reasons; the decision goes
    through the approval chain (第六条). Acceptance needs the receipt issued and every supplement
    notice answered."""
    with transaction.atomic():
        case = _application_open(case, officer)
        now = timezone.now()
        if decision == "accept":
            missing = _acceptance_missing(case)
            if missing:
                raise ActionError(
                    "application_incomplete", "受理前还需：" + "；".join(missing), details=missing
                )
        record = add_record(
            case=case,
            kind="application_decision",
            officer=officer,
            now=now,
            fields={"decision": decision, "reasons": reasons},
        )
        chain, step = open_chain(
            case=case,
            kind=ChainKind.APPLICATION_DECISION,
            record=record,
            proposer=officer,
            opinion=opinion,
            requires_legal=case.is_major,
            now=now,
        )
        case.start_status = StartStatus.PENDING
        case.save()
        _append(case, officer, "application.propose_decision", [record, chain, step, case])
        return chain


def _acceptance_missing(case: Case) -> list[str]:
    kinds = list(case.records.order_by("created_at", "id").values_list("kind", "created_at"))
    missing = []
    if not any(k == "application_receipt" for k, _ in kinds):
        missing.append("出具申请材料接收凭证（回执）")
    notices = [t for k, t in kinds if k == "supplement_notice"]
    if notices and not any(k == "supplement_received" and t > notices[-1] for k, t in kinds):
        missing.append("申请人按一次性告知补正材料后登记补正材料")
    return missing


# --- complaints and reports (第九条第三款) ----------------------------------------------------------


def case_register_complaint(
    *,
    officer: Officer,
    data: CaseInput,
    complainant: PartyInput,
    received_at: Any,
    channel: str,
    content: str,
) -> Case:
    """Register a complaint or report; it is then either taken up (程序启动审批表) or not."""
    now = timezone.now()
    with transaction.atomic():
        _require_handler(officer, now.date())
        _validate_case_input(data, officer, timezone.localdate(now))
        complainant = PartyInput(**{**complainant.__dict__, "role": Party.Role.COMPLAINANT})
        _validate_party(complainant, 0)
        case, rows = _create_case(data=data, officer=officer, mode=StartMode.COMPLAINT, now=now)
        rows.append(_add_party(case, complainant, now))
        rows.append(
            add_record(
                case=case,
                kind="complaint_registration",
                officer=officer,
                now=now,
                fields={"received_at": received_at, "channel": channel, "content": content},
            )
        )
        _append(case, officer, "case.register_complaint", rows)
        return case


def complaint_propose_not_start(
    *, case: Case, officer: Officer, reasons: str, opinion: str
) -> Chain:
    """Propose not to take the complaint up; the decision goes through the approval chain."""
    with transaction.atomic():
        case = _locked(case)
        _require_handler(officer, timezone.localdate())
        _require_assigned(case, officer)
        if case.start_mode != StartMode.COMPLAINT or case.start_status != StartStatus.REGISTERED:
            raise ActionError("complaint_decided", "该投诉举报已作出处理，不能再提出不予启动")
        now = timezone.now()
        record = add_record(
            case=case,
            kind="complaint_decision",
            officer=officer,
            now=now,
            fields={"reasons": reasons},
        )
        chain, step = open_chain(
            case=case,
            kind=ChainKind.COMPLAINT_DECISION,
            record=record,
            proposer=officer,
            opinion=opinion,
            requires_legal=False,
            now=now,
        )
        case.start_status = StartStatus.PENDING
        case.save()
        _append(case, officer, "complaint.propose_not_start", [record, chain, step, case])
        return chain


def complaint_notify(
    *, case: Case, officer: Officer, notified_at: Any, method: str, content: str
) -> Record:
    """第九条: tell the complainant in writing that no procedure is started, and keep the record.
    Recording the notice closes the matter."""
    with transaction.atomic():
        case = _locked(case)
        _require_assigned(case, officer)
        if case.start_status != StartStatus.NOT_TAKEN_UP or case.stage != Stage.START:
            raise ActionError(
                "notice_not_due", "只有经批准不予启动、尚未告知的投诉举报才需要书面告知"
            )
        now = timezone.now()
        record = add_record(
            case=case,
            kind="complaint_notice",
            officer=officer,
            now=now,
            fields={"notified_at": notified_at, "method": method, "content": content},
        )
        change = _move(case, officer, Stage.CLOSED, "不予启动并已书面告知投诉举报人", now)
        case.save()
        _append(case, officer, "complaint.notify", [record, change, case])
        return record


# --- stages ----------------------------------------------------------------------------------------


def case_advance(*, case: Case, officer: Officer, to_stage: str, reason: str) -> StageChange:
    """Move a case to its next stage. Refused, with every unmet condition listed, when the stage is
    out of order or a rule for leaving the current stage is not met."""
    with transaction.atomic():
        case = _locked(case)
        _require_assigned(case, officer)
        if to_stage not in STAGE_ORDER:
            raise ActionError("invalid_stage", f"没有“{to_stage}”这个阶段", field="to_stage")
        if not reason.strip():
            raise ActionError("reason_required", "请说明进入下一阶段的理由", field="reason")
        blockers = transition_blockers(case, to_stage)
        if blockers:
            raise ActionError(
                "transition_blocked",
                f"不能从“{case.get_stage_display()}”进入“{Stage(to_stage).label}”："
                + "；".join(blockers),
                details=blockers,
            )
        change = _move(case, officer, to_stage, reason.strip(), timezone.now())
        case.save()
        _append(case, officer, "case.advance", [change, case])
        return change
