"""Cases with real catalogue documents for the records tests: an interview with a person's parts
and personal answers, and cases moved on to the service stage and to closure (through the
actions and the rules, with the compliance test builders)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from casetrail.cases.models import Case
from casetrail.compliance.tests.builders import advance, investigated, make, png
from casetrail.conftest import VALID_ID
from casetrail.records.actions import OfficerPresent, SignatureInput, record_create
from casetrail.records.models import Record

INTERVIEWEE = {
    "name": "周某",
    "id_number": VALID_ID,
    "phone": "13912345678",
    "address": "山西省晋城市陵川县崇文镇某街12号",
}
ANSWERS = "问：你的住址？\n答：崇文镇某街12号，电话13912345678。"


def present(personas: dict[str, Any]) -> list[OfficerPresent]:
    return [OfficerPresent(personas["zhang"].pk, True), OfficerPresent(personas["li"].pk, True)]


def interview(case: Case, personas: dict[str, Any], **fields: Any) -> Record:
    """A 询问笔录 of the current catalogue: the interviewee in parts, the answers personal."""
    now = timezone.localtime()
    values = {
        "started_at": (now - dt.timedelta(minutes=30)).isoformat(),
        "ended_at": now.isoformat(),
        "place": "陵川县民政局询问室",
        "interviewee": INTERVIEWEE,
        "interviewee_role": "party",
        "recorder": personas["li"].pk,
        "rights_told": True,
        "content": ANSWERS,
        "read_back": True,
        **fields,
    }
    return record_create(
        case=case,
        officer=personas["zhang"],
        kind="interview_record",
        fields=values,
        officers_present=present(personas),
        signatures=[
            SignatureInput("officers", "张承办、李承办", "drawn", image=png()),
            SignatureInput("interviewee", "周某", "drawn", image=png()),
        ],
    )


@pytest.fixture
def interviewed(open_case: Case, personas: dict[str, Any], evidence_store: Any) -> Record:
    return interview(open_case, personas)


def to_service(case: Case, personas: dict[str, Any]) -> Case:
    investigated(case, personas, interview=not case.records.filter(kind="interview_record"))
    advance(case, personas, "decision")
    for kind, extra in (
        ("investigation_final_report", {}),
        ("decision_approval_form", {"reviewer": personas["wang"].pk}),
        ("leader_approval", {}),
        ("administrative_decision", {"penalty_amount": "500.00"}),
    ):
        make(case, personas, kind, **extra)
    advance(case, personas, "service")
    return case


def to_closed(case: Case, personas: dict[str, Any]) -> Case:
    decision = case.records.get(kind="administrative_decision")
    make(case, personas, "service_receipt", document=decision.pk)
    make(case, personas, "performance_record", decision=decision.pk, status="full")
    advance(case, personas, "closed")
    return case
