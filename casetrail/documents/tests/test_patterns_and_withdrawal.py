"""文号设置 and 撤回 (issue 11 item 3), on the web and over the API: the administrator sets one
pattern per numbered family (validated, ledgered; the default is in force until then); a handler
of the case withdraws an issued document after re-entering the password, and it keeps its 文号."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from casetrail.conftest import client_for
from casetrail.documents.issuing import issue
from casetrail.documents.models import IssuedDocument, NumberPattern, Withdrawal
from casetrail.documents.tests.test_numbers import notices
from casetrail.ledger.models import LedgerEntry
from casetrail.org.login import AUTH_AT

PERSONAS = ("zhang", "li", "wang", "zhao", "chen", "liu", "sun", "admin")


def counts() -> tuple[int, int, int]:
    return (
        NumberPattern.objects.count(),
        Withdrawal.objects.count(),
        LedgerEntry.objects.count(),
    )


def stale(client: Any) -> Any:
    """A session whose password was given long ago (re-authentication due)."""
    session = client.session
    session[AUTH_AT] = 0
    session.save()
    return client


@pytest.mark.parametrize("who", PERSONAS)
def test_it_shows_the_pattern_page_to_the_administrator_only(personas, who):
    page = client_for(who).get("/documents/numbers/")
    api = client_for(who).get("/api/documents/patterns/")
    expected = 200 if who == "admin" else 403
    assert (page.status_code, api.status_code) == (expected, expected)
    if who == "admin":
        year = timezone.localdate().year
        assert f"陵民罚决〔{year}〕1号" in page.content.decode()  # the default's example
        rows = {r["family"]: r for r in api.json()}
        assert (
            rows["decision"]["pattern"] == "陵民罚决〔{year}〕{n}号" and rows["decision"]["default"]
        )
        assert rows["demand"]["pattern"] == "陵民罚催〔{year}〕{n}号"


def test_it_sets_a_pattern_over_the_api_and_refuses_a_bad_one(personas):
    before = counts()
    admin = client_for("admin")
    for body, code in (
        ({"family": "decision", "pattern": "陵民罚决〔2026〕{n}号"}, "invalid_pattern"),
        ({"family": "decision", "pattern": "{year}{n}{x}"}, "invalid_pattern"),
        ({"family": "minutes", "pattern": "笔〔{year}〕{n}号"}, "invalid_family"),
    ):
        r = admin.post("/api/documents/patterns/", body, content_type="application/json")
        assert r.status_code == 400 and r.json()["code"] == code, r.content
    r = client_for("zhang").post(
        "/api/documents/patterns/",
        {"family": "decision", "pattern": "X〔{year}〕{n}号"},
        content_type="application/json",
    )
    assert r.status_code == 403 and r.json()["code"] == "not_admin"
    r = stale(client_for("admin")).post(
        "/api/documents/patterns/",
        {"family": "decision", "pattern": "X〔{year}〕{n}号"},
        content_type="application/json",
    )
    assert r.status_code == 403 and r.json()["code"] == "reauth_required"
    assert counts() == before
    r = admin.post(
        "/api/documents/patterns/",
        {"family": "notice", "pattern": "陵民告〔{year}〕{n}号"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["pattern"] == "陵民告〔{year}〕{n}号"
    assert r.json()["set_by"] == personas["admin"].name and not r.json()["default"]
    row = NumberPattern.objects.get()
    assert (row.family, row.pattern, row.set_by) == (
        "notice",
        "陵民告〔{year}〕{n}号",
        personas["admin"],
    )
    entry = LedgerEntry.objects.order_by("-pk").first()
    assert entry.action == "document.pattern" and counts()[2] == before[2] + 1


def test_it_sets_a_pattern_on_the_page_and_numbers_by_it(
    open_case, personas, evidence_store, quick
):
    admin = client_for("admin")
    r = admin.post("/documents/numbers/", {"family": "notice", "pattern": "{n}"})
    assert (
        r.status_code == 400
        and "{year}" in r.content.decode()
        and not NumberPattern.objects.exists()
    )
    r = admin.post(
        "/documents/numbers/", {"family": "notice", "pattern": "陵民告字〔{year}〕第{n}号"}
    )
    assert r.status_code == 302
    (notice,) = notices(open_case, personas, 1)
    document, _ = issue(record=notice, officer=personas["zhang"])
    assert document.doc_no == f"陵民告字〔{document.number_year}〕第1号"
    assert "陵民告字〔{year}〕第{n}号" in admin.get("/documents/numbers/").content.decode()


@pytest.fixture
def issued(open_case, personas, evidence_store, quick) -> IssuedDocument:
    (notice,) = notices(open_case, personas, 1)
    document, _ = issue(record=notice, officer=personas["zhang"])
    return document


@pytest.mark.parametrize(
    "who, status",
    [("zhang", 200), ("li", 200), ("sun", 403), ("wang", 403), ("liu", 404), ("admin", 404)],
)
def test_it_offers_the_withdrawal_page_to_the_handlers(issued, who, status):
    assert client_for(who).get(f"/documents/{issued.pk}/withdraw/").status_code == status


def test_it_withdraws_over_the_api_keeping_the_number(issued, open_case, personas):
    url = f"/api/documents/{issued.pk}/withdraw/"
    before = counts()
    r = client_for("zhang").post(url, {"reason": ""}, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "reason_required"
    r = client_for("sun").post(url, {"reason": "x"}, content_type="application/json")
    assert r.status_code == 403
    r = stale(client_for("zhang")).post(url, {"reason": "x"}, content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "reauth_required"
    assert counts() == before
    r = client_for("zhang").post(
        url, {"reason": "送达前发现当事人名称有误"}, content_type="application/json"
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["withdrawn"] == "送达前发现当事人名称有误" and body["withdrawn_by"] == "张承办"
    assert body["doc_no"] == issued.doc_no
    w = Withdrawal.objects.get(document=issued)
    assert (w.by, w.reason) == (personas["zhang"], "送达前发现当事人名称有误")
    assert LedgerEntry.objects.order_by("-pk").first().action == "document.withdraw"
    r = client_for("zhang").post(url, {"reason": "再撤"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "already_withdrawn"
    # The number is never drawn again: the next notice takes the next one.
    (another,) = notices(open_case, personas, 1)
    document, _ = issue(record=another, officer=personas["zhang"])
    assert document.number_seq == issued.number_seq + 1


def test_it_withdraws_on_the_page_and_shows_why(issued, personas):
    zhang = client_for("zhang")
    r = zhang.post(f"/documents/{issued.pk}/withdraw/", {"reason": ""})
    assert r.status_code == 400 and not Withdrawal.objects.exists()
    r = stale(client_for("zhang")).post(f"/documents/{issued.pk}/withdraw/", {"reason": "x"})
    assert r.status_code == 302 and "/reauth/" in r["Location"] and not Withdrawal.objects.exists()
    r = zhang.post(f"/documents/{issued.pk}/withdraw/", {"reason": "文书内容有误，更正后重新签发"})
    assert r.status_code == 302
    page = zhang.get(f"/records/{issued.record_id}/document/").content.decode()
    assert (
        "文书内容有误，更正后重新签发" in page and issued.doc_no in page and "撤回文书" not in page
    )
