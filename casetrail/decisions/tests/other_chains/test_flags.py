"""The 重大复杂 flag during the case (第五条; 第六条): raised by a handler or the unit's reviewer with a
reason (ledgered, shown on the case page), making the 重大 rules apply from then on; lowered only
through an approved chain."""

from __future__ import annotations

from casetrail.approvals.models import Chain
from casetrail.compliance.engine import RULES, CaseView, blockers
from casetrail.compliance.tests.builders import make
from casetrail.conftest import client_for
from casetrail.decisions.kinds import DecisionChain
from casetrail.decisions.tests.other_chains.builders import api, api_decide, last_entry, snapshot


def raise_flag(case, who="zhang", reason="涉及老年人人身安全，社会影响较大"):
    return api(who, f"/api/cases/{case.pk}/major-raise/", {"fields": {"reason": reason}})


def propose_lower(case, who="zhang"):
    return api(
        who,
        f"/api/cases/{case.pk}/major-lower/",
        {"fields": {"reason": "经核实影响有限"}, "opinion": "建议取消重大复杂案件认定"},
    )


def test_a_handler_raises_the_flag_and_the_major_rules_apply(deciding, personas):
    assert "R16" not in {f.rule.id for f in blockers(deciding, "service")}
    r = raise_flag(deciding)
    assert r.status_code == 201, r.content
    deciding.refresh_from_db()
    assert deciding.is_major
    (change,) = deciding.records.filter(kind="major_case_change")
    assert change.fields == {"change": "raise", "reason": "涉及老年人人身安全，社会影响较大"}
    entry = last_entry()
    assert entry["action"] == "major.raise" and entry["actor"]["name"] == "张承办"
    assert {row["table"] for row in entry["payload"]["rows"]} == {"records.Record", "cases.Case"}
    # 法制审核 and 集体讨论 (第十六、十八条) are now steps of the decision's chain.
    from casetrail.decisions.tests.builders import propose

    make(deciding, personas, "investigation_final_report")
    chain = propose(deciding, personas)
    assert chain.step_plan() == ["review", "legal", "collective", "decide"]
    page = api("zhang", f"/cases/{deciding.pk}/section/timeline/").content.decode()
    assert "重大复杂案件认定变更" in page and "社会影响较大" in page and "重大复杂" in page


def test_the_av_rule_applies_from_the_raise_on(serving, personas):
    raise_flag(serving)
    serving.refresh_from_db()
    view = CaseView(serving)
    # The investigation and decision stages ended before the raise: 第五条 asks nothing of them.
    assert {m.subject for m in RULES["R5"].check(view)} == {"stage:service"}


def test_the_units_reviewer_raises_the_flag_from_the_case_page(investigating, personas):
    # 王审核 reviewed the start, so he reads the case; he is offered the step and takes it.
    page = api("wang", f"/cases/{investigating.pk}/").content.decode()
    assert "认定为重大复杂案件" in page and "提请结案审批" not in page
    assert api("wang", f"/cases/{investigating.pk}/major-raise/").status_code == 200
    r = client_for("wang").post(
        f"/cases/{investigating.pk}/major-raise/", {"reason": "涉及多个法律关系"}
    )
    assert r.status_code == 302
    investigating.refresh_from_db()
    assert investigating.is_major
    assert investigating.records.get(kind="major_case_change").created_by == personas["wang"]


def test_others_may_not_raise_the_flag(investigating, personas, other_agency):
    before = snapshot()
    assert raise_flag(investigating, "sun").status_code == 403  # reads the case, may not act
    assert raise_flag(investigating, "zhao").status_code == 403
    assert raise_flag(investigating, "chen").status_code == 404
    assert raise_flag(investigating, "ma").status_code == 404
    assert api("sun", f"/cases/{investigating.pk}/major-raise/").status_code == 403
    assert snapshot() == before


def test_it_refuses_a_raise_without_reason_or_twice(investigating, personas):
    before = snapshot()
    r = raise_flag(investigating, reason=" ")
    assert r.status_code == 400
    assert snapshot() == before
    raise_flag(investigating)
    before = snapshot()
    r = raise_flag(investigating, "li")
    assert r.status_code == 400 and r.json()["code"] == "already_major"
    assert snapshot() == before


def test_lowering_the_flag_is_a_decision(investigating, personas):
    before = snapshot()
    r = propose_lower(investigating)
    assert r.status_code == 400 and r.json()["code"] == "not_major"
    assert snapshot() == before
    raise_flag(investigating)
    assert propose_lower(investigating).status_code == 201
    chain = Chain.objects.get(case=investigating, kind=DecisionChain.MAJOR_FLAG_LOWER)
    investigating.refresh_from_db()
    assert investigating.is_major  # until approved, the 重大 rules apply
    api_decide("wang", chain)
    assert api_decide("zhao", chain).status_code == 201
    investigating.refresh_from_db()
    assert not investigating.is_major
    changes = investigating.records.filter(kind="major_case_change").order_by("id")
    assert [c.fields["change"] for c in changes] == ["raise", "lower"]


def test_a_refused_lowering_leaves_the_case_major(investigating, personas):
    raise_flag(investigating)
    propose_lower(investigating)
    chain = Chain.objects.get(case=investigating, kind=DecisionChain.MAJOR_FLAG_LOWER)
    api_decide("wang", chain, "refuse")
    investigating.refresh_from_db()
    assert investigating.is_major
    before = snapshot()
    assert propose_lower(investigating, "wang").status_code == 403  # a reviewer does not propose
    assert snapshot() == before
