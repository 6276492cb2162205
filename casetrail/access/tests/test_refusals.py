"""Each refusal of the copy path answers a stable code and writes nothing: no approved 调用单, a
requester without authority, someone who may not act, a redaction without reason or approver, a
package missing its redaction, a link past its date or count."""

from __future__ import annotations

import base64
import datetime as dt

import time_machine
from django.utils import timezone

from casetrail.access.models import (
    CopyDecision,
    CopyItem,
    CopyPackage,
    CopyReceipt,
    CopyRequest,
    Redaction,
)
from casetrail.access.tests.conftest import AGENT, AGENT_LETTER, approved, items_for, register
from casetrail.approvals.actions import approval_decide
from casetrail.conftest import client_for
from casetrail.evidence.models import Blob
from casetrail.ledger.models import LedgerEntry

TABLES = (
    CopyRequest,
    CopyItem,
    CopyDecision,
    Redaction,
    CopyPackage,
    CopyReceipt,
    Blob,
    LedgerEntry,
)


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in TABLES)


def post(who: str, url: str, body: dict) -> object:
    return client_for(who).post(url, body, content_type="application/json")


def body(case, **fields) -> dict:
    return {
        "fields": {**AGENT, **fields},
        "items": items_for(case),
        "opinion": "建议同意",
        "authority_base64": base64.b64encode(AGENT_LETTER).decode(),
        "authority_type": "application/pdf",
    }


def test_it_refuses_a_requester_without_authority(copy_case, personas):
    url = f"/api/cases/{copy_case.pk}/copy-requests/"
    before = counts()
    stranger = post("zhang", url, {**body(copy_case, requester_kind="party", requester="路人甲")})
    assert stranger.status_code == 403 and stranger.json()["code"] == "not_a_party"
    no_letter = {**body(copy_case), "authority_base64": ""}
    r = post("zhang", url, no_letter)
    assert r.status_code == 400 and r.json()["code"] == "authority_required"
    court = {
        **body(copy_case, requester_kind="court", requester="陵川县人民法院"),
        "authority_base64": "",
    }
    assert post("zhang", url, court).json()["code"] == "authority_required"
    # Only a handler of the case registers (the reviewer reads the case, may not register).
    assert post("wang", url, body(copy_case)).status_code == 403
    assert counts() == before
    # The party itself needs no letter.
    party = copy_case.parties.first().name
    ok = post("zhang", url, {**body(copy_case, requester_kind="party", requester=party)})
    assert ok.status_code == 201, ok.json()
    assert CopyRequest.objects.get().authority is None


def test_it_refuses_a_copy_without_an_approved_request(copy_case, personas):
    copy = register(copy_case, personas)
    before = counts()
    r = post("zhang", f"/api/copies/{copy.pk}/packages/", {"recipient": "王律师"})
    assert r.status_code == 409 and r.json()["code"] == "no_approved_request"
    item = copy.items.get(proposed="redacted")
    r = post("zhang", f"/api/copies/{copy.pk}/items/{item.pk}/redaction/", {"reason": "隐私"})
    assert r.status_code == 409 and r.json()["code"] == "no_approved_request"
    # Decisions only while the chain waits for the 局长, only by them.
    decisions = {"decisions": [{"item": i.pk, "disposition": "given"} for i in copy.items.all()]}
    r = post("zhao", f"/api/copies/{copy.pk}/decisions/", decisions)
    assert r.status_code == 400 and r.json()["code"] == "not_awaiting_decision"
    approval_decide(chain=copy.chain, officer=personas["wang"], outcome="approve", opinion="同意")
    r = post("wang", f"/api/copies/{copy.pk}/decisions/", decisions)
    assert r.status_code == 403
    withheld = {"decisions": [{"item": i.pk, "disposition": "withheld"} for i in copy.items.all()]}
    r = post("zhao", f"/api/copies/{copy.pk}/decisions/", withheld)
    assert r.status_code == 400 and r.json()["code"] == "reason_required"
    assert counts()[:-1] == before[:-1]
    assert counts()[-1] == before[-1] + 1  # only wang's review step
    # Refused by the 局长: nothing may be copied.
    approval_decide(chain=copy.chain, officer=personas["zhao"], outcome="refuse", opinion="不同意")
    r = post("zhang", f"/api/copies/{copy.pk}/packages/", {"recipient": "王律师"})
    assert r.status_code == 409 and r.json()["code"] == "no_approved_request"


