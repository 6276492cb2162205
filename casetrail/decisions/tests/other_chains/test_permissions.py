"""Permission matrix of the other internal decisions (anonymous / outsider / another agency / each
persona) over every new page and API endpoint: the proposals as acts of the case, the 重大 flag,
the exemption proposal and the supervisors' list of exemptions. Another agency's case is 404."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from casetrail.approvals.models import Chain
from casetrail.cases.tests.test_permissions import (
    PEOPLE,
    approve_as,
    client,
    read_failures,
    row,
)
from casetrail.compliance.kinds import ComplianceChain
from casetrail.conftest import client_for
from casetrail.decisions import actions
from casetrail.decisions.tests.other_chains.builders import PROPOSAL_FIELDS, snapshot
from casetrail.demo.personas import DEMO_PASSWORD


@pytest.fixture
def world(investigating, personas, other_agency):
    """A case in 调查取证 (zhang, li assigned; wang and zhao approved its start) with a
    先行登记保存 proposal waiting for wang's review."""
    get_user_model().objects.create_user(username="outsider", password=DEMO_PASSWORD)
    chain = actions.preservation_propose(
        case=investigating,
        officer=personas["zhang"],
        fields=PROPOSAL_FIELDS,
        opinion="建议先行登记保存",
    )
    return {"case": investigating, "chain": chain}


HANDLERS_PAGE = row(404, anon=302, outsider=403, zhang=200, li=200, wang=403, zhao=403, sun=403)
GET_MATRIX = [
    *[
        (f"/cases/{{case}}/{act}/", HANDLERS_PAGE)
        for act in (
            "preservation",
            "extension",
            "enforcement",
            "court-enforcement",
            "closing",
            "major-lower",
        )
    ],
    ("/cases/{case}/major-raise/", row(404, anon=302, outsider=403, zhang=200, li=200, wang=200, zhao=403, sun=403)),
    ("/cases/{case}/exemptions/new/", HANDLERS_PAGE),
    ("/compliance/exemptions/", row(403, anon=302, sun=200)),
    ("/api/exemptions/", row(403, anon=401, sun=200)),
    ("/approvals/{chain}/", row(404, anon=302, outsider=403, zhang=200, li=200, wang=200, zhao=200, sun=200)),
]  # fmt: skip


@pytest.mark.parametrize("who", PEOPLE)
def test_it_enforces_the_read_matrix(world, who):
    fmt = {"case": world["case"].pk, "chain": world["chain"].pk}
    assert not read_failures(who, GET_MATRIX, fmt)


def _bodies():
    return {
        # act: (body, status for an assigned handler in 调查取证)
        "preservation": ({"fields": PROPOSAL_FIELDS, "opinion": "建议"}, 201),
        "extension": ({"fields": {"deadline": "CF60", "days": 10, "reason": "复杂"}, "opinion": "建议"}, 201),
        "enforcement": ({"fields": {}, "opinion": "建议"}, 400),
        "court-enforcement": ({"fields": {}, "opinion": "建议"}, 400),
        "closing": ({"fields": {"ground": "other", "course": "c", "outcome": "o"}, "opinion": "建议"}, 400),
        "major-lower": ({"fields": {"reason": "r", "opinion": "o"}}, 400),  # not 重大 (yet)
        "major-raise": ({"fields": {"reason": "影响重大"}}, 201),
    }  # fmt: skip


def _expected(who, handler_status, act):
    reviewer = 201 if act == "major-raise" else 403
    return row(404, anon=401, outsider=403, zhang=handler_status, li=handler_status,
               wang=reviewer, zhao=403, sun=403)[PEOPLE.index(who)]  # fmt: skip


@pytest.mark.parametrize("who", PEOPLE)
def test_it_enforces_who_may_propose(world, who):
    case = world["case"]
    failures = []
    for act, (body, handler_status) in _bodies().items():
        if act == "preservation":
            handler_status = 400  # one is open already: a second is refused (chain_already_open)
        before = snapshot()
        r = client(who).post(f"/api/cases/{case.pk}/{act}/", body, content_type="application/json")
        expected = _expected(who, handler_status, act)
        if r.status_code != expected:
            failures.append(f"POST {act}: {r.status_code} != {expected} {r.content[:200]!r}")
        elif r.status_code != 201:
            assert snapshot() == before, act
            assert set(r.json()) >= {"code", "message"}, act
    assert not failures, failures


EXEMPT = row(404, anon=401, outsider=403, zhang=400, li=400, wang=403, zhao=403, sun=403)
DECIDE = row(404, anon=401, outsider=403, zhang=403, li=403, wang=201, zhao=403, sun=403)


@pytest.mark.parametrize("who", PEOPLE)
def test_it_enforces_who_may_propose_an_exemption(world, who):
    case = world["case"]
    body = {"rule": "R13", "subject": "record:1", "reason": "r", "facts": "f"}
    r = client(who).post(f"/api/cases/{case.pk}/exemptions/", body, content_type="application/json")
    assert r.status_code == EXEMPT[PEOPLE.index(who)], r.content
    if r.status_code == 400:
        assert r.json()["code"] == "nothing_to_exempt"
    assert not Chain.objects.filter(kind=ComplianceChain.EXEMPTION).exists()


@pytest.mark.parametrize("who", PEOPLE)
def test_it_enforces_who_may_decide_a_preservation(world, who):
    chain = world["chain"]
    r = approve_as(who, chain)
    assert r.status_code == DECIDE[PEOPLE.index(who)], r.content
    assert chain.steps.count() == (2 if r.status_code == 201 else 1)


def test_it_hides_another_agencys_decisions(world, personas):
    case = world["case"]
    other = client("other")
    assert other.get(f"/api/cases/{case.pk}/").status_code == 404
    assert other.get(f"/api/approvals/{world['chain'].pk}/").status_code == 404
    assert other.get("/api/approvals/").json() == []
    assert client_for("yang").get("/api/approvals/").json() == []  # the other agency's reviewer
    assert [c["id"] for c in client("wang").get("/api/approvals/").json()] == [world["chain"].pk]
