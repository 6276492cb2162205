"""Adverse opinions bind (行政处罚法第五十八条: 未经法制审核或者审核未通过的，不得作出决定): while
the decision is not approved — open, returned, refused — the 行政执法决定书 cannot be made and the
case cannot enter 送达执行; a new round that passes lifts it. The opinions are the steps of the
people who hold them: a handler can no longer make them as records."""

from __future__ import annotations

import pytest

from casetrail.approvals.models import Chain
from casetrail.cases.models import Case
from casetrail.compliance.tests.builders import make
from casetrail.decisions.tests.builders import all_ok, propose, take_steps
from casetrail.decisions.tests.conftest import api, counts
from casetrail.decisions.tests.test_chain import (
    advance_over_http,
    decide,
    decision_document,
)
from casetrail.records.models import Record


def refused_document(case, code, fine="500.00"):
    before = counts()
    r = decision_document(case, fine=fine)
    assert r.status_code == 400 and r.json()["code"] == code, r.content
    assert counts() == before
    return r.json()["message"]


def refused_advance(case, rule):
    before = counts()
    r = advance_over_http(case)
    assert r.status_code == 400 and r.json()["code"] == "transition_blocked", r.content
    assert any(line.startswith(rule) for line in r.json()["details"]), r.json()["details"]
    assert counts() == before
    return r.json()["details"]


def test_it_binds_a_legal_review_that_does_not_pass_then_a_new_round_passes(
    deciding_case, personas
):
    case = deciding_case
    refused_document(case, "decision_not_proposed")
    chain = propose(case, personas, complex=True)  # the handler asks for 法制审核
    assert chain.step_plan() == ["review", "legal", "decide"]
    message = refused_document(case, "decision_chain_open")
    assert "待审核" in message and "行政处罚法第五十八条" in message
    assert decide("wang", chain).status_code == 201
    r = decide(
        "chen",
        chain,
        outcome="refuse",
        opinion="适用法律错误，不同意",
        findings=all_ok(law="issue"),
    )
    assert r.status_code == 201, r.content
    chain.refresh_from_db()
    assert chain.status == "refused"
    message = refused_document(case, "decision_refused")
    assert "法制审核未通过" in message
    details = refused_advance(case, "R58")
    assert any("法制审核未通过" in line for line in details)
    # 赵局长 cannot approve what the legal unit refused: the chain has ended.
    r = decide("zhao", chain)
    assert r.status_code == 403 and r.json()["code"] == "not_allowed_to_decide"
    assert "已办结" in r.json()["message"]

    # A new proposal, corrected, is a new chain; the refused one stays. It is legally reviewed
    # again though the handler no longer ticks 疑难复杂: the earlier round needed it.
    second = propose(case, personas, legal_basis="《养老机构管理办法》第四十六条第（一）项")
    assert second.pk != chain.pk and second.step_plan() == ["review", "legal", "decide"]
    take_steps(second, personas)
    assert decision_document(case).status_code == 201
    assert advance_over_http(case).status_code == 201
    assert list(Chain.objects.filter(case=case).values_list("kind", "status")) == [
        ("case_start", "approved"),
        ("case_decision", "refused"),
        ("case_decision", "approved"),
    ]


def test_it_binds_a_leader_who_refuses(deciding_case, personas):
    case = deciding_case
    chain = propose(case, personas)
    assert decide("wang", chain).status_code == 201
    assert decide("zhao", chain, outcome="refuse", opinion="证据不足，不同意").status_code == 201
    assert "负责人不同意" in refused_document(case, "decision_refused")
    refused_advance(case, "R58")


def test_a_returned_proposal_is_still_open(deciding_case, personas):
    case = deciding_case
    chain = propose(case, personas)
    assert decide("wang", chain, outcome="return", opinion="请补充证据").status_code == 201
    assert "已退回修改" in refused_document(case, "decision_chain_open")
    details = refused_advance(case, "R6")
    assert any(line.startswith("R19") for line in details)


def test_the_decision_carries_what_was_approved(deciding_case, personas):
    case = deciding_case
    take_steps(propose(case, personas), personas)
    refused_document(case, "decision_differs_from_approval", fine="800.00")
    refused_document(case, "decision_differs_from_approval", fine="")
    assert decision_document(case).status_code == 201


def test_a_decision_without_penalty_carries_no_fine(open_case, personas, evidence_store):
    from casetrail.compliance.tests.builders import advance

    make(open_case, personas, "interview_record")  # R12: a trace
    advance(open_case, personas, "decision")  # no 事先告知: no penalty may be proposed
    make(open_case, personas, "investigation_final_report")
    take_steps(
        propose(open_case, personas, decision_kind="no_penalty", proposed_fine=None), personas
    )
    message = refused_document(open_case, "decision_differs_from_approval")
    assert "不是行政处罚" in message
    assert decision_document(open_case, fine="").status_code == 201


@pytest.mark.parametrize(
    ("kind", "code"),
    [
        ("legal_review_opinion", "made_by_approval_step"),
        ("collective_discussion_record", "made_by_approval_step"),
        ("leader_approval", "made_by_approval_step"),
        ("decision_approval_form", "made_by_proposal"),
    ],
)
def test_a_handler_can_no_longer_make_the_opinions(deciding_case, personas, kind, code):
    case = deciding_case
    before = counts()
    r = api(
        "zhang",
        f"/api/cases/{case.pk}/records/",
        {"kind": kind, "fields": {"opinion": "同意"}, "signatures": []},
    )
    assert r.status_code == 403 and r.json()["code"] == code, r.content
    assert counts() == before
    # Not offered by 制作文书, and its form refused with the same words.
    choose = api("zhang", f"/cases/{case.pk}/records/new/").content.decode()
    assert f"/records/new/{kind}/" not in choose
    page = api("zhang", f"/cases/{case.pk}/records/new/{kind}/")
    assert page.status_code == 403 and "第六条" in page.content.decode()
    entry = api("zhang", f"/api/catalogue/{kind}/2/").json()
    assert entry["made_by"] == ("proposal" if code == "made_by_proposal" else "approval_step")


@pytest.mark.behind_the_application
def test_old_opinion_records_stay_readable(deciding_case, personas):
    """A 负责人签批 a handler typed before (catalogue version 1) reads as it was recorded."""
    from django.utils import timezone

    record = Record.objects.create(
        case=deciding_case,
        kind="leader_approval",
        fields={
            "signed_at": timezone.localtime().isoformat(),
            "approver": {"id": personas["zhao"].pk, "name": "赵局长", "cert": "14052400001"},
            "approval_form": None,
            "result": "approve",
            "opinion": "同意（旧记录）",
        },
        created_by=personas["zhang"],
        created_at=timezone.now(),
        catalogue_version=1,
    )
    r = api("zhang", f"/api/records/{record.pk}/")
    assert r.status_code == 200 and r.json()["catalogue_version"] == 1
    assert (
        "同意（旧记录）"
        in api("zhang", f"/cases/{deciding_case.pk}/section/timeline/").content.decode()
    )
    # …and cannot be corrected by a handler either.
    r = api(
        "zhang",
        f"/api/records/{record.pk}/correct/",
        {"fields": {"opinion": "改"}, "reason": "补正", "signatures": []},
    )
    assert r.status_code == 403 and r.json()["code"] == "made_by_approval_step"
    assert Case.objects.get(pk=deciding_case.pk).stage == "decision"
