"""Permission matrix of every page and endpoint of copies, each persona (and another agency's
officer, a login without an officer, nobody). Who reads the case reads its 调用单; only its
handlers register and carry one out; only the 局长 at the 批准 step decides per item; another
agency's 调用单 is 404, never 403. The download link needs no login: its token is the authority."""

from __future__ import annotations

import base64

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from casetrail.access.actions import redaction_create
from casetrail.access.tests.conftest import AGENT, AGENT_LETTER, approved, register
from casetrail.approvals.actions import approval_decide
from casetrail.conftest import client_for
from casetrail.demo.personas import DEMO_PASSWORD

PEOPLE = ["anon", "outsider", "other", "zhang", "li", "wang", "zhao", "chen", "liu", "sun", "admin"]


def row(default, **overrides):
    return {p: overrides.get(p, default) for p in PEOPLE}


READERS = {"zhang": 200, "li": 200, "wang": 200, "zhao": 200, "sun": 200}
PAGE = row(404, anon=302, outsider=403, **READERS)
API = row(404, anon=401, outsider=403, **READERS)
REGISTER_PAGE = row(404, anon=302, outsider=403, zhang=200, li=200, wang=403, zhao=403, sun=403)
# A body the serializer takes but the action refuses after its permission check.
REGISTER_API = row(404, anon=401, outsider=403, zhang=400, li=400, wang=403, zhao=403, sun=403)
DECIDE_API = row(404, anon=401, outsider=403, zhang=403, li=403, wang=403, zhao=400, sun=403)
DECIDE_PAGE = row(404, anon=302, outsider=403, zhang=403, li=403, wang=403, zhao=400, sun=403)
CARRY_OUT = row(404, anon=401, outsider=403, zhang=201, li=201, wang=403, zhao=403, sun=403)
PACKAGE_PAGE = row(404, anon=302, outsider=403, zhang=200, li=200, wang=403, zhao=403, sun=403)
REDACT_PAGE = row(404, anon=302, outsider=403, zhang=302, li=302, wang=403, zhao=403, sun=403)


@pytest.fixture
def outsider(db):
    get_user_model().objects.create_user(username="outsider", password=DEMO_PASSWORD)


def client(who: str) -> Client:
    return Client() if who == "anon" else client_for({"other": "ma"}.get(who, who))


def test_it_enforces_who_reads_registers_decides_and_carries_out(
    copy_case, personas, other_agency, outsider
):
    case = copy_case
    done = approved(case, personas)
    item = done.items.get(proposed="redacted")
    item.request = done
    redaction = redaction_create(item=item, officer=personas["zhang"], reason="第三十三条")
    waiting = register(case, personas)
    approval_decide(
        chain=waiting.chain, officer=personas["wang"], outcome="approve", opinion="同意"
    )
    waiting_item = waiting.items.get(proposed="redacted")
    bad_items = {
        "fields": AGENT,
        "items": [{"kind": "record", "id": 999999}],
        "opinion": "建议同意",
        "authority_base64": base64.b64encode(AGENT_LETTER).decode(),
        "authority_type": "application/pdf",
    }
    for who in PEOPLE:
        c = client(who)
        got = {
            "page": c.get(f"/copies/{done.pk}/").status_code,
            "api": c.get(f"/api/copies/{done.pk}/").status_code,
            "register_page": c.get(f"/cases/{case.pk}/copy-requests/new/").status_code,
            "register_api": c.post(
                f"/api/cases/{case.pk}/copy-requests/", bad_items, content_type="application/json"
            ).status_code,
            "decide_api": c.post(
                f"/api/copies/{waiting.pk}/decisions/",
                {"decisions": [{"item": 999999, "disposition": "given"}]},
                content_type="application/json",
            ).status_code,
            "decide_page": c.post(
                f"/copies/{waiting.pk}/decide/", {f"d_{waiting_item.pk}": "given"}
            ).status_code,
            "redact_page": c.post(
                f"/copies/{done.pk}/items/{item.pk}/redact/", {"reason": "第三十三条"}
            ).status_code,
            "redaction_file": c.get(f"/copies/{done.pk}/redactions/{redaction.pk}/").status_code,
            "redact_api": c.post(
                f"/api/copies/{done.pk}/items/{item.pk}/redaction/",
                {"reason": "第三十三条"},
                content_type="application/json",
            ).status_code,
        }
        want = {
            "page": PAGE[who],
            "api": API[who],
            "register_page": REGISTER_PAGE[who],
            "register_api": REGISTER_API[who],
            "decide_api": DECIDE_API[who],
            "decide_page": DECIDE_PAGE[who],
            "redact_page": REDACT_PAGE[who],
            "redact_api": CARRY_OUT[who],
            "redaction_file": PAGE[who],
        }
        assert got == want, who


@pytest.mark.parametrize("who", PEOPLE)
def test_it_lets_only_the_case_handlers_make_a_package(
    who, copy_case, personas, other_agency, outsider
):
    done = approved(copy_case, personas)
    item = done.items.get(proposed="redacted")
    item.request = done
    redaction_create(item=item, officer=personas["zhang"], reason="第三十三条")
    r = client(who).post(
        f"/api/copies/{done.pk}/packages/", {"recipient": "王律师"}, content_type="application/json"
    )
    assert r.status_code == CARRY_OUT[who]
    page = client(who).post(
        f"/copies/{done.pk}/package/", {"recipient": "王律师", "days": 1, "uses": 1}
    )
    assert page.status_code == PACKAGE_PAGE[who]
    if r.status_code == 201:
        token = r.json()["link"].rstrip("/").rsplit("/", 1)[1]
        # The link is the authority: no login needed, whoever holds it.
        assert Client().get(f"/copies/d/{token}/").status_code == 200


def test_it_reads_the_disclosure_register_in_a_fixed_number_of_queries(copy_case, personas):
    """The case page's 调用与复制 panel: one more 调用单 with its package and delivery reads no more."""
    from django.db import connection
    from django.template.loader import render_to_string
    from django.test.utils import CaptureQueriesContext

    from casetrail.access.delivery import download, make_package
    from casetrail.access.panels import PANEL
    from casetrail.cases.selectors import case_page

    def deliver() -> None:
        copy = approved(copy_case, personas)
        item = copy.items.get(proposed="redacted")
        item.request = copy
        redaction_create(item=item, officer=personas["zhang"], reason="第三十三条")
        _package, token, _ = make_package(
            request=copy, officer=personas["zhang"], recipient="王律师"
        )
        download(token=token)

    def queries() -> int:
        page = case_page(officer=personas["sun"], case=copy_case)
        with CaptureQueriesContext(connection) as q:
            render_to_string(PANEL.template, {"panel": PANEL.context(page), "case": copy_case})
        return len(q)

    deliver()
    one = queries()
    deliver()
    assert queries() == one
