"""Permission matrix (anonymous / outsider / other agency / each role) over every view and API
endpoint. Another agency's case is 404, never 403: its existence is not revealed."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from casetrail.approvals.models import Chain
from casetrail.conftest import client_for, start_ex_officio
from casetrail.demo.personas import DEMO_PASSWORD

PEOPLE = ["anon", "outsider", "other", "zhang", "li", "wang", "zhao", "chen", "liu", "sun", "admin"]


@pytest.fixture
def world(personas, other_agency):
    get_user_model().objects.create_user(username="outsider", password=DEMO_PASSWORD)
    case = start_ex_officio(personas)  # assigned: zhang, li; waiting for wang's review
    return {"case": case, "chain": Chain.objects.get(case=case)}


def client(who: str) -> Client:
    if who == "anon":
        return Client()
    return client_for({"other": "ma"}.get(who, who))


def row(default, **overrides):
    return [overrides.get(p, default) for p in PEOPLE]


# method, url, expected status per person in PEOPLE order
GET_MATRIX = [
    ("/", row(200, anon=302, outsider=403)),
    ("/cases/", row(200, anon=302, outsider=403)),
    ("/cases/new/ex-officio/", row(403, anon=302, other=200, zhang=200, li=200)),
    ("/cases/new/application/", row(403, anon=302, other=200, zhang=200, li=200)),
    ("/cases/new/complaint/", row(403, anon=302, other=200, zhang=200, li=200)),
    ("/cases/new/on-the-spot/", row(403, anon=302, other=200, zhang=200, li=200)),
    ("/cases/{case}/", row(404, anon=302, outsider=403, zhang=200, li=200, wang=200, sun=200)),
    *[
        (
            f"/cases/{{case}}/section/{key}/",
            row(404, anon=302, outsider=403, zhang=200, li=200, wang=200, sun=200),
        )
        for key in ("todo", "documents", "media", "approvals", "deadlines", "timeline")
    ],
    (
        "/cases/{case}/print/timeline/",
        row(404, anon=302, outsider=403, zhang=200, li=200, wang=200, sun=200),
    ),
    (
        "/cases/{case}/advance/",
        row(404, anon=302, outsider=403, zhang=200, li=200, wang=403, sun=403),
    ),
    ("/approvals/{chain}/", row(404, anon=302, outsider=403, zhang=200, li=200, wang=200, sun=200)),
    ("/api/worklist/", row(200, anon=401, outsider=403)),
    ("/api/cases/", row(200, anon=401, outsider=403)),
    ("/api/approvals/", row(200, anon=401, outsider=403)),
    ("/api/catalogue/", row(200, anon=401)),
    ("/api/cases/{case}/", row(404, anon=401, outsider=403, zhang=200, li=200, wang=200, sun=200)),
    (
        "/api/approvals/{chain}/",
        row(404, anon=401, outsider=403, zhang=200, li=200, wang=200, sun=200),
    ),
    ("/api/cases/999999/", row(404, anon=401, outsider=403)),
]


def read_failures(who: str, matrix: list, fmt: dict) -> list[str]:
    """The GETs of ``matrix`` (url pattern, expected status per person) that ``who`` gets wrong."""
    c = client(who)
    failures = []
    for url, expected in matrix:
        path = url.format(**fmt)
        status = c.get(path).status_code
        if status != expected[PEOPLE.index(who)]:
            failures.append(f"GET {path}: {status} != {expected[PEOPLE.index(who)]}")
    return failures


@pytest.mark.parametrize("who", PEOPLE)
def test_it_enforces_the_read_matrix(world, who):
    failures = read_failures(
        who, GET_MATRIX, {"case": world["case"].pk, "chain": world["chain"].pk}
    )
    assert not failures, failures


DECIDE = row(404, anon=401, outsider=403, zhang=403, li=403, wang=201, sun=403)
ACT = row(404, anon=401, outsider=403, zhang=201, li=201, wang=403, sun=403)


def approve_as(who: str, chain: Chain) -> object:
    return client(who).post(
        f"/api/approvals/{chain.pk}/decide/",
        {"outcome": "approve", "opinion": "同意"},
        content_type="application/json",
    )


@pytest.mark.parametrize("who", PEOPLE)
def test_it_enforces_who_may_decide(world, who):
    chain = world["chain"]
    r = approve_as(who, chain)
    assert r.status_code == DECIDE[PEOPLE.index(who)], r.content
    if r.status_code != 201:
        assert set(r.json()) >= {"code", "message"}
    assert chain.steps.count() == (2 if r.status_code == 201 else 1)


@pytest.mark.parametrize("who", PEOPLE)
def test_it_enforces_who_may_act_on_a_case(world, who):
    # Case steps are for assigned officers; the start is pending so "advance" is refused (400)
    # for them — what matters here is who gets past the access checks.
    case = world["case"]
    r = client(who).post(
        f"/api/cases/{case.pk}/advance/",
        {"fields": {"reason": "调查"}},
        content_type="application/json",
    )
    expected = ACT[PEOPLE.index(who)]
    assert r.status_code == (400 if expected == 201 else expected), r.content
    if r.status_code == 400:
        assert r.json()["code"] == "transition_blocked"
    case.refresh_from_db()
    assert case.stage == "start"


@pytest.mark.parametrize("who", PEOPLE)
def test_it_lets_only_handlers_start_cases(world, who):
    from casetrail.cases.models import Case

    before = Case.objects.count()
    body = {
        "unit": world["case"].unit_id,
        "title": "t",
        "category": "other",
        "officers": [world["case"].created_by_id],
        "parties": [{"kind": "person", "name": "某"}],
        "reason": "r",
        "party_facts": "p",
        "opinion": "o",
    }
    r = client(who).post("/api/cases/ex-officio/", body, content_type="application/json")
    expected = {"anon": 401, "outsider": 403, "zhang": 400, "li": 400, "other": 400}.get(who, 403)
    # zhang/li reach validation (one officer is too few); ma's agency has no such unit (400).
    assert r.status_code == expected, r.content
    assert Case.objects.count() == before


def test_it_hides_other_agencies_cases_from_lists(world):
    assert client("other").get("/api/cases/").json()["count"] == 0
    assert world["case"].title not in client("other").get("/cases/").content.decode()
    assert client("sun").get("/api/cases/").json()["count"] == 1
    assert client("gou" if False else "other").get("/api/approvals/").json() == []


def test_it_masks_personal_data_for_those_who_may_not_see_it(world):
    case = world["case"]
    full = client("zhang").get(f"/api/cases/{case.pk}/").json()["parties"][0]
    assert full["id_number"] == "110101199003074514" and not full["masked"]
    assert full["phone"] == "13912345678"
    for who in ("wang",):
        masked = client(who).get(f"/api/cases/{case.pk}/").json()["parties"][0]
        assert masked["masked"] and masked["id_number"] == "1101**********4514"
        assert masked["phone"] == "139****5678" and "12号" not in masked["address"]
        page = client(who).get(f"/cases/{case.pk}/").content.decode()
        assert "110101199003074514" not in page and "1101**********4514" in page
    assert not client("sun").get(f"/api/cases/{case.pk}/").json()["parties"][0]["masked"]
