"""The start of a case (第八、九条), every step side by side: registering an application (with the
oral application record), on-the-spot corrections, the one-time supplement notice, supplements
received, the receipt and the acceptance decision; the ex officio start with its 程序启动审批表 and
the emergency start approved afterwards; complaints and reports, taken up or not, and the written
notice to the complainant. What each approval chain does when it ends is here too.

Every public function is a ledgered action (``casetrail.lib.ledgered``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone

from casetrail.approvals.models import Chain, ChainKind
from casetrail.approvals.writes import open_chain
from casetrail.cases.models import Case, Party, Stage, StartMode, StartStatus
from casetrail.cases.writes import (
    CaseInput,
    PartyInput,
    add_party,
    create_case,
    locked,
    move_stage,
    require_assigned,
    require_handler,
    validate_case_input,
    validate_party,
)
from casetrail.lib.errors import ActionError
from casetrail.lib.ledgered import Act, ActionName, action
from casetrail.org.models import Officer
from casetrail.records.models import Record
from casetrail.records.writes import add_record


class StartAction(ActionName):
    START_EX_OFFICIO = "case.start_ex_officio"
    FILE_START_FORM = "case.file_start_form"
    REGISTER_APPLICATION = "case.register_application"
    ON_THE_SPOT_CORRECTION = "application.on_the_spot_correction"
    SUPPLEMENT_RECEIVED = "application.supplement_received"
    RECEIPT = "application.application_receipt"
    SUPPLEMENT_NOTICE = "application.supplement_notice"
    PROPOSE_DECISION = "application.propose_decision"
    REGISTER_COMPLAINT = "case.register_complaint"
    PROPOSE_NOT_START = "complaint.propose_not_start"
    NOTIFY_COMPLAINANT = "complaint.notify"


def _record(act: Act, case: Case, officer: Officer, rows: list[Any]) -> None:
    act.record(
        agency=case.agency_id, actor=officer, subject=f"case:{case.pk}", rows=rows, case=case.pk
    )


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
    chain, first = open_chain(
        case=case,
        kind=ChainKind.CASE_START,
        record=record,
        proposer=officer,
        opinion=opinion,
        requires_legal=case.is_major,
        now=now,
    )
    rows: list[Any] = [record, chain, first]
    case.start_status = StartStatus.PENDING
    if emergency:
        # 情况紧急的，可以事后补报: the case opens now; approval is due within the configured hours.
        case.emergency = True
        case.approval_due_at = now + dt.timedelta(hours=settings.CASETRAIL_EMERGENCY_APPROVAL_HOURS)
        rows.append(
            move_stage(
                case=case,
                officer=officer,
                to_stage=Stage.INVESTIGATION,
                reason="情况紧急，先行启动，事后补报审批",
                now=now,
            )
        )
    case.save()
    rows.append(case)
    return rows


@action(StartAction.START_EX_OFFICIO)
def case_start_ex_officio(
    act: Act,
    /,
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
    today = timezone.localdate(now)
    require_handler(officer, today)
    validate_case_input(data, officer, today)
    if not data.parties:
        raise ActionError("party_required", "请至少填写一个当事人", field="parties")
    case, rows = create_case(data=data, officer=officer, mode=StartMode.EX_OFFICIO, now=now)
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
    _record(act, case, officer, rows)
    return case


@action(StartAction.FILE_START_FORM)
def case_file_start_form(
    act: Act,
    /,
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
    case = locked(case)
    require_handler(officer, timezone.localdate(now))
    require_assigned(case, officer)
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
    _record(act, case, officer, rows)
    return case


# --- on application (第八条) ------------------------------------------------------------------------


@action(StartAction.REGISTER_APPLICATION)
def case_register_application(
    act: Act,
    /,
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
    today = timezone.localdate(now)
    require_handler(officer, today)
    validate_case_input(data, officer, today)
    applicant = PartyInput(**{**applicant.__dict__, "role": Party.Role.APPLICANT})
    validate_party(applicant, 0)
    case, rows = create_case(data=data, officer=officer, mode=StartMode.APPLICATION, now=now)
    rows.append(add_party(case=case, party=applicant, now=now))
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
    _record(act, case, officer, rows)
    return case


def _application_open(case: Case, officer: Officer) -> Case:
    case = locked(case)
    require_handler(officer, timezone.localdate())
    require_assigned(case, officer)
    if case.start_mode != StartMode.APPLICATION:
        raise ActionError("not_an_application", "该案件不是依申请启动的")
    if case.start_status != StartStatus.REGISTERED:
        raise ActionError(
            "application_decided",
            f"申请当前状态为“{case.get_start_status_display()}”，不能再办理此事项",
        )
    return case


def _application_record(
    act: Act, case: Case, officer: Officer, kind: str, fields: dict[str, Any]
) -> Record:
    case = _application_open(case, officer)
    record = add_record(case=case, kind=kind, officer=officer, fields=fields, now=timezone.now())
    _record(act, case, officer, [record])
    return record


@action(StartAction.ON_THE_SPOT_CORRECTION)
def application_correct_on_the_spot(
    act: Act, /, *, case: Case, officer: Officer, fields: dict[str, Any]
) -> Record:
    """当场更正申请材料中的错误 (第八条), confirmed by the applicant."""
    return _application_record(act, case, officer, "on_the_spot_correction", fields)


@action(StartAction.SUPPLEMENT_RECEIVED)
def application_supplement_received(
    act: Act, /, *, case: Case, officer: Officer, fields: dict[str, Any]
) -> Record:
    """The materials the applicant supplemented after a notice (第八条)."""
    return _application_record(act, case, officer, "supplement_received", fields)


@action(StartAction.RECEIPT)
def application_receipt(
    act: Act, /, *, case: Case, officer: Officer, fields: dict[str, Any]
) -> Record:
    """出具书面凭证或回执 for the materials received (第八条)."""
    return _application_record(act, case, officer, "application_receipt", fields)


@action(StartAction.SUPPLEMENT_NOTICE)
def application_supplement_notice(
    act: Act,
    /,
    *,
    case: Case,
    officer: Officer,
    items: list[str],
    due_date: Any,
    new_items_reason: str = "",
) -> Record:
    """一次性告知 (第八条): one notice lists everything missing. A later notice is allowed only for
    items raised by materials supplemented after the previous notice, never for items that were
    already missing then."""
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
    _record(act, case, officer, [record])
    return record


def _acceptance_missing(case: Case) -> list[str]:
    """What acceptance still needs (第八条): the receipt issued, every supplement notice answered."""
    kinds = list(case.records.order_by("created_at", "id").values_list("kind", "created_at"))
    missing = []
    if not any(k == "application_receipt" for k, _ in kinds):
        missing.append("出具申请材料接收凭证（回执）")
    notices = [t for k, t in kinds if k == "supplement_notice"]
    if notices and not any(k == "supplement_received" and t > notices[-1] for k, t in kinds):
        missing.append("申请人按一次性告知补正材料后登记补正材料")
    return missing


@action(StartAction.PROPOSE_DECISION)
def application_propose_decision(
    act: Act, /, *, case: Case, officer: Officer, decision: str, reasons: str, opinion: str
) -> Chain:
    """The handler proposes to accept or refuse the application, with reasons; the decision goes
    through the approval chain (第六条). Acceptance needs the receipt issued and every supplement
    notice answered."""
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
    chain, first = open_chain(
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
    _record(act, case, officer, [record, chain, first, case])
    return chain


# --- complaints and reports (第九条第三款) ----------------------------------------------------------


@action(StartAction.REGISTER_COMPLAINT)
def case_register_complaint(
    act: Act,
    /,
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
    today = timezone.localdate(now)
    require_handler(officer, today)
    validate_case_input(data, officer, today)
    complainant = PartyInput(**{**complainant.__dict__, "role": Party.Role.COMPLAINANT})
    validate_party(complainant, 0)
    case, rows = create_case(data=data, officer=officer, mode=StartMode.COMPLAINT, now=now)
    rows.append(add_party(case=case, party=complainant, now=now))
    rows.append(
        add_record(
            case=case,
            kind="complaint_registration",
            officer=officer,
            now=now,
            fields={"received_at": received_at, "channel": channel, "content": content},
        )
    )
    _record(act, case, officer, rows)
    return case


@action(StartAction.PROPOSE_NOT_START)
def complaint_propose_not_start(
    act: Act, /, *, case: Case, officer: Officer, reasons: str, opinion: str
) -> Chain:
    """Propose not to take the complaint up; the decision goes through the approval chain."""
    case = locked(case)
    require_handler(officer, timezone.localdate())
    require_assigned(case, officer)
    if case.start_mode != StartMode.COMPLAINT or case.start_status != StartStatus.REGISTERED:
        raise ActionError("complaint_decided", "该投诉举报已作出处理，不能再提出不予启动")
    now = timezone.now()
    record = add_record(
        case=case, kind="complaint_decision", officer=officer, now=now, fields={"reasons": reasons}
    )
    chain, first = open_chain(
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
    _record(act, case, officer, [record, chain, first, case])
    return chain


@action(StartAction.NOTIFY_COMPLAINANT)
def complaint_notify(
    act: Act, /, *, case: Case, officer: Officer, notified_at: Any, method: str, content: str
) -> Record:
    """第九条: tell the complainant in writing that no procedure is started, and keep the record.
    Recording the notice closes the matter."""
    case = locked(case)
    require_assigned(case, officer)
    if case.start_status != StartStatus.NOT_TAKEN_UP or case.stage != Stage.START:
        raise ActionError("notice_not_due", "只有经批准不予启动、尚未告知的投诉举报才需要书面告知")
    now = timezone.now()
    record = add_record(
        case=case,
        kind="complaint_notice",
        officer=officer,
        now=now,
        fields={"notified_at": notified_at, "method": method, "content": content},
    )
    change = move_stage(
        case=case,
        officer=officer,
        to_stage=Stage.CLOSED,
        reason="不予启动并已书面告知投诉举报人",
        now=now,
    )
    case.save()
    _record(act, case, officer, [record, change, case])
    return record
