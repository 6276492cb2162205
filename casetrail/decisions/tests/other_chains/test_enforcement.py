"""强制执行决定 and 申请人民法院强制执行 as decisions (第二十八、二十九条; 行政强制法第三十五至三十七、
五十三至五十五条), over HTTP with the personas: proposed only after a served 催告书 (whose period
ran, and whose statements were reviewed, for the enforcement decision); the decision documents
follow the approval; a refusal binds."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from casetrail.approvals.models import Chain
from casetrail.compliance.tests.builders import make
from casetrail.decisions.kinds import DecisionChain
from casetrail.decisions.tests.other_chains.builders import (
    ALL_OK,
    api,
    api_decide,
    api_record,
    court_fields,
    enforcement_fields,
    last_entry,
    snapshot,
    yesterday,
)


def demand(case, personas, decision, *, served=True, deadline=None):
    notice = make(
        case, personas, "demand_notice", decision=decision.pk, deadline=deadline or yesterday()
    )
    if served:
        earlier = (timezone.localtime() - dt.timedelta(hours=1)).isoformat()
        make(case, personas, "service_receipt", document=notice.pk, served_at=earlier)
    return notice


def propose_enforcement(case, decision, notice, who="zhang"):
    return api(
        who,
        f"/api/cases/{case.pk}/enforcement/",
        {
            "fields": enforcement_fields(decision, notice, case.parties.first()),
            "opinion": "经催告逾期不履行，建议作出强制执行决定",
        },
    )


def propose_court(case, decision, notice, who="zhang"):
    return api(
        who,
        f"/api/cases/{case.pk}/court-enforcement/",
        {
            "fields": court_fields(decision, notice, case.parties.first()),
            "opinion": "建议申请人民法院强制执行",
        },
    )


def enforcement_document(case, approval_id, decision, notice):
    return api_record(
        case,
        "enforcement_decision",
        approval=approval_id,
        decided_at=timezone.localtime().isoformat(),
        party=case.parties.first().pk,
        demand_notice=notice.pk,
        decision=decision.pk,
        reasons="逾期不履行",
        legal_basis="《中华人民共和国行政强制法》第三十七条",
        manner="加处罚款",
        execution_on=timezone.localdate().isoformat(),
        review_body="陵川县人民政府",
        review_period="六十日",
        litigation_court="陵川县人民法院",
        litigation_period="六个月",
    )


def test_it_takes_the_enforcement_decision_through_its_chain(serving, personas, decision):
    notice = demand(serving, personas, decision)
    r = propose_enforcement(serving, decision, notice)
    assert r.status_code == 201, r.content
    chain = Chain.objects.get(case=serving, kind=DecisionChain.ENFORCEMENT_DECISION)
    assert chain.step_plan() == ["review", "decide"]  # 法制审核 only for a 重大 case
    before = snapshot()
    r = enforcement_document(serving, chain.record_id, decision, notice)
    assert r.status_code == 400 and r.json()["code"] == "enforcement_not_approved"
    assert snapshot() == before
    assert api_decide("wang", chain).status_code == 201
    assert api_decide("zhao", chain).status_code == 201
    chain.refresh_from_db()
    assert chain.status == "approved" and last_entry()["actor"]["name"] == "赵局长"
    r = enforcement_document(serving, chain.record_id, decision, notice)
    assert r.status_code == 201, r.content


def test_it_needs_the_legal_review_item_by_item_on_a_major_case(serving, personas, decision):
    from casetrail.decisions.actions import major_flag_raise

    major_flag_raise(case=serving, officer=personas["wang"], reason="社会影响重大")
    notice = demand(serving, personas, decision)
    propose_enforcement(serving, decision, notice)
    chain = Chain.objects.get(case=serving, kind=DecisionChain.ENFORCEMENT_DECISION)
    assert chain.step_plan() == ["review", "legal", "decide"]
    api_decide("wang", chain)
    r = api_decide("chen", chain)
    assert r.status_code == 400 and r.json()["code"] == "legal_findings_required"
    assert api_decide("chen", chain, findings=ALL_OK).status_code == 201
    assert api_decide("zhao", chain).status_code == 201


def test_it_refuses_an_enforcement_decision_before_the_demand_is_served(
    serving, personas, decision
):
    notice = demand(serving, personas, decision, served=False)
    before = snapshot()
    r = propose_enforcement(serving, decision, notice)
    assert r.status_code == 400 and r.json()["code"] == "demand_not_served"
    assert "催告书尚未送达" in r.json()["message"] and snapshot() == before


def test_it_refuses_an_enforcement_decision_while_the_demand_period_runs(
    serving, personas, decision
):
    later = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    notice = demand(serving, personas, decision, deadline=later)
    before = snapshot()
    r = propose_enforcement(serving, decision, notice)
    assert r.status_code == 400 and r.json()["code"] == "demand_period_running"
    assert later in r.json()["message"] and snapshot() == before


def test_it_refuses_an_enforcement_decision_before_the_statements_are_reviewed(
    serving, personas, decision
):
    notice = demand(serving, personas, decision)
    statement = make(serving, personas, "demand_statement_record", demand_notice=notice.pk)
    before = snapshot()
    r = propose_enforcement(serving, decision, notice)
    assert r.status_code == 400 and r.json()["code"] == "statements_not_reviewed"
    assert snapshot() == before
    make(serving, personas, "statement_review_opinion", statement=statement.pk)
    assert propose_enforcement(serving, decision, notice).status_code == 201


def test_it_checks_again_when_the_director_approves(serving, personas, decision):
    notice = demand(serving, personas, decision)
    propose_enforcement(serving, decision, notice)
    chain = Chain.objects.get(case=serving, kind=DecisionChain.ENFORCEMENT_DECISION)
    api_decide("wang", chain)
    # The party states a defence meanwhile: it must be reviewed before the decision is taken.
    make(serving, personas, "demand_statement_record", demand_notice=notice.pk)
    before = snapshot()
    r = api_decide("zhao", chain)
    assert r.status_code == 400 and r.json()["code"] == "statements_not_reviewed"
    chain.refresh_from_db()
    assert chain.status == "pending_decision" and snapshot() == before


def test_it_binds_a_refused_enforcement_decision(serving, personas, decision):
    notice = demand(serving, personas, decision)
    propose_enforcement(serving, decision, notice)
    chain = Chain.objects.get(case=serving, kind=DecisionChain.ENFORCEMENT_DECISION)
    api_decide("wang", chain)
    assert api_decide("zhao", chain, "refuse").status_code == 201
    before = snapshot()
    r = enforcement_document(serving, chain.record_id, decision, notice)
    assert r.status_code == 400 and r.json()["code"] == "enforcement_not_approved"
    assert snapshot() == before


def test_it_refuses_self_approval(serving, personas, decision):
    notice = demand(serving, personas, decision)
    propose_enforcement(serving, decision, notice)
    chain = Chain.objects.get(case=serving, kind=DecisionChain.ENFORCEMENT_DECISION)
    before = snapshot()
    for who in ("zhang", "li", "zhao"):  # the proposer, a handler, the approver out of turn
        r = api_decide(who, chain)
        assert r.status_code == 403 and r.json()["code"] == "not_allowed_to_decide", who
    assert snapshot() == before


def court_record(case, approval_id, decision, notice):
    return api_record(
        case,
        "court_enforcement_record",
        recorded_at=timezone.localtime().isoformat(),
        approval=approval_id,
        decision=decision.pk,
        demand_notice=notice.pk,
        nonperformance="逾期不履行",
        applied_on=timezone.localdate().isoformat(),
        court="陵川县人民法院",
        documents=["强制执行申请书"],
        acceptance="pending",
        ruling="pending",
    )


def test_it_takes_the_court_application_through_its_chain(serving, personas, decision):
    notice = demand(serving, personas, decision, served=False)
    before = snapshot()
    r = propose_court(serving, decision, notice)
    assert r.status_code == 400 and r.json()["code"] == "demand_not_served"
    assert "第五十四条" in r.json()["message"] and snapshot() == before
    earlier = (timezone.localtime() - dt.timedelta(hours=1)).isoformat()
    make(serving, personas, "service_receipt", document=notice.pk, served_at=earlier)
    assert propose_court(serving, decision, notice).status_code == 201
    chain = Chain.objects.get(case=serving, kind=DecisionChain.COURT_ENFORCEMENT)
    assert court_record(serving, chain.record_id, decision, notice).status_code == 400
    api_decide("wang", chain)
    api_decide("zhao", chain)
    r = court_record(serving, chain.record_id, decision, notice)
    assert r.status_code == 201, r.content


def test_it_binds_a_refused_court_application(serving, personas, decision):
    notice = demand(serving, personas, decision)
    propose_court(serving, decision, notice)
    chain = Chain.objects.get(case=serving, kind=DecisionChain.COURT_ENFORCEMENT)
    api_decide("wang", chain, "refuse")
    chain.refresh_from_db()
    assert chain.status == "refused"
    before = snapshot()
    r = court_record(serving, chain.record_id, decision, notice)
    assert r.status_code == 400 and r.json()["code"] == "court_application_not_approved"
    assert snapshot() == before


def test_it_refuses_a_proposal_naming_the_demand_of_another_decision(deciding, personas):
    from casetrail.compliance.tests.builders import advance
    from casetrail.decisions.tests.builders import decide

    make(deciding, personas, "investigation_final_report")
    decide(deciding, personas)  # the decision on the case, approved through its chain
    decision = make(deciding, personas, "administrative_decision", penalty_amount="500.00")
    other = make(deciding, personas, "administrative_decision", penalty_amount="500.00")
    advance(deciding, personas, "service")
    serving = deciding
    notice = demand(serving, personas, decision)
    before = snapshot()
    r = propose_court(serving, other, notice)
    assert r.status_code == 400 and r.json()["code"] == "demand_for_another_decision"
    assert snapshot() == before