def test_it_refuses_a_redaction_without_reason_or_approver(copy_case, personas):
    copy = approved(copy_case, personas)
    given = copy.items.get(kind="document")
    redacted = copy.items.get(proposed="redacted")
    before = counts()
    r = post("zhang", f"/api/copies/{copy.pk}/items/{redacted.pk}/redaction/", {"reason": " "})
    assert r.status_code == 400 and r.json()["code"] == "reason_required"
    # The 局长 decided to give the decision whole: no one approved redacting it.
    box = {"reason": "隐私", "regions": [{"page": 1, "x0": 10, "y0": 10, "x1": 100, "y1": 40}]}
    r = post("zhang", f"/api/copies/{copy.pk}/items/{given.pk}/redaction/", box)
    assert r.status_code == 409 and r.json()["code"] == "redaction_not_approved"
    # The package needs the redaction the 局长 asked for.
    r = post("zhang", f"/api/copies/{copy.pk}/packages/", {"recipient": "王律师"})
    assert r.status_code == 409 and r.json()["code"] == "redaction_missing"
    # The reviewer may read the 调用单 but not carry it out.
    r = post("wang", f"/api/copies/{copy.pk}/items/{redacted.pk}/redaction/", {"reason": "隐私"})
    assert r.status_code == 403
    assert counts() == before


def test_it_refuses_a_download_after_expiry_or_past_its_count(copy_case, personas):
    copy = approved(copy_case, personas)
    item = copy.items.get(proposed="redacted")
    post("zhang", f"/api/copies/{copy.pk}/items/{item.pk}/redaction/", {"reason": "第三十三条"})
    r = post(
        "zhang", f"/api/copies/{copy.pk}/packages/", {"recipient": "王律师", "days": 1, "uses": 1}
    )
    assert r.status_code == 201, r.json()
    token = r.json()["link"].rstrip("/").rsplit("/", 1)[1]
    anonymous = client_for(None)
    with time_machine.travel(timezone.now() + dt.timedelta(days=1, minutes=1)):
        before = counts()
        late = anonymous.get(f"/api/copies/d/{token}/")
        assert late.status_code == 410 and late.json()["code"] == "link_expired"
        page = anonymous.get(f"/copies/d/{token}/")
        assert page.status_code == 410 and "已过期" in page.content.decode()
        assert counts() == before
    assert anonymous.get(f"/copies/d/{token}/").status_code == 200
    before = counts()
    again = anonymous.get(f"/api/copies/d/{token}/")
    assert again.status_code == 410 and again.json()["code"] == "link_used_up"
    assert anonymous.get("/api/copies/d/not-a-token/").status_code == 404
    assert counts() == before


def test_it_asks_for_the_password_again_before_issuing_a_copy(copy_case, personas):
    """Issue 15: issuing a copy (a package and its link) and the 局长's decision per item are
    sensitive actions: a session whose password is older than CASETRAIL_REAUTH_MINUTES re-enters
    it first; nothing is written meanwhile."""
    copy = approved(copy_case, personas)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        zhang = client_for("zhang")
        clock.shift(dt.timedelta(minutes=11))
        before = counts()
        r = zhang.post(
            f"/api/copies/{copy.pk}/packages/", {"recipient": "王律师"}, "application/json"
        )
        assert r.status_code == 403 and r.json()["code"] == "reauth_required"
        page = f"/copies/{copy.pk}/"
        r = zhang.post(f"/copies/{copy.pk}/package/", {"recipient": "王律师"}, HTTP_REFERER=page)
        assert r.status_code == 302 and r["Location"].startswith("/reauth/")
        assert counts() == before
