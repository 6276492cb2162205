"""The decision stage's rules read the chain (R15–R20, R44, R58): what 送达执行 still needs, each
with its article, on the case page and in the compliance API."""

from __future__ import annotations

import pytest

from casetrail.approvals.actions import approval_decide, approval_resubmit
from casetrail.cases.models import Case
from casetrail.compliance.engine import RULES, blockers
from casetrail.decisions.tests.builders import propose, take_steps
from casetrail.decisions.tests.conftest import api
from casetrail.decisions.tests.test_chain import decision_document


def ids(case, to="service"):
    return sorted({f.rule.id for f in blockers(case, to)})


def test_an_empty_decision_stage_needs_the_proposal_approved_and_the_document(
    deciding_case, personas
):
    assert ids(deciding_case) == ["R15", "R19", "R20"]
    checklist = api("zhang", f"/api/cases/{deciding_case.pk}/compliance/").json()["checklist"]
    assert {(i["rule"], i["article"]) for i in checklist} == {
        ("R15", "第十五条"),
        ("R19", "第十九条"),
        ("R20", "第二十条"),
    }
    assert any("提出处理决定" in i["message"] for i in checklist)
    chain = propose(deciding_case, personas)
    assert ids(deciding_case) == ["R15", "R19", "R20", "R6"]
    take_steps(chain, personas)
    assert ids(deciding_case) == ["R20"]
    decision_document(deciding_case)
    assert ids(deciding_case) == []


def test_the_rules_cite_their_articles():
    assert RULES["R58"].article == "行政处罚法第五十八条"
    assert RULES["R44"].article == "行政处罚法第四十四、四十五条"
    assert RULES["R19"].article == "第十九条" and RULES["R15"].article == "第十五条"
    assert set(RULES["R44"].gates) == {"decision", "service"}


def test_r44_holds_an_approved_fine_raised_above_the_notice(deciding_case, personas):
    """A returned proposal resubmitted with a fine above the one notified: the approval stands
    but 送达执行 is refused until the party is told again (行政处罚法第四十四条)."""
    chain = propose(deciding_case, personas)
    approval_decide(chain=chain, officer=personas["wang"], outcome="return", opinion="偏轻")
    approval_resubmit(
        chain=chain,
        officer=personas["zhang"],
        fields={"proposed_fine": "900.00"},
        opinion="建议罚款900元",
        reason="按审核意见",
    )
    take_steps(chain, personas)
    assert decision_document(deciding_case, fine="900.00").status_code == 201
    found = [f for f in blockers(deciding_case, "service") if f.rule.id == "R44"]
    assert next(f.missing.message for f in found).startswith(
        "建议罚款900.00元高于事先告知的500.00元"
    )


@pytest.mark.behind_the_application
def test_r58_reports_a_decision_document_made_before_the_approval(deciding_case, personas):
    """Records typed before this release: a 行政执法决定书 of a case whose decision was approved
    only afterwards does not count."""
    from django.utils import timezone

    from casetrail.records.models import Record

    early = Record.objects.create(
        case=deciding_case,
        kind="administrative_decision",
        fields={"penalty_amount": "500.00"},
        created_by=personas["zhang"],
        created_at=timezone.now(),
        catalogue_version=1,
    )
    take_steps(propose(deciding_case, personas), personas)
    (finding,) = [f for f in blockers(deciding_case, "service") if f.rule.id == "R58"]
    assert finding.missing.subject == f"record:{early.pk}"
    assert "尚未经审批通过" in finding.missing.message


def test_a_summary_case_is_not_held_to_the_ordinary_decision(personas, evidence_store):
    from casetrail.start.tests.summary_builders import on_the_spot

    # Decided on the spot (第二十一条): the 当场处罚决定书 needs no chain.
    case = on_the_spot(personas)
    assert case.records.filter(kind="administrative_decision").exists()
    assert not {"R15", "R16", "R18", "R19", "R44", "R58"} & set(ids(case))
    assert Case.objects.get(pk=case.pk).procedure == "summary"
