"""第六条: three distinct people with the roles; nobody approves their own proposal; a returned
proposal is revised and resubmitted with its history kept."""

from __future__ import annotations

import pytest

from casetrail.approvals.actions import approval_decide, approval_resubmit
from casetrail.approvals.models import Chain, ChainStatus, Step
from casetrail.conftest import client_for, start_ex_officio
from casetrail.demo.personas import DEMO_PASSWORD
from casetrail.ledger.models import LedgerEntry
from casetrail.lib.errors import ActionError
from casetrail.org.actions import officer_create, officer_roles_change
from casetrail.org.models import Role
from casetrail.records.models import Record


def refused(chain, officer, outcome="approve", opinion="同意"):
    before = (Step.objects.count(), LedgerEntry.objects.count())
    with pytest.raises(ActionError) as err:
        approval_decide(chain=chain, officer=officer, outcome=outcome, opinion=opinion)
    assert (Step.objects.count(), LedgerEntry.objects.count()) == before
    chain.refresh_from_db()
    return err.value


def test_it_refuses_self_approval(personas):
    # 王审核 also holds the handler role here and proposes; he may not review his own proposal,
    # and nobody else of his unit holds the reviewer role, so the chain waits for one who does.
    from casetrail.conftest import case_input
    from casetrail.start import actions

    wang = officer_roles_change(by=personas["admin"], officer=personas["wang"], add=[Role.HANDLER])
    case = actions.case_start_ex_officio(
        officer=wang,
        data=case_input(personas, officers=[wang, personas["zhang"]]),
        reason="举报",
        party_facts="周某",
        opinion="建议立案",
    )
    chain = Chain.objects.get(case=case)
    err = refused(chain, wang)
    assert err.code == "not_allowed_to_decide" and "本人提出" in err.message
    assert err.status == 403 and chain.status == ChainStatus.PENDING_REVIEW


def test_it_requires_three_distinct_people(personas):
    # An officer holding both reviewer and approver roles may not take both steps.
    wang = officer_roles_change(by=personas["admin"], officer=personas["wang"], add=[Role.APPROVER])
    chain = Chain.objects.get(case=start_ex_officio(personas))
    approval_decide(chain=chain, officer=wang, outcome="approve", opinion="同意")
    chain.refresh_from_db()
    err = refused(chain, wang)
    assert "不同人员" in err.message
    approval_decide(chain=chain, officer=personas["zhao"], outcome="approve", opinion="同意")
    chain.refresh_from_db()
    assert chain.status == ChainStatus.APPROVED


def test_it_refuses_people_without_the_role_or_from_another_unit(personas):
    chain = Chain.objects.get(case=start_ex_officio(personas))
    assert refused(chain, personas["li"]).code == "not_allowed_to_decide"  # handler, not reviewer
    assert refused(chain, personas["zhao"]).code == "not_allowed_to_decide"  # approver, wrong step
    other_reviewer = officer_create(
        unit=personas["chen"].unit.agency.units.get(name="社会组织管理股"),
        username="fengsh",
        name="冯审核",
        password=DEMO_PASSWORD,
        roles=[Role.REVIEWER],
    )
    err = refused(chain, other_reviewer)
    assert "承办机构负责人" in err.message


def test_it_requires_an_opinion_and_a_valid_outcome(personas):
    chain = Chain.objects.get(case=start_ex_officio(personas))
    assert refused(chain, personas["wang"], opinion="  ").code == "opinion_required"
    assert refused(chain, personas["wang"], outcome="maybe").code == "invalid_outcome"


