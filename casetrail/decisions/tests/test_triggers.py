"""法制审核 when the law requires it (行政处罚法第五十八条), each trigger on its own and its absence:
a 重大 case (with 集体讨论, 第十八条); a hearing; the handler's 疑难复杂 or 多个法律关系; the reviewer's
request while approving; a category the agency configured. An approval that lacks a step the law
now requires does not stand: R16/R18 block, the decision document is refused, a new proposal is
allowed."""

from __future__ import annotations

import pytest
from django.test import override_settings

from casetrail.approvals.models import Step
from casetrail.cases.models import Case
from casetrail.compliance.engine import blockers
from casetrail.compliance.tests.builders import make
from casetrail.decisions.selectors import check_settings
from casetrail.decisions.tests.builders import propose, take_steps
from casetrail.decisions.tests.conftest import api
from casetrail.decisions.tests.test_chain import decide, decision_document, propose_over_http
from casetrail.ledger.models import LedgerEntry
from casetrail.lib.env import ConfigError, envlist


def plan(case):
    return case.chains.get(kind="case_decision").step_plan()


def grounds(case):
    return [
        g["code"]
        for g in api("zhang", f"/api/cases/{case.pk}/decision/").json()["legal_review_grounds"]
    ]


def test_without_a_ground_there_is_no_legal_review(deciding_case):
    assert propose_over_http(deciding_case).status_code == 201
    assert plan(deciding_case) == ["review", "decide"]
    assert grounds(deciding_case) == []


def test_a_major_case_is_legally_reviewed_and_discussed(major_case):
    assert propose_over_http(major_case).status_code == 201
    assert plan(major_case) == ["review", "legal", "collective", "decide"]
    assert grounds(major_case) == ["major"]


@pytest.mark.parametrize("tick", ["complex", "multiple_relations"])
def test_the_handler_asks_for_legal_review(deciding_case, tick):
    assert propose_over_http(deciding_case, **{tick: True}).status_code == 201
    assert plan(deciding_case) == ["review", "legal", "decide"]
    assert grounds(deciding_case) == [tick]


def test_a_hearing_calls_for_legal_review(open_case, personas, evidence_store):
    from casetrail.decisions.tests.conftest import ready

    hearing_notice = make(open_case, personas, "hearing_notice")
    hearing = make(open_case, personas, "hearing_record", hearing_notice=hearing_notice.pk)
    make(open_case, personas, "hearing_report", hearing_record=hearing.pk)
    ready(open_case, personas)
    assert propose_over_http(open_case).status_code == 201
    assert plan(open_case) == ["review", "legal", "decide"]
    assert grounds(open_case) == ["hearing"]


@pytest.mark.parametrize("grounds_given", [["complex"], ["multiple_relations", "complex"]])
def test_the_reviewer_asks_for_legal_review(deciding_case, personas, grounds_given):
    chain = propose(deciding_case, personas)
    assert chain.step_plan() == ["review", "decide"]
    r = decide("wang", chain, opinion="涉及多个法律关系，提请法制审核", legal_grounds=grounds_given)
    assert r.status_code == 201, r.content
    chain.refresh_from_db()
    assert chain.step_plan() == ["review", "legal", "decide"] and chain.status == "pending_legal"
    review = Step.objects.get(chain=chain, role="review")
    assert review.legal_grounds == [
        g for g in ("complex", "multiple_relations") if g in grounds_given
    ]
    entry = LedgerEntry.objects.filter(action="approval.step").order_by("-seq").first()
    assert (
        '"legal_grounds":["' in entry.canonical
        and '"plan":["review","legal","decide"]' in entry.canonical
    )
    assert grounds(deciding_case) == review.legal_grounds
    page = api("wang", f"/approvals/{chain.pk}/").content.decode()
    assert "提请法制审核" in page and "案情疑难复杂" in page
    take_steps(chain, personas)
    assert chain.steps.filter(role="legal", officer=personas["chen"]).exists()


@override_settings(CASETRAIL_LEGAL_REVIEW_CATEGORIES=["elderly"])
def test_the_agency_configures_categories_that_are_always_reviewed(deciding_case):
    assert deciding_case.category == "elderly"
    assert propose_over_http(deciding_case).status_code == 201
    assert plan(deciding_case) == ["review", "legal", "decide"]
    assert grounds(deciding_case) == ["category"]


@override_settings(CASETRAIL_LEGAL_REVIEW_CATEGORIES=["funeral"])
def test_a_category_not_configured_is_not_a_ground(deciding_case):
    assert propose_over_http(deciding_case).status_code == 201
    assert plan(deciding_case) == ["review", "decide"]


def test_the_category_setting_is_strictly_parsed(monkeypatch, settings):
    monkeypatch.setenv("CASETRAIL_LEGAL_REVIEW_CATEGORIES", "elderly, funeral")
    assert envlist("CASETRAIL_LEGAL_REVIEW_CATEGORIES") == ["elderly", "funeral"]
    for bad in ("elderly,,funeral", "elderly;funeral", "Elderly", "elderly,elderly"):
        monkeypatch.setenv("CASETRAIL_LEGAL_REVIEW_CATEGORIES", bad)
        with pytest.raises(ConfigError):
            envlist("CASETRAIL_LEGAL_REVIEW_CATEGORIES")
    settings.CASETRAIL_LEGAL_REVIEW_CATEGORIES = ["elderly", "fishing"]
    with pytest.raises(ConfigError, match="fishing"):
        check_settings()


@pytest.mark.behind_the_application
def test_an_approval_lacking_a_step_now_required_does_not_stand(deciding_case, personas):
    """The case was flagged 重大 after the decision was approved without legal review or
    discussion: R16 and R18 block 送达执行, the document is refused, a new proposal is allowed."""
    take_steps(propose(deciding_case, personas), personas)
    Case.objects.filter(pk=deciding_case.pk).update(is_major=True)
    deciding_case.refresh_from_db()
    found = {f.rule.id for f in blockers(deciding_case, "service")}
    assert {"R16", "R18"} <= found
    r = decision_document(deciding_case)
    assert r.status_code == 400 and r.json()["code"] == "decision_steps_missing"
    assert "法制审核、集体讨论" in r.json()["message"]
    second = propose(deciding_case, personas)
    assert second.step_plan() == ["review", "legal", "collective", "decide"]
    take_steps(second, personas)
    assert decision_document(deciding_case).status_code == 201
    assert not {"R15", "R16", "R18", "R19", "R20", "R58"} & {
        f.rule.id for f in blockers(deciding_case, "service")
    }
