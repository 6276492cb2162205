"""Permission matrix of the officer pages and API: only the agency's administrators manage its
officers; another agency's officer is 404 (its existence is not revealed), a wrong role 403; every
officer manages their own API token. A refused request writes nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from casetrail.conftest import client_for
from casetrail.demo.personas import DEMO_PASSWORD
from casetrail.org.tests.conftest import new_officer, org_state

PEOPLE = ["anon", "outsider", "gao", "zhang", "li", "wang", "zhao", "chen", "liu", "sun", "admin"]


@pytest.fixture
def world(personas, other_agency, other_admin):
    get_user_model().objects.create_user(username="outsider", password=DEMO_PASSWORD)
    return {"li": personas["li"].pk, "ma": other_agency["ma"].pk}


def client(who: str) -> Client:
    return Client() if who == "anon" else client_for(who)


def row(default, **overrides):
    return [overrides.get(p, default) for p in PEOPLE]


# gao is the other agency's administrator: their own list works, our officers are 404 to them.
GET_MATRIX = [
    ("/org/officers/", row(403, anon=302, gao=200, admin=200)),
    ("/org/officers/{li}/", row(403, anon=302, outsider=403, gao=404, admin=200)),
    ("/org/officers/{ma}/", row(404, anon=302, outsider=403, gao=200)),
    ("/org/officers/999999/", row(404, anon=302, outsider=403)),
    ("/org/me/token/", row(200, anon=302, outsider=403)),
    ("/api/officers/", row(403, anon=401, gao=200, admin=200)),
    ("/api/officers/{li}/", row(403, anon=401, outsider=403, gao=404, admin=200)),
    ("/api/officers/{ma}/", row(404, anon=401, outsider=403, gao=200)),
]


@pytest.mark.parametrize("who", PEOPLE)
def test_it_enforces_the_read_matrix(world, who):
    c = client(who)
    failures = []
    for url, expected in GET_MATRIX:
        path = url.format(**world)
        status = c.get(path).status_code
        if status != expected[PEOPLE.index(who)]:
            failures.append(f"GET {path}: {status} != {expected[PEOPLE.index(who)]}")
    assert not failures, failures


def test_it_lists_only_the_agencys_own_officers(world):
    names = {o["name"] for o in client_for("gao").get("/api/officers/").json()}
    assert names == {"ma", "niu", "yang", "zhu", "gou", "高管理"}
    page = client_for("admin").get("/org/officers/").content.decode()
    assert "李承办" in page and "高管理" not in page


# Each write endpoint with a valid body: the admin succeeds, everyone else is refused unchanged.
WRITES = [
    ("certificate", {"certificate_no": "X9", "valid_from": "2026-01-01", "valid_to": "2036-01-01"}),
    ("roles", {"add": ["approver"]}),
    ("unit", {"unit": "法制股"}),  # the unit's id is looked up in the test
    ("deactivate", {"reason": "调离"}),
]
WRITE = row(403, anon=401, outsider=403, gao=404, admin=200)


@pytest.mark.parametrize("who", PEOPLE)
@pytest.mark.parametrize("what, body", WRITES)
def test_it_enforces_who_may_change_an_officer(world, personas, who, what, body):
    if what == "unit":
        body = {"unit": personas["li"].agency.units.get(name=body["unit"]).pk}
    before = org_state()
    r = client(who).post(
        f"/api/officers/{world['li']}/{what}/", body, content_type="application/json"
    )
    expected = WRITE[PEOPLE.index(who)]
    assert r.status_code == expected, r.content
    assert set(r.json()) >= ({"id", "name"} if expected == 200 else {"code", "message"})
    assert (org_state() == before) == (expected != 200)


@pytest.mark.parametrize("who", PEOPLE)
def test_it_enforces_who_may_create_an_officer(world, personas, who):
    before = org_state()
    r = client(who).post("/api/officers/", new_officer(personas), content_type="application/json")
    # gao may create officers, but only in a unit of their own agency.
    expected = row(403, anon=401, gao=400, admin=201)[PEOPLE.index(who)]
    assert r.status_code == expected, r.content
    assert (org_state() == before) == (expected != 201)


@pytest.mark.parametrize("who", PEOPLE)
def test_it_lets_every_officer_issue_their_own_token(world, who):
    r = client(who).post("/api/me/tokens/", {"name": "脚本"}, content_type="application/json")
    expected = row(201, anon=401, outsider=403)[PEOPLE.index(who)]
    assert r.status_code == expected, r.content


@pytest.mark.parametrize("who", PEOPLE)
def test_it_enforces_who_may_use_the_officer_pages(world, personas, who):
    li = world["li"]
    before = org_state()
    r = client(who).post(f"/org/officers/{li}/deactivate/", {"reason": "调离"})
    expected = row(403, anon=302, outsider=403, gao=404, admin=302)[PEOPLE.index(who)]
    assert r.status_code == expected
    assert (org_state() == before) == (who != "admin")
