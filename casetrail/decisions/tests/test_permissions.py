"""Permission matrix of the decision's pages and endpoints, each persona (and another agency's
officer, a login without an officer, nobody): the proposal's page and API, the decision's API, the
chain's page and API, and each step of the chain. Another agency's case is 404, never 403."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from casetrail.approvals.actions import approval_decide
from casetrail.approvals.models import Chain
from casetrail.conftest import client_for
from casetrail.decisions.tests.builders import all_ok, proposal
from casetrail.decisions.tests.conftest import counts
from casetrail.demo.personas import DEMO_PASSWORD

PEOPLE = [
    "anon",
    "outsider",
    "other",
    "zhang",
    "li",
    "wang",
    "zhao",
    "chen",
    "liu",
    "sun",
    "admin",
    "zheng",
    "feng",
]


def row(default, **overrides):
    return dict(zip(PEOPLE, [overrides.get(p, default) for p in PEOPLE], strict=True))


@pytest.fixture
def outsider(db):
    get_user_model().objects.create_user(username="outsider", password=DEMO_PASSWORD)


def client(who: str) -> Client:
    return Client() if who == "anon" else client_for({"other": "ma"}.get(who, who))


# Who reads the case: its handlers, 王审核 and 赵局长 (they acted on its start), the supervisor.
READERS = {"zhang": 200, "li": 200, "wang": 200, "zhao": 200, "sun": 200}
PAGE = row(404, anon=302, outsider=403, **READERS)
API = row(404, anon=401, outsider=403, **READERS)
ACT_PAGE = row(404, anon=302, outsider=403, zhang=200, li=200, wang=403, zhao=403, sun=403)
PROPOSE = row(404, anon=401, outsider=403, zhang=201, li=201, wang=403, zhao=403, sun=403)
REVIEW = row(404, anon=401, outsider=403, zhang=403, li=403, wang=201, zhao=403, sun=403)
# Once reviewed with a request for 法制审核: 陈法制 reads it (it waits for him); 王审核 acted.
LEGAL = row(404, anon=401, outsider=403, zhang=403, li=403, wang=403, zhao=403, sun=403, chen=201)


def post(who, url, body):
    return client(who).post(url, body, content_type="application/json")


@pytest.mark.parametrize("who", PEOPLE)
def test_it_enforces_who_reads_proposes_reviews_and_legally_reviews(
    who, deciding_case, personas, other_agency, outsider
):
    case = deciding_case
    c = client(who)
    for url, expected in [
        (f"/cases/{case.pk}/decision-proposal/", ACT_PAGE),
        (f"/api/cases/{case.pk}/decision/", API),
    ]:
        assert c.get(url).status_code == expected[who], url

    before = counts()
    r = post(
        who,
        f"/api/cases/{case.pk}/decision-proposal/",
        {"fields": proposal(case), "opinion": "建议罚款500元"},
    )
    assert r.status_code == PROPOSE[who], r.content
    if r.status_code != 201:
        assert counts() == before
        post(
            "zhang",
            f"/api/cases/{case.pk}/decision-proposal/",
            {"fields": proposal(case), "opinion": "建议"},
        )
    chain = Chain.objects.get(case=case, kind="case_decision")
    for url, expected in [(f"/approvals/{chain.pk}/", PAGE), (f"/api/approvals/{chain.pk}/", API)]:
        assert c.get(url).status_code == expected[who], url

    r = post(
        who,
        f"/api/approvals/{chain.pk}/decide/",
        {"outcome": "approve", "opinion": "同意，提请法制审核", "legal_grounds": ["complex"]},
    )
    assert r.status_code == REVIEW[who], r.content
    if r.status_code != 201:
        approval_decide(
            chain=chain,
            officer=personas["wang"],
            outcome="approve",
            opinion="同意",
            legal_grounds=["complex"],
        )
    before = counts()
    r = post(
        who,
        f"/api/approvals/{chain.pk}/decide/",
        {"outcome": "approve", "opinion": "合法", "findings": all_ok()},
    )
    assert r.status_code == LEGAL[who], r.content
    if r.status_code != 201:
        assert counts() == before


# The 重大 case: 陈法制 reviewed its start too; every leader reads it while the discussion waits.
MAJOR_READERS = {**READERS, "chen": 200}
CHAIR = row(
    404,
    anon=401,
    outsider=403,
    zhang=403,
    li=403,
    wang=403,
    chen=403,
    sun=403,
    zhao=201,
    zheng=201,
    feng=201,
)


@pytest.mark.parametrize("who", PEOPLE)
def test_it_enforces_who_chairs_the_discussion_and_decides(
    who, major_case, personas, other_agency, outsider
):
    from casetrail.decisions.tests.builders import propose

    chain = propose(major_case, personas)
    approval_decide(chain=chain, officer=personas["wang"], outcome="approve", opinion="同意")
    approval_decide(
        chain=chain, officer=personas["chen"], outcome="approve", opinion="合法", findings=all_ok()
    )
    leaders = [personas[w] for w in ("zhao", "zheng", "feng")]
    before = counts()
    r = post(
        who,
        f"/api/approvals/{chain.pk}/decide/",
        {
            "outcome": "approve",
            "opinion": "集体讨论同意",
            "participants": [{"id": o.pk, "view": "同意"} for o in leaders],
        },
    )
    assert r.status_code == CHAIR[who], r.content
    chair = who if r.status_code == 201 else "zheng"
    if r.status_code != 201:
        assert counts() == before
        post(
            "zheng",
            f"/api/approvals/{chain.pk}/decide/",
            {
                "outcome": "approve",
                "opinion": "集体讨论同意",
                "participants": [{"id": o.pk, "view": "同意"} for o in leaders],
            },
        )
    # The decision: any 负责人 but the chair, who acted in this round (第六条).
    expected = {"zhao": 201, "zheng": 201, "feng": 201}.get(who, CHAIR[who])
    if who == chair:
        expected = 403
    r = post(who, f"/api/approvals/{chain.pk}/decide/", {"outcome": "approve", "opinion": "批准"})
    assert r.status_code == expected, r.content
