"""The steps of a chain beyond review and approval: a plan fixed when the chain opens, the legal
review item by item (行政处罚法第五十八条), the collective discussion with its quorum (第十八条),
and a refusal at any step that binds."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from casetrail.approvals.actions import approval_decide
from casetrail.approvals.checklists import LEGAL_REVIEW_ITEMS
from casetrail.approvals.kinds import CHECKLIST_KINDS, EFFECTS, register_kind
from casetrail.approvals.models import KIND_LABELS, Chain, ChainStatus, Step
from casetrail.approvals.selectors import why_cannot_act
from casetrail.approvals.writes import open_chain
from casetrail.conftest import client_for
from casetrail.demo.personas import DEMO_PASSWORD
from casetrail.ledger.models import LedgerEntry
from casetrail.lib.errors import ActionError
from casetrail.lib.ledgered import Act, ActionName, action
from casetrail.org.actions import officer_create
from casetrail.org.models import Role, Unit
from casetrail.records.models import Record

KIND = "test_decision"
ENDED: list[bool] = []


class Probe(ActionName):
    PROPOSE = "test.propose_decision"


@pytest.fixture
def chain(open_case, personas):
    def ended(*, chain, officer, approved, now):
        ENDED.append(approved)
        return []

    register_kind(KIND, ended, label="测试审批", legal_checklist=True)
    ENDED.clear()

    @action(Probe.PROPOSE)
    def propose(act: Act, /) -> Chain:
        record = Record.objects.filter(case=open_case).first()
        made, first = open_chain(
            case=open_case,
            kind=KIND,
            record=record,
            proposer=personas["zhang"],
            opinion="建议处罚",
            requires_legal=True,
            collective=True,
            now=timezone.now(),
        )
        act.record(
            agency=open_case.agency_id, actor=personas["zhang"], subject="t", rows=[made, first]
        )
        return made

    yield propose()
    EFFECTS.pop(KIND, None)
    KIND_LABELS.pop(KIND, None)
    CHECKLIST_KINDS.discard(KIND)


@pytest.fixture
def leaders(personas):
    """赵局长 and the demo's 郑副局长 and 冯副局长: three leaders for the default quorum."""
    return [personas["zhao"], personas["zheng"], personas["feng"]]


def all_ok(**overrides):
    return [
        {"item": code, "finding": overrides.get(code, "ok"), "note": ""}
        for code, _ in LEGAL_REVIEW_ITEMS
    ]


def refused(chain, officer, **kwargs):
    before = (Step.objects.count(), LedgerEntry.objects.count())
    with pytest.raises(ActionError) as err:
        approval_decide(
            chain=chain, officer=officer, **{"outcome": "approve", "opinion": "同意", **kwargs}
        )
    assert (Step.objects.count(), LedgerEntry.objects.count()) == before
    return err.value.code


