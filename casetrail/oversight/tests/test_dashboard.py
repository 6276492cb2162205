"""The supervisor's dashboard (issue 16 item 2): numbers against a hand-counted year, each
drilling down to its cases, a constant number of queries, and only supervisors and the director
see it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casetrail.conftest import approve_start, client_for, start_ex_officio
from casetrail.ledger.actions import verification_request
from casetrail.ledger.verification import verification_finish
from casetrail.oversight.refresh import refresh
from casetrail.oversight.stats import dashboard, percentile


def at(time_machine: Any, day: str) -> None:
    time_machine.move_to(timezone.make_aware(dt.datetime.fromisoformat(day)), tick=False)


@pytest.fixture
def year(personas: Any, time_machine: Any) -> dict[str, Any]:
    """2027 by hand: A started ex officio on 10 January; B and C on 3 February, C 重大 and never
    filmed; B's start approved on 6 February (3 days in 程序启动); one verification that found a
    difference on 7 February (a finding under 第三十五条（三）, of no case)."""
    at(time_machine, "2027-01-10T10:00:00")
    a = start_ex_officio(personas, title="甲案")
    at(time_machine, "2027-02-03T10:00:00")
    b = start_ex_officio(personas, title="乙案")
    c = start_ex_officio(personas, title="丙案", is_major=True)
    at(time_machine, "2027-02-06T10:00:00")
    approve_start(b, personas)
    at(time_machine, "2027-02-07T10:00:00")
    run = verification_request(officer=personas["sun"])
    verification_finish(run=run, findings=["blob 9f86d0: sha256 differs"], summary="1")
    refresh(agency=personas["sun"].agency)
    return {"a": a, "b": b, "c": c}


def test_it_counts_a_hand_counted_year(year: dict[str, Any], personas: Any) -> None:
    agency = personas["sun"].agency_id
    a, b, c = year["a"].pk, year["b"].pk, year["c"].pk
    d = dashboard(agency_id=agency, year=2027, period="month")
    assert {k: v.cases for k, v in d.started.items() if v.n} == {"2027-01": {a}, "2027-02": {b, c}}
    assert all(v.n == 0 for v in d.closed.values())
    assert d.by_mode["ex_officio"].cases == {a, b, c}
    (start,) = [s for s in d.stage_times if s.stage == "start"]
    assert (start.average, start.p90, start.cases) == (3.0, 3.0, {b})
    assert (d.major_filmed.percent, d.major_filmed.cases) == (0.0, {c})
    assert d.inspections_filmed.percent is None  # no inspection recorded: nothing to cover
    assert d.findings_by_item["三"].n == 1 and d.findings_by_item["一"].n == 0
    q = dashboard(agency_id=agency, year=2027, period="quarter")
    assert q.started["2027-Q1"].cases == {a, b, c} and q.started["2027-Q2"].n == 0
    assert dashboard(agency_id=agency, year=2027, period="year").started["2027"].n == 3
    assert dashboard(agency_id=agency, year=2026, period="month").started["2026-11"].n == 0
    assert d.by_unit["社会事务股"]["started"].cases == {a, b, c}
    assert d.by_officer["张承办"]["started"].n == 3


def test_it_takes_the_nearest_rank_percentile() -> None:
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90) == 9
    assert percentile([5.0], 90) == 5.0


def test_it_drills_each_number_down_to_its_cases(year: dict[str, Any]) -> None:
    sun = client_for("sun")
    page = sun.get("/oversight/?year=2027&period=month")
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and "<script" not in html.split("</header>")[1]
    link = "/oversight/cases/?year=2027&amp;period=month&amp;metric=started&amp;key=2027-02"
    assert link in html
    listing = sun.get(link.replace("&amp;", "&")).content.decode()
    assert "乙案" in listing and "丙案" in listing and "甲案" not in listing
    major = sun.get("/oversight/cases/?year=2027&period=month&metric=major_unfilmed").content
    assert "丙案" in major.decode() and "乙案" not in major.decode()


def test_it_reads_the_dashboard_in_a_constant_number_of_queries(
    year: dict[str, Any], personas: Any
) -> None:
    sun = client_for("sun")
    sun.get("/oversight/?year=2027")
    with CaptureQueriesContext(connection) as few:
        sun.get("/oversight/?year=2027")
    for n in range(3):
        start_ex_officio(personas, title=f"追加{n}")
    from casetrail.compliance.stored import refresh_marked

    refresh_marked()  # the new cases' deadlines (the scheduler's minute job): not the page's cost
    with CaptureQueriesContext(connection) as more:
        sun.get("/oversight/?year=2027")
    assert len(more) == len(few) <= 20


@pytest.mark.parametrize(
    "who, status",
    [
        ("sun", 200),
        ("zhao", 200),
        ("zhang", 403),
        ("wang", 403),
        ("chen", 403),
        ("liu", 403),
        ("admin", 403),
    ],
)
def test_it_shows_the_dashboard_to_supervisors_and_the_director_only(
    personas: Any, who: str, status: int
) -> None:
    c = client_for(who)
    assert c.get("/oversight/").status_code == status
    assert c.get("/oversight/cases/?metric=started&key=2026-11").status_code == status


def test_it_shows_another_agency_only_its_own_cases(
    year: dict[str, Any], other_agency: Any
) -> None:
    gou = client_for("gou")
    listing = gou.get("/oversight/cases/?year=2027&period=month&metric=started&key=2027-02")
    assert listing.status_code == 200 and "乙案" not in listing.content.decode()
    assert client_for(None).get("/oversight/").status_code == 302
    # Bad parameters fall back to the defaults, never an error.
    assert client_for("sun").get("/oversight/?year=１２&period=x&unit=abc").status_code == 200


@pytest.mark.parametrize("late", [False, True])
def test_it_counts_deadlines_met_on_time_and_late(
    serving: Any, personas: Any, time_machine: Any, late: bool
) -> None:
    """期限按时办结率: a stored deadline met by an action, on time or after its due moment."""
    from casetrail.compliance.models import CaseDeadline
    from casetrail.compliance.stored import refresh_marked
    from casetrail.compliance.tests.builders import make

    refresh_marked()
    cf61 = CaseDeadline.objects.get(case=serving, rule="CF61", done=False)
    if late:
        time_machine.move_to(cf61.due_at + dt.timedelta(days=2), tick=False)
    decision = serving.records.get(kind="administrative_decision")
    make(serving, personas, "service_receipt", document=decision.pk)
    refresh_marked()
    met = CaseDeadline.objects.get(case=serving, rule="CF61", done=True)
    assert met.done_at is not None and (met.done_at > met.due_at) == late
    d = dashboard(agency_id=serving.agency_id, year=timezone.localdate().year, period="month")
    assert len(d.deadlines_on_time.of) >= 1
    assert (met.pk in d.deadlines_on_time.hit) != late
    assert (serving.pk in d.metric("deadlines_late")) == late
    page = client_for("sun").get(f"/oversight/?year={timezone.localdate().year}").content.decode()
    assert "期限按时办结率" in page
