"""结案审批 (第六条): the case enters 结案 only through an approved closing chain. A plain stage
change is refused with a message pointing at the proposal; the closing rules run when the closing
is proposed and again when the director's approval makes it take effect; a refusal binds."""

from __future__ import annotations

from casetrail.approvals.models import Chain
from casetrail.cases.models import Stage
from casetrail.compliance.tests.builders import make
from casetrail.decisions.kinds import DecisionChain
from casetrail.decisions.tests.other_chains.builders import api, api_decide, last_entry, snapshot

CLOSING = {"ground": "performed", "course": "依法调查、决定并送达", "outcome": "罚款已缴纳"}


def propose(case, who="zhang", **fields):
    return api(
        who,
        f"/api/cases/{case.pk}/closing/",
        {"fields": {**CLOSING, **fields}, "opinion": "案件已执行完毕，建议结案"},
    )


def ready_to_close(case, personas, decision):
    make(case, personas, "service_receipt", document=decision.pk)
    make(case, personas, "performance_record", decision=decision.pk, status="full")


def test_it_refuses_closing_by_a_plain_stage_change(serving, personas, decision):
    ready_to_close(serving, personas, decision)
    before = snapshot()
    r = api("zhang", f"/api/cases/{serving.pk}/advance/", {"fields": {"reason": "执行完毕"}})
    assert r.status_code == 400 and r.json()["code"] == "closing_requires_approval"
    assert "提请结案审批" in r.json()["message"] and snapshot() == before
    serving.refresh_from_db()
    assert serving.stage == Stage.SERVICE
    page = api("zhang", f"/cases/{serving.pk}/").content.decode()
    assert "提请结案审批" in page and "进入下一阶段" not in page


def test_it_closes_the_case_when_the_director_approves(serving, personas, decision):
    ready_to_close(serving, personas, decision)
    r = propose(serving)
    assert r.status_code == 201, r.content
    chain = Chain.objects.get(case=serving, kind=DecisionChain.CASE_CLOSING)
    assert chain.record.kind == "case_closing_report" and chain.step_plan() == ["review", "decide"]
    assert api_decide("wang", chain).status_code == 201
    serving.refresh_from_db()
    assert serving.stage == Stage.SERVICE  # reviewed, not yet decided
    assert api_decide("zhao", chain).status_code == 201
    serving.refresh_from_db()
    assert serving.stage == Stage.CLOSED and serving.closed_at is not None
    change = serving.stage_changes.order_by("-at", "-id").first()
    assert change.to_stage == Stage.CLOSED and change.by == personas["zhao"]
    entry = last_entry()
    assert entry["action"] == "approval.step" and entry["actor"]["name"] == "赵局长"
    moved = {row["table"] for row in entry["payload"]["effects"]["rows"]}
    assert "cases.StageChange" in moved
    # The closed case goes to the custodian; archiving is the next step.
    assert api("liu", f"/api/cases/{serving.pk}/").status_code == 200


def test_it_runs_the_closing_rules_when_proposed(serving, personas, decision):
    before = snapshot()
    r = propose(serving)
    assert r.status_code == 400 and r.json()["code"] == "transition_blocked"
    assert any("R22" in d for d in r.json()["details"]) and snapshot() == before


def test_it_runs_the_closing_rules_again_when_approved(serving, personas, decision):
    ready_to_close(serving, personas, decision)
    propose(serving)
    chain = Chain.objects.get(case=serving, kind=DecisionChain.CASE_CLOSING)
    api_decide("wang", chain)
    # An order to correct issued meanwhile is neither served nor checked: closing must wait.
    make(serving, personas, "correction_order", decision=decision.pk)
    before = snapshot()
    r = api_decide("zhao", chain)
    assert r.status_code == 400 and r.json()["code"] == "transition_blocked"
    assert snapshot() == before
    chain.refresh_from_db()
    serving.refresh_from_db()
    assert chain.status == "pending_decision" and serving.stage == Stage.SERVICE


def test_it_refuses_a_closing_while_another_decision_is_pending(serving, personas, decision):
    ready_to_close(serving, personas, decision)
    assert (
        api(
            "zhang",
            f"/api/cases/{serving.pk}/major-lower/",
            {"fields": {"reason": "x", "opinion": "y"}},
        ).status_code
        == 400
    )  # not major: nothing to lower
    from casetrail.decisions.actions import major_flag_propose_lower, major_flag_raise

    major_flag_raise(case=serving, officer=personas["zhang"], reason="涉及人数众多")
    major_flag_propose_lower(
        case=serving, officer=personas["zhang"], reason="经核实影响有限", opinion="建议取消"
    )
    before = snapshot()
    r = propose(serving)
    assert r.status_code == 400 and r.json()["code"] == "chain_open"
    assert "取消重大复杂案件认定审批" in r.json()["message"] and snapshot() == before


def test_it_binds_a_refused_closing(serving, personas, decision):
    ready_to_close(serving, personas, decision)
    propose(serving)
    chain = Chain.objects.get(case=serving, kind=DecisionChain.CASE_CLOSING)
    api_decide("wang", chain)
    assert api_decide("zhao", chain, "refuse").status_code == 201
    serving.refresh_from_db()
    assert serving.stage == Stage.SERVICE
    # A new round may be proposed (the refused one stays recorded).
    assert propose(serving).status_code == 201
    assert Chain.objects.filter(case=serving, kind=DecisionChain.CASE_CLOSING).count() == 2


def test_it_refuses_a_closing_before_service_or_by_someone_else(deciding, personas):
    before = snapshot()
    r = propose(deciding)
    assert r.status_code == 400 and r.json()["code"] == "closing_not_due"
    assert propose(deciding, "wang").status_code == 403
    assert snapshot() == before


def test_it_returns_a_closing_for_revision_and_keeps_every_round(serving, personas, decision):
    ready_to_close(serving, personas, decision)
    propose(serving)
    chain = Chain.objects.get(case=serving, kind=DecisionChain.CASE_CLOSING)
    api_decide("wang", chain, "return", opinion="处理结果写明缴款凭证号")
    page = api("zhang", f"/approvals/{chain.pk}/").content.decode()
    assert "修改后重新提交" in page and "结案情形" in page
    r = api(
        "zhang",
        f"/api/approvals/{chain.pk}/resubmit/",
        {"fields": {"outcome": "罚款已缴纳，缴款书 No.1"}, "opinion": "已补充", "reason": "补凭证"},
    )
    assert r.status_code == 201, r.content
    api_decide("wang", chain)
    api_decide("zhao", chain)
    serving.refresh_from_db()
    assert serving.stage == Stage.CLOSED
    assert serving.records.filter(kind="case_closing_report").count() == 2
