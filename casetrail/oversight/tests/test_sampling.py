"""抽查 (issue 16 item 4): a random sample of the cases closed in a period, its seed recorded so
anyone can re-draw and check it, never drawn twice for a period; each drawn case reviewed against
the checklist held as data."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from casetrail.approvals.actions import approval_decide
from casetrail.approvals.models import Chain
from casetrail.conftest import client_for, start_ex_officio
from casetrail.ledger.models import LedgerEntry
from casetrail.oversight.checklists import CHECKLIST
from casetrail.oversight.models import Sample, SampleReview
from casetrail.oversight.sampling import draw
from casetrail.oversight.tests.builders import post


def closed(personas: Any, n: int) -> list[int]:
    """``n`` cases closed now: starts the reviewer refused (a refused start closes the case)."""
    out = []
    for i in range(n):
        case = start_ex_officio(personas, title=f"不予立案{i}")
        chain = Chain.objects.get(case=case, kind="case_start")
        approval_decide(chain=chain, officer=personas["wang"], outcome="refuse", opinion="不予立案")
        case.refresh_from_db()
        assert case.closed_at is not None
        out.append(case.pk)
    return sorted(out)


def month() -> str:
    return timezone.localdate().strftime("%Y-%m")


def all_ok(**changes: Any) -> list[dict[str, str]]:
    return [
        {"item": c.code, "result": "ok", "note": "", **changes.get(c.code, {})} for c in CHECKLIST
    ]


@pytest.fixture
def sample(personas: Any) -> Sample:
    closed(personas, 4)
    r = post("sun", "/api/samples/", {"period": month(), "size": 2})
    assert r.status_code == 201, r.content
    return Sample.objects.get(pk=r.json()["id"])


def test_it_draws_a_checkable_sample_once_per_period(personas: Any) -> None:
    population = closed(personas, 4)
    r = post("sun", "/api/samples/", {"period": month(), "size": 2})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["population"] == population and len(body["drawn"]) == 2
    assert set(body["drawn"]) <= set(population) and body["redraw_matches"] is True
    assert draw(body["seed"], population, 2) == body["drawn"]  # anyone can re-draw it
    entries = LedgerEntry.objects.count()
    again = post("sun", "/api/samples/", {"period": month(), "size": 2})
    assert again.status_code == 409 and again.json()["code"] == "already_drawn"
    assert LedgerEntry.objects.count() == entries and Sample.objects.count() == 1


@pytest.mark.parametrize(
    "body, code",
    [
        ({"period": "2026-13", "size": 2}, "invalid_period"),
        ({"period": "1999", "size": 2}, "nothing_to_draw"),
        ({"period": "2026", "size": 0}, "number_out_of_range"),
    ],
)
def test_it_refuses_a_bad_draw(personas: Any, body: Any, code: str) -> None:
    r = post("sun", "/api/samples/", body)
    assert r.status_code == 400 and r.json()["code"] == code, r.content
    assert not Sample.objects.exists()


def test_it_reviews_a_drawn_case_against_the_checklist(sample: Sample) -> None:
    case = sample.drawn[0]
    url = f"/api/samples/{sample.pk}/reviews/"
    r = post("sun", url, {"case": case, "results": all_ok()[:3], "conclusion": "基本规范"})
    assert r.status_code == 400 and r.json()["code"] == "items_missing"
    issue = all_ok(av={"result": "issue"})
    r = post("sun", url, {"case": case, "results": issue, "conclusion": "基本规范"})
    assert r.status_code == 400 and r.json()["code"] == "note_required"
    other = next(pk for pk in sample.population if pk not in sample.drawn)
    r = post("sun", url, {"case": other, "results": all_ok(), "conclusion": "x"})
    assert r.status_code == 400 and r.json()["code"] == "not_drawn"
    issue = all_ok(av={"result": "issue", "note": "抽样取证无同步录像"})
    r = post("sun", url, {"case": case, "results": issue, "conclusion": "音像记录不全"})
    assert r.status_code == 201, r.content
    (review,) = SampleReview.objects.all()
    assert [x["result"] for x in review.results].count("issue") == 1
    detail = client_for("zhao").get(f"/api/samples/{sample.pk}/").json()
    assert [x["conclusion"] for x in detail["reviews"]].count("音像记录不全") == 1


@pytest.mark.parametrize(
    "who, reads, draws", [("sun", 200, 201), ("zhao", 200, 403), ("zhang", 403, 403)]
)
def test_it_lets_only_supervisors_draw(personas: Any, who: str, reads: int, draws: int) -> None:
    closed(personas, 1)
    assert client_for(who).get("/api/samples/").status_code == reads
    assert client_for(who).get("/oversight/samples/").status_code == reads
    assert post(who, "/api/samples/", {"period": month(), "size": 1}).status_code == draws


def test_it_keeps_another_agency_out(sample: Sample, other_agency: Any) -> None:
    assert client_for("gou").get(f"/api/samples/{sample.pk}/").status_code == 404
    assert client_for("gou").get(f"/oversight/samples/{sample.pk}/").status_code == 404
    assert client_for("gou").get("/api/samples/").json() == []


def test_it_draws_and_reviews_through_the_pages(personas: Any) -> None:
    closed(personas, 2)
    sun = client_for("sun")
    r = sun.post("/oversight/samples/", {"period": month(), "size": "1"})
    assert r.status_code == 302
    sample = Sample.objects.get()
    page = sun.get(f"/oversight/samples/{sample.pk}/").content.decode()
    assert "按种子重新抽取结果一致" in page and sample.seed in page
    form = {f"r_{c.code}": "ok" for c in CHECKLIST} | {"conclusion": "规范"}
    case = sample.drawn[0]
    r = sun.post(f"/oversight/samples/{sample.pk}/review/{case}/", form)
    assert r.status_code == 302 and SampleReview.objects.get().case_id == case
    r = sun.post("/oversight/samples/", {"period": month(), "size": "1"})
    assert r.status_code == 400 and "不能重新抽取" in r.content.decode()
