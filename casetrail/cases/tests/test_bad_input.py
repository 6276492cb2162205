"""Bad input and safety: each refusal is clear (code + zh-Hans message) and writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from casetrail.approvals.models import Chain, Step
from casetrail.cases import actions
from casetrail.cases.models import Case, CaseOfficer, Party, Stage, StageChange
from casetrail.cases.writes import CaseInput, PartyInput
from casetrail.compliance.tests.builders import make
from casetrail.conftest import api_start, case_input, client_for, start_ex_officio
from casetrail.ledger.models import LedgerEntry
from casetrail.lib.errors import ActionError
from casetrail.org.actions import officer_certificate_record
from casetrail.records.models import Record
from casetrail.start.actions import case_start_ex_officio

TABLES = [Case, CaseOfficer, Party, Record, Chain, Step, StageChange, LedgerEntry]


def snapshot():
    return [m.objects.count() for m in TABLES]


@pytest.mark.parametrize(
    "overrides, code",
    [
        ({"title": ""}, "invalid_input"),
        ({"category": "nonsense"}, "invalid_input"),
        ({"reason": ""}, "invalid_input"),
        ({"parties": []}, "party_required"),
        (
            {"parties": [{"kind": "person", "name": "周某", "id_number": "110101199003074515"}]},
            "invalid_id_number",
        ),
        ({"parties": [{"kind": "alien", "name": "x"}]}, "invalid_input"),
        ({"officers": []}, "invalid_input"),
        ({"opinion": "   "}, "invalid_input"),
        ({"emergency": True}, "emergency_reason_required"),
        ({"unit": 999999}, "invalid_input"),
    ],
)
def test_it_refuses_invalid_or_missing_fields_and_writes_nothing(personas, overrides, code):
    before = snapshot()
    r = api_start(personas, **overrides)
    assert r.status_code == 400, r.content
    body = r.json()
    assert body["code"] == code and body["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"])  # a Chinese message
    assert snapshot() == before


def test_it_refuses_a_single_officer(personas):
    before = snapshot()
    r = api_start(personas, officers=[personas["zhang"].pk])
    assert r.status_code == 400 and r.json()["code"] == "too_few_officers"
    assert "第四十二条" in r.json()["message"]
    assert snapshot() == before


def test_it_refuses_an_officer_without_a_valid_certificate(personas):
    # Certificates renewed through the application: 李承办's runs out today, 张承办's tomorrow.
    today = timezone.localdate()
    for who, last_day in [("li", today), ("zhang", today + dt.timedelta(days=1))]:
        officer_certificate_record(
            by=personas["admin"],
            officer=personas[who],
            certificate_no=personas[who].certificate_no,
            valid_from=today - dt.timedelta(days=365),
            valid_to=last_day,
        )
    with time_machine.travel(timezone.now() + dt.timedelta(days=1), tick=False):
        before = snapshot()
        r = api_start(personas)
        assert r.status_code == 400 and r.json()["code"] == "certificate_invalid"
        assert "李承办" in r.json()["message"]
        assert snapshot() == before
    # The handler's own expired certificate stops them from acting at all.
    with time_machine.travel(timezone.now() + dt.timedelta(days=2), tick=False):
        r = api_start(personas)
        assert r.json()["code"] == "certificate_invalid" and "张承办" in r.json()["message"]
        assert snapshot() == before


def test_it_refuses_officers_of_another_agency(personas, other_agency):
    before = snapshot()
    r = api_start(personas, officers=[personas["zhang"].pk, other_agency["ma"].pk])
    assert r.status_code == 400 and snapshot() == before


def test_it_refuses_a_transition_out_of_order(personas, open_case):
    before = snapshot()
    with pytest.raises(ActionError) as err:
        actions.case_advance(
            case=open_case, officer=personas["zhang"], to_stage=Stage.SERVICE, reason="跳过审查"
        )
    assert err.value.code == "transition_blocked" and "审查决定" in err.value.message
    assert snapshot() == before
    make(open_case, personas, "interview_record")  # R12: an investigation leaves a trace
    change = actions.case_advance(
        case=open_case, officer=personas["zhang"], to_stage=Stage.DECISION, reason="调查终结"
    )
    assert change.to_stage == Stage.DECISION
    open_case.refresh_from_db()
    assert open_case.stage == Stage.DECISION


def test_it_refuses_to_leave_the_start_before_approval(personas, new_case):
    r = client_for("zhang").post(f"/cases/{new_case.pk}/advance/", {"reason": "开始调查"})
    assert r.status_code == 400
    page = r.content.decode()
    assert "程序启动尚未批准" in page and "R6（第六条）“程序启动审批”尚未审批完毕" in page
    new_case.refresh_from_db()
    assert new_case.stage == Stage.START


def test_it_refuses_a_second_open_chain_for_the_same_matter(personas, new_case):
    from django.utils import timezone

    from casetrail.approvals.writes import open_chain
    from casetrail.lib.ledgered import Act, ActionName, action

    class Probe(ActionName):
        PROPOSE_AGAIN = "test.propose_again"

    @action(Probe.PROPOSE_AGAIN)
    def propose_again(act: Act, /) -> None:
        open_chain(
            case=new_case,
            kind="case_start",
            record=new_case.records.first(),
            proposer=personas["zhang"],
            opinion="再次提交",
            requires_legal=False,
            now=timezone.now(),
        )

    with pytest.raises(ActionError) as err:
        propose_again()
    assert err.value.code == "chain_already_open"


def test_it_answers_404_for_a_foreign_agency_case_and_writes_nothing(personas, other_agency):
    foreign = case_start_ex_officio(
        officer=other_agency["ma"],
        data=CaseInput(
            unit=other_agency["ma"].unit,
            title="外机关案件",
            category="other",
            officers=[other_agency["ma"], other_agency["niu"]],
            parties=[PartyInput(kind="person", name="某")],
        ),
        reason="r",
        party_facts="p",
        opinion="o",
    )
    chain = Chain.objects.get(case=foreign)
    before = snapshot()
    zhang = client_for("zhang")
    assert zhang.get(f"/cases/{foreign.pk}/").status_code == 404
    assert zhang.get(f"/api/cases/{foreign.pk}/").status_code == 404
    assert (
        zhang.post(
            f"/api/cases/{foreign.pk}/advance/",
            {"fields": {"reason": "x"}},
            content_type="application/json",
        ).status_code
        == 404
    )
    r = client_for("zhao").post(
        f"/api/approvals/{chain.pk}/decide/",
        {"outcome": "approve", "opinion": "同意"},
        content_type="application/json",
    )
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert snapshot() == before


def test_it_refuses_a_datetime_in_the_future(personas):
    from django.utils import timezone

    before = snapshot()
    r = client_for("zhang").post(
        "/api/cases/applications/",
        {
            "unit": personas["zhang"].unit_id,
            "title": "申请",
            "category": "other",
            "officers": [personas["zhang"].pk, personas["li"].pk],
            "applicant": {"kind": "person", "name": "吴某"},
            "received_at": (timezone.now() + dt.timedelta(days=2)).isoformat(),
            "matter": "m",
            "materials": ["a"],
        },
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["code"] == "datetime_in_future"
    assert snapshot() == before


def test_it_keeps_the_record_when_a_correction_is_made(personas, open_case):
    from casetrail.records.actions import record_correct

    original = open_case.records.get(kind="start_approval_form")
    new = record_correct(
        record=original,
        officer=personas["zhang"],
        fields={"party_facts": "周某，男"},
        reason="笔误",
    )
    assert new.replaces_id == original.pk and new.correction_reason == "笔误"
    assert Record.objects.get(pk=original.pk).fields["party_facts"] == "周某，个体经营者"
    with pytest.raises(ActionError) as err:
        record_correct(record=original, officer=personas["zhang"], fields={}, reason="再改")
    assert err.value.code == "record_superseded"
    with pytest.raises(ActionError) as err:
        record_correct(record=new, officer=personas["wang"], fields={}, reason="x")
    assert err.value.code == "not_assigned"
    with pytest.raises(ActionError) as err:
        record_correct(record=new, officer=personas["zhang"], fields={}, reason=" ")
    assert err.value.code == "correction_reason_required"


def test_it_uses_the_case_input_helper(personas):
    # Guards the fixture itself: the default input is valid and makes one case with two officers.
    case = start_ex_officio(personas)
    assert case.assignments.count() == 2 and case_input(personas).title