def test_it_walks_review_legal_review_discussion_and_decision(chain, personas, leaders):
    assert chain.plan == ["review", "legal", "collective", "decide"]
    approval_decide(chain=chain, officer=personas["wang"], outcome="approve", opinion="审核同意")
    chain.refresh_from_db()
    assert chain.status == ChainStatus.PENDING_LEGAL
    # 陈法制 reviews over HTTP, item by item.
    response = client_for("chen").post(
        f"/api/approvals/{chain.pk}/decide/",
        {"outcome": "approve", "opinion": "合法", "findings": all_ok()},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    step = Step.objects.get(chain=chain, role="legal")
    assert [f["item"] for f in step.findings] == [code for code, _ in LEGAL_REVIEW_ITEMS]
    chain.refresh_from_db()
    assert chain.status == ChainStatus.PENDING_COLLECTIVE
    assert chain in [
        c
        for c in __import__("casetrail.approvals.selectors", fromlist=["x"]).chains_waiting_for(
            officer=leaders[1]
        )
    ]
    participants = [{"id": o.pk, "view": f"{o.name}同意"} for o in leaders]
    approval_decide(
        chain=chain,
        officer=leaders[1],
        outcome="approve",
        opinion="集体讨论同意",
        participants=participants,
    )
    chain.refresh_from_db()
    assert chain.status == ChainStatus.PENDING_DECISION
    assert Step.objects.get(chain=chain, role="collective").participants[0]["name"] == "赵局长"
    approval_decide(chain=chain, officer=personas["zhao"], outcome="approve", opinion="批准")
    chain.refresh_from_db()
    assert chain.status == ChainStatus.APPROVED and ENDED == [True]
    entry = LedgerEntry.objects.filter(subject__startswith="step:").order_by("-seq").first()
    assert entry.action == "approval.step"


def test_the_legal_review_goes_item_by_item_and_not_by_a_handler(chain, personas):
    approval_decide(chain=chain, officer=personas["wang"], outcome="approve", opinion="审核同意")
    chain.refresh_from_db()
    assert refused(chain, personas["chen"]) == "legal_findings_required"
    assert (
        refused(chain, personas["chen"], findings=all_ok(law="issue"))
        == "legal_finding_note_required"
    )
    issue = all_ok()
    issue[5] = {"item": "law", "finding": "issue", "note": "适用条款错误"}
    assert refused(chain, personas["chen"], findings=issue) == "legal_review_has_issues"
    assert (
        refused(chain, personas["chen"], findings=all_ok(), participants=[{"id": 1}])
        == "participants_not_expected"
    )


def test_a_legal_reviewer_who_handles_the_case_may_not_review_it(personas):
    # 行政处罚法第五十八条: the legal review is independent of the handling.
    from casetrail.conftest import case_input
    from casetrail.start.actions import case_start_ex_officio

    today = timezone.localdate()
    lawyer = officer_create(
        unit=Unit.objects.get(agency=personas["chen"].agency, kind=Unit.Kind.LEGAL),
        username="lv",
        name="吕法制",
        password=DEMO_PASSWORD,
        roles=[Role.HANDLER, Role.LEGAL_REVIEWER],
        certificate_no="14052400202",
        valid_from=today - dt.timedelta(days=1),
        valid_to=today + dt.timedelta(days=365),
    )
    case = case_start_ex_officio(
        officer=personas["zhang"],
        data=case_input(personas, officers=[personas["zhang"], lawyer], is_major=True),
        reason="举报",
        party_facts="周某",
        opinion="建议立案",
    )
    start = Chain.objects.get(case=case)
    approval_decide(chain=start, officer=personas["wang"], outcome="approve", opinion="同意")
    start.refresh_from_db()
    assert start.status == ChainStatus.PENDING_LEGAL
    assert refused(start, lawyer) == "not_allowed_to_decide"
    assert "本案承办人员不得进行本案的法制审核" in why_cannot_act(officer=lawyer, chain=start)
    assert why_cannot_act(officer=personas["chen"], chain=start) is None


def test_a_legal_review_that_does_not_pass_binds(chain, personas):
    approval_decide(chain=chain, officer=personas["wang"], outcome="approve", opinion="审核同意")
    chain.refresh_from_db()
    issue = all_ok()
    issue[4] = {"item": "facts", "finding": "issue", "note": "证据不足"}
    approval_decide(
        chain=chain, officer=personas["chen"], outcome="refuse", opinion="不通过", findings=issue
    )
    chain.refresh_from_db()
    assert chain.status == ChainStatus.REFUSED and ENDED == [False]
    assert refused(chain, personas["zhao"]) == "not_allowed_to_decide"


def test_a_discussion_needs_its_quorum_of_leaders_with_their_views(chain, personas, leaders):
    approval_decide(chain=chain, officer=personas["wang"], outcome="approve", opinion="审核同意")
    chain.refresh_from_db()
    approval_decide(
        chain=chain, officer=personas["chen"], outcome="approve", opinion="合法", findings=all_ok()
    )
    chain.refresh_from_db()
    two = [{"id": o.pk, "view": "同意"} for o in leaders[:2]]
    assert refused(chain, leaders[0], participants=two) == "quorum_not_met"
    without_chair = [{"id": o.pk, "view": "同意"} for o in leaders[1:]]
    assert refused(chain, leaders[0], participants=without_chair) == "chair_not_listed"
    silent = [{"id": o.pk, "view": ""} for o in leaders]
    assert refused(chain, leaders[0], participants=silent) == "participant_view_required"
    with_handler = [
        *[{"id": o.pk, "view": "同意"} for o in leaders],
        {"id": personas["zhang"].pk, "view": "同意"},
    ]
    assert refused(chain, leaders[0], participants=with_handler) == "participant_not_a_leader"
    assert refused(chain, personas["wang"], participants=[]) == "not_allowed_to_decide"
    page = client_for("zheng").get(f"/approvals/{chain.pk}/").content.decode()
    assert "冯副局长参加" in page and "讨论结论" in page
