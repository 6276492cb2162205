"""Bad input and the wrong person are refused with a zh-Hans message and a stable code, and write
nothing: self-approval, a legal reviewer who handled the case, a step out of order, a proposal in
the wrong stage or procedure or twice, the reviewer's 法制审核 request where it does not belong."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from casetrail.approvals.actions import approval_decide
from casetrail.cases.models import Case
from casetrail.compliance.tests.builders import advance, make
from casetrail.conftest import approve_start, case_input
from casetrail.decisions.actions import decision_propose
from casetrail.decisions.tests.builders import all_ok, notify, proposal, propose, take_steps
from casetrail.decisions.tests.conftest import api, counts, ready
from casetrail.decisions.tests.test_chain import decide, propose_over_http
from casetrail.demo.personas import DEMO_PASSWORD
from casetrail.lib.errors import ActionError
from casetrail.org.actions import officer_create
from casetrail.org.models import Role, Unit
from casetrail.start.actions import case_start_ex_officio


def refused(fn, code, **kwargs):
    before = counts()
    with pytest.raises(ActionError) as err:
        fn(**kwargs)
    assert err.value.code == code, err.value.message
    assert counts() == before
    return err.value


def officer(personas, username, unit_name, roles):
    today = timezone.localdate()
    return officer_create(
        unit=Unit.objects.get(agency=personas["zhang"].agency, name=unit_name),
        username=username,
        name=username,
        password=DEMO_PASSWORD,
        roles=roles,
        certificate_no=f"1405249{len(username):04d}",
        valid_from=today - dt.timedelta(days=30),
        valid_to=today + dt.timedelta(days=365),
    )


def case_handled_by(personas, *extra):
    """A case in 审查决定, handled by 张承办 and ``extra`` officers."""
    case = case_start_ex_officio(
        officer=personas["zhang"],
        data=case_input(personas, officers=[personas["zhang"], personas["li"], *extra]),
        reason="举报",
        party_facts="周某",
        opinion="建议立案",
    )
    return ready(approve_start(case, personas), personas)


def test_it_refuses_self_approval(personas, evidence_store):
    """A unit head who is also a handler of the case proposes; he may not review it himself."""
    head = officer(personas, "ma_head", "社会事务股", [Role.HANDLER, Role.REVIEWER])
    case = case_handled_by(personas, head)
    chain = decision_propose(
        case=case, officer=head, fields=proposal(case), opinion="建议罚款500元"
    )
    err = refused(
        approval_decide,
        "not_allowed_to_decide",
        chain=chain,
        officer=head,
        outcome="approve",
        opinion="同意",
    )
    assert "不得审核或批准本人提出的事项" in err.message and err.status == 403
    take_steps(chain, personas)  # 王审核 may


def test_it_refuses_a_legal_reviewer_who_handled_the_case(personas, evidence_store):
    lawyer = officer(personas, "legal_handler", "法制股", [Role.HANDLER, Role.LEGAL_REVIEWER])
    case = case_handled_by(personas, lawyer)
    chain = propose(case, personas, multiple_relations=True)
    approval_decide(chain=chain, officer=personas["wang"], outcome="approve", opinion="同意")
    chain.refresh_from_db()
    err = refused(
        approval_decide,
        "not_allowed_to_decide",
        chain=chain,
        officer=lawyer,
        outcome="approve",
        opinion="合法",
        findings=all_ok(),
    )
    assert "本案承办人员不得进行本案的法制审核" in err.message
    r = decide("legal_handler", chain, findings=all_ok())
    assert r.status_code == 403 and r.json()["code"] == "not_allowed_to_decide"


def test_it_refuses_steps_out_of_order(major_case, personas):
    chain = propose(major_case, personas)
    # Waiting for review: the legal reviewer and the approver (who read the case: they acted on
    # its start) are refused; a leader who never had a part in it does not see it.
    for who, status in (("chen", 403), ("zhao", 403), ("zheng", 404)):
        before = counts()
        r = decide(who, chain, findings=all_ok() if who == "chen" else [])
        assert r.status_code == status, (who, r.content)
        if status == 403:
            assert r.json()["code"] == "not_allowed_to_decide" and "审核人" in r.json()["message"]
        assert counts() == before
    assert decide("wang", chain).status_code == 201
    # Waiting for 法制审核: the discussion and the decision wait.
    r = decide(
        "zheng",
        chain,
        participants=[{"id": personas[w].pk, "view": "同意"} for w in ("zhao", "zheng", "feng")],
    )
    assert r.status_code == 404  # the chain does not wait for a leader: not his case yet
    refused(
        approval_decide,
        "not_allowed_to_decide",
        chain=chain,
        officer=personas["zhao"],
        outcome="approve",
        opinion="同意",
    )
    # The legal review needs every item of the checklist, and cannot pass with an issue.
    assert decide("chen", chain).json()["code"] == "legal_findings_required"
    r = decide("chen", chain, findings=all_ok(facts="issue"))
    assert r.json()["code"] == "legal_review_has_issues"
    assert decide("chen", chain, findings=all_ok()).status_code == 201
    # The discussion needs the quorum of leaders, each with a view; the chair among them.
    r = decide("zheng", chain, participants=[{"id": personas["zheng"].pk, "view": "同意"}])
    assert r.json()["code"] == "quorum_not_met"
    r = decide("zhao", chain)  # the discussion is recorded with its participants, not skipped
    assert r.status_code == 400 and r.json()["code"] == "chair_not_listed"


def test_it_refuses_a_proposal_before_the_decision_stage(open_case, personas):
    # 调查取证: not yet.
    err = refused(
        decision_propose,
        "decision_not_proposable",
        case=open_case,
        officer=personas["zhang"],
        fields=proposal(open_case),
        opinion="建议",
    )
    assert "审查决定" in err.message


def test_it_refuses_a_second_proposal_while_one_is_open_or_approved(deciding_case, personas):
    propose(deciding_case, personas)
    before = counts()
    r = propose_over_http(deciding_case, who="li")
    assert r.status_code == 400 and r.json()["code"] == "decision_not_proposable"
    assert "正在审批" in r.json()["message"] and counts() == before
    take_steps(deciding_case.chains.get(kind="case_decision"), personas)
    r = propose_over_http(deciding_case)
    assert r.json()["code"] == "decision_not_proposable" and "已经批准" in r.json()["message"]


@pytest.mark.behind_the_application
def test_it_refuses_a_summary_case(deciding_case, personas):
    # A summary case of the first wave (started ex officio, then decided on the spot): new ones
    # start on the spot (casetrail.start) and never come here either.
    Case.objects.filter(pk=deciding_case.pk).update(procedure="summary")
    case = Case.objects.get(pk=deciding_case.pk)
    r = propose_over_http(case)
    assert r.status_code == 400 and r.json()["code"] == "decision_not_proposable"
    assert "简易程序" in r.json()["message"]


def test_it_refuses_people_who_may_not_propose(deciding_case, personas, other_agency):
    assert propose_over_http(deciding_case, who="sun").status_code == 403  # not a handler
    assert propose_over_http(deciding_case, who="ma").status_code == 404  # another agency
    r = propose_over_http(
        deciding_case, who="wang"
    )  # reads the case (reviewed its start), handles none
    assert r.status_code == 403 and r.json()["code"] == "not_assigned"
    assert propose_over_http(deciding_case, who="li").status_code == 201  # the other handler


def test_it_refuses_a_proposal_that_does_not_validate(deciding_case, personas):
    before = counts()
    r = propose_over_http(deciding_case, decision_kind="maybe")
    assert r.status_code == 400 and counts() == before
    r = api(
        "zhang",
        f"/api/cases/{deciding_case.pk}/decision-proposal/",
        {"fields": proposal(deciding_case), "opinion": ""},
    )
    assert r.status_code == 400 and counts() == before


def test_it_takes_the_reviewers_legal_request_only_where_it_belongs(deciding_case, personas):
    chain = propose(deciding_case, personas)
    r = decide("wang", chain, outcome="return", opinion="请补充", legal_grounds=["complex"])
    assert r.json()["code"] == "legal_grounds_need_approval"
    r = decide("wang", chain, legal_grounds=["nonsense"])
    assert r.status_code == 400
    refused(
        approval_decide,
        "invalid_legal_ground",
        chain=chain,
        officer=personas["wang"],
        outcome="approve",
        opinion="同意",
        legal_grounds=["nonsense"],
    )
    assert decide("wang", chain, legal_grounds=["complex"]).status_code == 201
    chain.refresh_from_db()
    assert chain.status == "pending_legal"
    r = decide("chen", chain, findings=all_ok(), legal_grounds=["complex"])
    assert r.json()["code"] == "legal_grounds_not_expected"
    # The start chain takes no such request: its 法制审核 is 第九条's, for 重大 cases.
    start = deciding_case.chains.get(kind="case_start")
    assert start.status == "approved"


def test_a_penalty_needs_the_advance_notice(open_case, personas, evidence_store):
    make(open_case, personas, "interview_record")  # R12: a trace
    advance(open_case, personas, "decision")
    make(open_case, personas, "investigation_final_report")
    r = propose_over_http(open_case)
    assert r.status_code == 400 and r.json()["code"] == "advance_notice_missing"
    assert "行政处罚法第四十四条" in r.json()["message"]
    # Not a penalty: no notice needed.
    r = propose_over_http(open_case, decision_kind="no_penalty", proposed_fine=None)
    assert r.status_code == 201, r.content


def test_a_fine_above_the_one_notified_is_refused(open_case, personas, evidence_store):
    notify(open_case, personas, fine="300.00")
    make(open_case, personas, "interview_record")  # R12: a trace
    advance(open_case, personas, "decision")
    r = propose_over_http(open_case, proposed_fine="500.00")
    assert r.json()["code"] == "penalty_exceeds_notice"
    assert "应重新告知" in r.json()["message"]
    assert propose_over_http(open_case, proposed_fine="300.00").status_code == 201
