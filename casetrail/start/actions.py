"""The start of a case (第八、九条), every step side by side: registering an application (with the
oral application record), on-the-spot corrections, the one-time supplement notice, supplements
received, the receipt and the acceptance decision; the ex officio start with its 程序启动审批表 and
the emergency start approved afterwards; complaints and reports, taken up or not, and the written
notice to the complainant; the summary procedure (第二十一条), opened and decided on the spot, and
its filing with the agency (备案). What each approval chain does when it ends is in effects.py.

Every public function is a ledgered action (``casetrail.lib.ledgered``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.utils import timezone

from casetrail.approvals.models import Chain
from casetrail.approvals.writes import open_chain
from casetrail.cases.models import Case, Party, Procedure, Stage, StartMode, StartStatus
from casetrail.cases.writes import (
    CaseInput,
    PartyInput,
    add_party,
    assign_number,
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
from casetrail.records.writes import SignatureInput, add_record, signature_uploads
from casetrail.start.kinds import StartChain
from casetrail.start.summary import OnTheSpot, check_on_the_spot, filing_due
from casetrail.start.writes import on_the_spot_documents


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
    START_ON_THE_SPOT = "case.start_on_the_spot"
    FILE_SUMMARY = "summary.file"


def _record(act: Act, case: Case, officer: Officer, rows: list[Any]) -> None:
    act.record(
        agency=case.agency_id, actor=officer, subject=f"case:{case.pk}", rows=rows, case=case.pk
    )


def _not_summary(data: CaseInput) -> None:
    """A summary case is opened and decided on the spot (行政处罚法第五十一、五十二条): it never waits
    for a start approval or an acceptance, so the other start modes take ordinary cases only."""
    if data.procedure == Procedure.SUMMARY:
        raise ActionError(
            "summary_is_on_the_spot",
            "简易程序案件由执法人员当场作出决定，不经程序启动审批：请使用“当场处罚（简易程序）”"
            "登记（第二十一条；行政处罚法第五十一、五十二条）",
            field="procedure",
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
        kind=StartChain.CASE_START,
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
    _not_summary(data)
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
    _not_summary(data)
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
        kind=StartChain.APPLICATION_DECISION,
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
    _not_summary(data)
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
        kind=StartChain.COMPLAINT_DECISION,
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


# --- the summary procedure (第二十一条; 行政处罚法第五十一、五十二条) -----------------------------------


@action(StartAction.START_ON_THE_SPOT, before=signature_uploads)
def case_start_on_the_spot(
    act: Act,
    /,
    *,
    officer: Officer,
    data: CaseInput,
    spot: OnTheSpot,
    certificates_shown: bool,
    signatures: dict[str, list[SignatureInput]],
) -> Case:
    """当场处罚 (简易程序; 第二十一条; 行政处罚法第五十一、五十二条): two officers holding valid
    certificates, shown to the party, decide a warning or a fine within the limits on the spot,
    without a prior start approval. One action records the case with its number, the 简易程序记录,
    the 当场行政处罚决定书 and the 送达回证 of its handing over (signed by the party, or the refusal
    noted); the case is then in 送达执行, and the decision must be filed with the agency within the
    configured working days (R21b). A fine over the limit, a collection on the spot that 第六十八、
    六十九条 do not allow or without its receipt number (第七十条), a 告知 not given (第四十四条) are
    refused before anything is written."""
    now = timezone.now()
    require_handler(officer, timezone.localdate(now))
    if len(data.parties) != 1:
        raise ActionError(
            "one_party_required", "当场处罚决定针对一个当事人，请填写该当事人", field="parties"
        )
    check_on_the_spot(spot, data.parties[0].kind, is_major=data.is_major, now=now)
    if not certificates_shown:
        raise ActionError(
            "certificate_not_shown",
            "执法人员当场作出行政处罚决定，应当向当事人出示执法证件并记录（第十一条；"
            "行政处罚法第五十二条）",
            field="certificates_shown",
        )
    data = replace(data, procedure=Procedure.SUMMARY)
    # The officers acted when the decision was made: their certificates must have been valid then.
    validate_case_input(data, officer, timezone.localdate(spot.decided_at))
    # The case exists from the moment the officers acted on the spot: its 登记时间 and number year.
    case, rows = create_case(
        data=data, officer=officer, mode=StartMode.ON_THE_SPOT, now=spot.decided_at
    )
    rows.append(assign_number(case=case, now=spot.decided_at))
    case.start_status, case.approved_at = StartStatus.APPROVED, spot.decided_at
    rows += on_the_spot_documents(
        case=case,
        officer=officer,
        party=case.parties.get(),
        officers=list({o.pk: o for o in data.officers}.values()),
        spot=spot,
        signatures=signatures,
        now=now,
    )
    case.save()
    rows.append(case)
    _record(act, case, officer, rows)
    return case


def _filing_open(case: Case, officer: Officer) -> Case:
    case = locked(case)
    require_handler(officer, timezone.localdate())
    require_assigned(case, officer)
    if case.procedure != Procedure.SUMMARY:
        raise ActionError("not_summary", "只有适用简易程序的案件需要报所属行政机关备案")
    if case.stage not in (Stage.DECISION, Stage.SERVICE):
        raise ActionError(
            "filing_not_open",
            f"本案当前为“{case.get_stage_display()}”，备案应在作出决定后、结案前办理",
        )
    if case.records.filter(kind="summary_filing_record").exists():
        raise ActionError("summary_already_filed", "本案已经备案；备案记录有误的，请在该记录上更正")
    return case


@action(StartAction.FILE_SUMMARY)
def summary_file(act: Act, /, *, case: Case, officer: Officer, fields: dict[str, Any]) -> Record:
    """备案 (第二十一条（五）; 行政处罚法第五十二条第三款): a handler of the summary case files the
    decision made on the spot with the agency, once, after it was made. Filing after the configured
    working days (R21b) needs the reason for the delay."""
    case = _filing_open(case, officer)
    now = timezone.now()
    record = add_record(
        case=case, kind="summary_filing_record", officer=officer, fields=fields, now=now
    )
    decision = case.records.get(pk=record.fields["decision"]["id"])
    decided = dt.datetime.fromisoformat(decision.fields["decided_at"])
    filed = dt.datetime.fromisoformat(record.fields["filed_at"])
    if filed < decided:
        raise ActionError(
            "filing_before_decision", "备案时间不能早于当场作出决定的时间", field="filed_at"
        )
    due = filing_due(decided)
    if timezone.localdate(filed) > due.day and not record.fields["late_reason"]:
        raise ActionError(
            "filing_late_reason_required",
            f"备案期限已于{due.day:%Y年%m月%d日}届满（{settings.CASETRAIL_SUMMARY_FILING_DAYS}"
            "个工作日），逾期备案须说明原因",
            field="late_reason",
        )
    _record(act, case, officer, [record])
    return record
