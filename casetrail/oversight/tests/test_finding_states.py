"""What the supervisor does about a finding (第三十五条): 责令改正 with its text and deadline, the
correction recorded, closed — never closed without the correction — or 通报批评; each a ledgered
action by 孙监督. Only supervisors and the director read findings; another agency's is 404."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from casetrail.conftest import client_for
from casetrail.ledger.actions import verification_request
from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.verification import verification_finish
from casetrail.oversight.models import Finding, FindingStep
from casetrail.oversight.refresh import refresh
from casetrail.oversight.tests.builders import post


@pytest.fixture
def finding(personas: Any) -> Finding:
    run = verification_request(officer=personas["sun"])
    verification_finish(run=run, findings=["blob 9f86d0: sha256 differs"], summary="1")
    refresh(agency=personas["sun"].agency)
    return Finding.objects.get()


def move(who: str, finding: Finding, what: str, **body: Any) -> Any:
    return post(who, f"/api/findings/{finding.pk}/{what}/", body)


def tomorrow() -> str:
    return (timezone.localdate() + dt.timedelta(days=1)).isoformat()


def test_it_orders_a_correction_records_it_and_closes(finding: Finding) -> None:
    r = move("sun", finding, "order", text="限期恢复原始文件并说明原因", deadline=tomorrow())
    assert r.status_code == 201, r.content
    assert r.json()["deadline"] == tomorrow()
    finding.refresh_from_db()
    assert finding.state == "ordered"
    entry = LedgerEntry.objects.order_by("-pk").first()
    assert (entry.action, entry.subject) == ("oversight.finding_order", f"finding:{finding.pk}")
    payload = json.loads(entry.canonical)["payload"]
    assert {row["table"] for row in payload["rows"]} == {
        "oversight.Finding",
        "oversight.FindingStep",
    }
    assert move("sun", finding, "correct", text="已从备份恢复，经核验一致").status_code == 201
    assert move("sun", finding, "close", text="整改到位，办结").status_code == 201
    finding.refresh_from_db()
    assert finding.state == "closed"
    assert [s.state for s in FindingStep.objects.order_by("pk")] == [
        "ordered",
        "corrected",
        "closed",
    ]
    detail = client_for("zhao").get(f"/api/findings/{finding.pk}/").json()
    assert [s["state"] for s in detail["steps"]] == ["ordered", "corrected", "closed"]


def test_it_refuses_to_close_without_the_correction_recorded(finding: Finding) -> None:
    entries = LedgerEntry.objects.count()
    r = move("sun", finding, "close", text="办结")
    assert r.status_code == 400 and r.json()["code"] == "correction_not_recorded"
    move("sun", finding, "order", text="限期改正", deadline=tomorrow())
    r = move("sun", finding, "close", text="办结")
    assert r.status_code == 400 and r.json()["code"] == "correction_not_recorded"
    finding.refresh_from_db()
    assert finding.state == "ordered" and LedgerEntry.objects.count() == entries + 1


@pytest.mark.parametrize(
    "body, code",
    [
        ({"text": "", "deadline": "2099-01-01"}, "order_text_required"),
        ({"text": "限期改正"}, "deadline_required"),
        ({"text": "限期改正", "deadline": "2020-01-01"}, "deadline_past"),
        ({"text": "限期改正", "deadline": "2026-02-30"}, "invalid_date"),
    ],
)
def test_it_refuses_a_bad_order_and_writes_nothing(finding: Finding, body: Any, code: str) -> None:
    entries = LedgerEntry.objects.count()
    r = move("sun", finding, "order", **body)
    assert r.status_code == 400 and r.json()["code"] == code, r.content
    assert LedgerEntry.objects.count() == entries and not FindingStep.objects.exists()


def test_it_criticises_a_finding_not_corrected_and_then_nothing_more(finding: Finding) -> None:
    move("sun", finding, "order", text="限期改正", deadline=tomorrow())
    assert move("sun", finding, "criticise", text="逾期未改正，予以通报批评").status_code == 201
    finding.refresh_from_db()
    assert finding.state == "criticised"
    r = move("sun", finding, "correct", text="已改正")
    assert r.status_code == 400 and r.json()["code"] == "finding_state"


def test_it_takes_the_steps_through_the_pages(finding: Finding) -> None:
    sun = client_for("sun")
    page = sun.get(f"/oversight/findings/{finding.pk}/").content.decode()
    assert "责令改正" in page and "通报批评" in page and "办结" not in page.split("处理经过")[1]
    r = sun.post(f"/oversight/findings/{finding.pk}/order/", {"text": "限期改正", "deadline": ""})
    assert r.status_code == 400 and "请填写改正期限" in r.content.decode()
    r = sun.post(
        f"/oversight/findings/{finding.pk}/order/", {"text": "限期改正", "deadline": tomorrow()}
    )
    assert r.status_code == 302
    finding.refresh_from_db()
    assert finding.state == "ordered"
    listing = sun.get("/oversight/findings/?state=ordered").content.decode()
    assert "核验发现记录被删除、篡改或灭失" in listing
    # Every kind has its detector now (the page once called them and showed 待“”建成后启用).
    assert "自动发现" in listing and "建成后启用" not in listing


@pytest.mark.parametrize(
    "who, reads, acts",
    [
        ("sun", 200, 201),
        ("zhao", 200, 403),
        ("zhang", 403, 403),
        ("wang", 403, 403),
        ("chen", 403, 403),
        ("liu", 403, 403),
        ("admin", 403, 403),
    ],
)
def test_it_lets_only_supervisors_act_and_the_director_read(
    finding: Finding, who: str, reads: int, acts: int
) -> None:
    c = client_for(who)
    assert c.get("/api/findings/").status_code == reads
    assert c.get(f"/api/findings/{finding.pk}/").status_code == reads
    assert c.get("/oversight/findings/").status_code == reads
    assert c.get(f"/oversight/findings/{finding.pk}/").status_code == reads
    body = {"text": "限期改正", "deadline": tomorrow()}
    assert move(who, finding, "order", **body).status_code == acts
    page = c.post(f"/oversight/findings/{finding.pk}/order/", body)
    # The supervisor's second order is refused as such (already ordered); the others never get in.
    assert page.status_code == (400 if acts == 201 else 403)
    refresh_status = 200 if who == "sun" else 403
    assert post(who, "/api/findings/refresh/").status_code == refresh_status


def test_it_hides_another_agencys_findings(finding: Finding, other_agency: Any) -> None:
    gou = client_for("gou")
    assert gou.get("/api/findings/").json() == []
    assert gou.get(f"/api/findings/{finding.pk}/").status_code == 404
    assert gou.get(f"/oversight/findings/{finding.pk}/").status_code == 404
    assert move("gou", finding, "order", text="x", deadline=tomorrow()).status_code == 404
    assert client_for(None).get("/api/findings/").status_code in (401, 403)
    assert client_for(None).get("/oversight/findings/").status_code == 302


def test_it_lists_findings_in_constant_queries(
    finding: Finding, django_assert_max_num_queries: Any
) -> None:
    c = client_for("sun")
    c.get("/api/findings/")  # warm the session
    with django_assert_max_num_queries(8):
        assert len(c.get("/api/findings/").json()) == 1
