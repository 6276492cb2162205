"""The start steps taken on a registered case, as acts of the case's step page and API
(``/cases/<id>/<slug>/``, ``/api/cases/<id>/<slug>/``), registered from ``StartConfig.ready()``."""

from __future__ import annotations

from casetrail.cases.hooks import CaseAct
from casetrail.cases.models import Case, Procedure, Stage, StartMode, StartStatus
from casetrail.records.forms import OPINION, catalogue_form
from casetrail.start import actions


def _application_registered(case: Case) -> bool:
    return case.start_mode == StartMode.APPLICATION and case.start_status == StartStatus.REGISTERED


def _complaint_registered(case: Case) -> bool:
    return case.start_mode == StartMode.COMPLAINT and case.start_status == StartStatus.REGISTERED


def _complaint_not_taken_up(case: Case) -> bool:
    return case.start_status == StartStatus.NOT_TAKEN_UP and case.stage == Stage.START


def _summary_to_file(case: Case) -> bool:
    return (
        case.procedure == Procedure.SUMMARY
        and case.stage in (Stage.DECISION, Stage.SERVICE)
        and not case.records.filter(kind="summary_filing_record").exists()
    )


ACTS: dict[str, CaseAct] = {
    "correction": CaseAct(
        "当场更正申请材料",
        lambda case: catalogue_form("on_the_spot_correction"),
        lambda case, officer, d: actions.application_correct_on_the_spot(
            case=case, officer=officer, fields=d
        ),
        _application_registered,
        order=10,
    ),
    "supplement-notice": CaseAct(
        "一次性告知补正",
        lambda case: catalogue_form("supplement_notice"),
        lambda case, officer, d: actions.application_supplement_notice(
            case=case,
            officer=officer,
            items=d["items"].splitlines(),
            due_date=d["due_date"],
            new_items_reason=d["new_items_reason"],
        ),
        _application_registered,
        order=11,
    ),
    "supplement-received": CaseAct(
        "登记补正材料",
        lambda case: catalogue_form("supplement_received"),
        lambda case, officer, d: actions.application_supplement_received(
            case=case, officer=officer, fields=d
        ),
        _application_registered,
        order=12,
    ),
    "receipt": CaseAct(
        "出具书面凭证（回执）",
        lambda case: catalogue_form("application_receipt"),
        lambda case, officer, d: actions.application_receipt(case=case, officer=officer, fields=d),
        _application_registered,
        order=13,
    ),
    "application-decision": CaseAct(
        "提出受理 / 不予受理意见",
        lambda case: catalogue_form("application_decision", extra=OPINION),
        lambda case, officer, d: actions.application_propose_decision(
            case=case,
            officer=officer,
            decision=d["decision"],
            reasons=d["reasons"],
            opinion=d["opinion"],
        ),
        _application_registered,
        order=14,
    ),
    "start-form": CaseAct(
        "立案调查：填写程序启动审批表",
        lambda case: catalogue_form("start_approval_form", extra=OPINION),
        lambda case, officer, d: actions.case_file_start_form(
            case=case,
            officer=officer,
            reason=d["reason"],
            party_facts=d["party_facts"],
            opinion=d["opinion"],
            emergency=d["emergency"],
            emergency_reason=d["emergency_reason"],
        ),
        _complaint_registered,
        order=20,
    ),
    "complaint-decision": CaseAct(
        "提出不予启动意见",
        lambda case: catalogue_form("complaint_decision", extra=OPINION),
        lambda case, officer, d: actions.complaint_propose_not_start(
            case=case, officer=officer, reasons=d["reasons"], opinion=d["opinion"]
        ),
        _complaint_registered,
        order=21,
    ),
    "complaint-notice": CaseAct(
        "书面告知投诉举报人",
        lambda case: catalogue_form("complaint_notice"),
        lambda case, officer, d: actions.complaint_notify(
            case=case,
            officer=officer,
            notified_at=d["notified_at"],
            method=d["method"],
            content=d["content"],
        ),
        _complaint_not_taken_up,
        order=22,
    ),
    "summary-filing": CaseAct(
        "报所属行政机关备案（简易程序）",
        lambda case: catalogue_form("summary_filing_record", case=case),
        lambda case, officer, d: actions.summary_file(case=case, officer=officer, fields=d),
        _summary_to_file,
        order=30,
    ),
}
