"""事先告知 before a penalty (行政处罚法第四十四、四十五、六十四条; rule R44), on a frozen clock: the
period runs CASETRAIL_ADVANCE_NOTICE_WORKDAYS (5) working days from the day service took effect,
counted on the holiday calendar (第八十五条); the party's answer — a statement, a hearing request,
a waiver — ends the wait; statements are reviewed; a requested hearing is held and then calls for
法制审核."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from casetrail.cases.actions import case_advance
from casetrail.compliance.deadlines import deadlines_of
from casetrail.compliance.engine import blockers
from casetrail.compliance.tests.builders import advance, make
from casetrail.conftest import approve_start, start_ex_officio
from casetrail.decisions.tests.builders import notify
from casetrail.decisions.tests.conftest import counts
from casetrail.decisions.tests.test_chain import propose_over_http
from casetrail.lib.errors import ActionError

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


def blocked(case, personas, to="decision"):
    before = counts()
    with pytest.raises(ActionError) as err:
        case_advance(case=case, officer=personas["zhang"], to_stage=to, reason="调查终结")
    assert err.value.code == "transition_blocked"
    assert counts() == before
    return [line for line in err.value.details if line.startswith("R44")]


def test_it_waits_five_working_days_across_new_year(personas, evidence_store):
    # Served on Monday 2026-12-28: 29, 30, 31 December, (1 January is a holiday), 4 and 5
    # January are the five working days; the party may answer until the end of 5 January.
    with time_machine.travel(at(2026, 12, 28, 9, 0)) as clock:
        case = approve_start(start_ex_officio(personas), personas)
        notify(case, personas, reply="")
        (line,) = blocked(case, personas)
        assert "2027年01月05日" in line and "5个工作日" in line
        (deadline,) = [d for d in deadlines_of(case) if d.rule == "R44"]
        assert deadline.due == dt.date(2027, 1, 5) and deadline.estimated and not deadline.done
        clock.move_to(at(2027, 1, 5, 17, 30))
        assert blocked(case, personas)  # the last day is still the party's
        clock.move_to(at(2027, 1, 6, 8, 30))
        advance(case, personas, "decision")
        make(case, personas, "investigation_final_report")
        r = propose_over_http(case)
        assert r.status_code == 201, r.content


def test_the_period_is_configurable_and_a_later_day_the_notice_granted_holds(
    personas, evidence_store, settings
):
    settings.CASETRAIL_ADVANCE_NOTICE_WORKDAYS = 3
    with time_machine.travel(at(2026, 12, 7, 9, 0)) as clock:  # a Monday
        case = approve_start(start_ex_officio(personas), personas)
        notify(case, personas, reply="")
        (deadline,) = [d for d in deadlines_of(case) if d.rule == "R44"]
        assert deadline.due == dt.date(2026, 12, 10) and not deadline.estimated
        clock.move_to(at(2026, 12, 11, 9, 0))
        assert not [f for f in blockers(case, "decision") if f.rule.id == "R44"]
        # A notice that granted the party until the 18th is held to it.
        notice = make(
            case,
            personas,
            "rights_notice",
            proposed_fine="500.00",
            statement_deadline="2026-12-18",
        )
        make(case, personas, "service_receipt", document=notice.pk)
        (deadline,) = [d for d in deadlines_of(case) if d.rule == "R44"]  # the latest notice
        assert deadline.due == dt.date(2026, 12, 18)
        assert "2026年12月18日" in blocked(case, personas)[0]


def test_an_answer_ends_the_wait(personas, evidence_store):
    with time_machine.travel(at(2026, 12, 7, 9, 0)):
        case = approve_start(start_ex_officio(personas), personas)
        notice = notify(case, personas, reply="")
        assert blocked(case, personas)
        make(case, personas, "penalty_notice_reply", notice=notice.pk, reply="waiver")
        (deadline,) = [d for d in deadlines_of(case) if d.rule == "R44"]
        assert deadline.done
        advance(case, personas, "decision")  # the same day: the party gave up its rights


def test_a_statement_ends_the_wait_and_is_reviewed_before_the_proposal(personas, evidence_store):
    with time_machine.travel(at(2026, 12, 7, 9, 0)):
        case = approve_start(start_ex_officio(personas), personas)
        notice = notify(case, personas, reply="")
        statement = make(case, personas, "statement_record", rights_notice=notice.pk)
        advance(case, personas, "decision")
        make(case, personas, "investigation_final_report")
        before = counts()
        r = propose_over_http(case)
        assert r.status_code == 400 and r.json()["code"] == "statement_not_reviewed"
        assert "行政处罚法第四十五条" in r.json()["message"] and counts() == before
        make(case, personas, "statement_review", statement=statement.pk)  # in 审查决定
        assert propose_over_http(case).status_code == 201


def test_a_hearing_request_leads_to_the_hearing_and_to_legal_review(personas, evidence_store):
    with time_machine.travel(at(2026, 12, 7, 9, 0)):
        case = approve_start(start_ex_officio(personas), personas)
        notify(case, personas, reply="hearing")
        (line,) = blocked(case, personas)
        assert "当事人要求听证" in line
        hearing_notice = make(case, personas, "hearing_notice")
        hearing = make(case, personas, "hearing_record", hearing_notice=hearing_notice.pk)
        make(case, personas, "hearing_report", hearing_record=hearing.pk)
        advance(case, personas, "decision")
        make(case, personas, "investigation_final_report")
        r = propose_over_http(case)
        assert r.status_code == 201, r.content
        chain = case.chains.get(kind="case_decision")
        assert chain.step_plan() == [
            "review",
            "legal",
            "decide",
        ]  # 行政处罚法第五十八条第一款第二项


def test_an_unserved_notice_holds_the_case_in_the_investigation(personas, evidence_store):
    case = approve_start(start_ex_officio(personas), personas)
    make(case, personas, "rights_notice", proposed_fine="500.00")
    (line,) = blocked(case, personas)
    assert "尚未送达" in line