def test_it_keeps_the_history_of_a_returned_and_resubmitted_proposal(personas):
    chain = Chain.objects.get(case=start_ex_officio(personas))
    original = chain.record
    approval_decide(
        chain=chain,
        officer=personas["wang"],
        outcome="return",
        opinion="当事人基本情况不完整，请补充",
    )
    chain.refresh_from_db()
    assert chain.status == ChainStatus.RETURNED
    # Nobody but the proposer may resubmit; the reviewer cannot decide a returned chain.
    assert refused(chain, personas["zhao"]).code == "chain_returned"
    with pytest.raises(ActionError):
        approval_resubmit(chain=chain, officer=personas["li"], fields={}, opinion="x", reason="y")

    r = client_for("zhang").post(
        f"/approvals/{chain.pk}/",
        {
            "reason": "群众举报，经初步核实存在违法嫌疑",
            "party_facts": "周某，男，1990年生，个体经营者",
            "opinion": "已补充当事人情况，建议立案",
            "reason_1": "",
        },
    )
    # The resubmit form's own "reason" field is the 启动原因; the 修改说明 is required too.
    assert r.status_code in (302, 400)
    approval_resubmit(
        chain=chain,
        officer=personas["zhang"],
        fields={"party_facts": "周某，男，1990年生，个体经营者"},
        opinion="已补充，建议立案",
        reason="按审核意见补充当事人基本情况",
    )
    chain.refresh_from_db()
    assert chain.status == ChainStatus.PENDING_REVIEW
    assert chain.record.replaces_id == original.pk
    assert chain.record.fields["party_facts"].startswith("周某，男")
    assert Record.objects.get(pk=original.pk).fields == original.fields  # the old version stays
    approval_decide(chain=chain, officer=personas["wang"], outcome="approve", opinion="同意")
    approval_decide(chain=chain, officer=personas["zhao"], outcome="approve", opinion="同意")
    steps = list(Step.objects.filter(chain=chain).values_list("role", "outcome", "record_id"))
    assert steps == [
        ("propose", "submit", original.pk),
        ("review", "return", original.pk),
        ("propose", "submit", chain.record_id),
        ("review", "approve", chain.record_id),
        ("decide", "approve", chain.record_id),
    ]


def test_it_lets_the_same_reviewer_review_again_after_a_resubmission(personas):
    chain = Chain.objects.get(case=start_ex_officio(personas))
    approval_decide(chain=chain, officer=personas["wang"], outcome="return", opinion="补充")
    approval_resubmit(
        chain=chain, officer=personas["zhang"], fields={}, opinion="已修改", reason="修改"
    )
    approval_decide(chain=chain, officer=personas["wang"], outcome="approve", opinion="同意")
    chain.refresh_from_db()
    assert chain.status == ChainStatus.PENDING_DECISION


def test_it_lists_waiting_approvals_per_person(personas):
    chain = Chain.objects.get(case=start_ex_officio(personas))
    waiting = lambda who: [c["id"] for c in client_for(who).get("/api/approvals/").json()]  # noqa: E731
    assert waiting("wang") == [chain.pk]
    assert waiting("zhao") == [] and waiting("zhang") == []
    approval_decide(chain=chain, officer=personas["wang"], outcome="return", opinion="补充")
    assert waiting("zhang") == [chain.pk] and waiting("wang") == []


def test_it_asks_for_the_password_again_before_approving(personas):
    """Issue 15: 同意 is a sensitive action; a session whose password is older than
    CASETRAIL_REAUTH_MINUTES re-enters it first. Returning does not ask; a token passes."""
    import datetime as dt

    import time_machine
    from django.utils import timezone

    from casetrail.org.actions import token_issue

    chain = Chain.objects.get(case=start_ex_officio(personas))
    page = f"/approvals/{chain.pk}/"
    approve = {"outcome": "approve", "opinion": "同意立案"}
    with time_machine.travel(timezone.now(), tick=False) as clock:
        wang = client_for("wang")
        clock.shift(dt.timedelta(minutes=11))
        before = (Step.objects.count(), LedgerEntry.objects.count())
        r = wang.post(page, approve, HTTP_REFERER=page)
        assert r.status_code == 302 and r["Location"].startswith("/reauth/")
        r = wang.post(f"/api/approvals/{chain.pk}/decide/", approve, "application/json")
        assert r.status_code == 403 and r.json()["code"] == "reauth_required"
        assert (Step.objects.count(), LedgerEntry.objects.count()) == before
        # With a token (given to its owner, for this request) the API approves.
        secret = token_issue(by=personas["wang"], officer=personas["wang"], name="脚本").key
        r = client_for(None).post(
            f"/api/approvals/{chain.pk}/decide/",
            approve,
            "application/json",
            HTTP_AUTHORIZATION=f"Token {secret}",
        )
        assert r.status_code == 201
        # The director's session is as old: he re-enters the password, then approves.
        zhao = client_for("zhao")
        clock.shift(dt.timedelta(minutes=11))
        assert zhao.post(page, approve).status_code == 302
        assert zhao.post("/reauth/", {"password": DEMO_PASSWORD, "next": page})["Location"] == page
        r = zhao.post(page, approve)
        assert r.status_code == 200 and "请确认" in r.content.decode()  # the last step's page
        assert zhao.post(page, {**approve, "confirmed": "1"}).status_code == 302
    chain.refresh_from_db()
    assert chain.status == ChainStatus.APPROVED
