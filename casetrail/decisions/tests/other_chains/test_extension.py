"""延期 (行政处罚法第六十条; 第六条): only a period the law allows to be extended, within the days one
approval may add, asked for before it ends; approved by the director, it moves the deadline."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.utils import timezone

from casetrail.approvals.models import Chain
from casetrail.compliance.deadlines import deadlines_of
from casetrail.compliance.holidays import calendar
from casetrail.decisions.kinds import DecisionChain
from casetrail.decisions.tests.other_chains.builders import api, api_decide, snapshot


def cf60(case):
    (d,) = [d for d in deadlines_of(case) if d.rule == "CF60"]
    return d


def propose(case, who="zhang", **fields):
    values = {"deadline": "CF60", "days": 30, "reason": "案情复杂，需委托鉴定", **fields}
    return api(
        who, f"/api/cases/{case.pk}/extension/", {"fields": values, "opinion": "建议延长三十日"}
    )


def test_it_moves_the_decision_deadline_when_the_director_approves(investigating, personas):
    filed = timezone.localdate(investigating.approved_at)
    assert cf60(investigating).due == calendar().period_end(filed, 90).day
    r = propose(investigating)
    assert r.status_code == 201, r.content
    chain = Chain.objects.get(case=investigating, kind=DecisionChain.PERIOD_EXTENSION)
    api_decide("wang", chain)
    assert cf60(investigating).due == calendar().period_end(filed, 90).day  # not yet decided
    assert api_decide("zhao", chain).status_code == 201
    d = cf60(investigating)
    assert d.due == calendar().period_end(filed, 120).day
    assert "延长30日" in d.basis
    page = api("zhang", f"/cases/{investigating.pk}/section/deadlines/").content.decode()
    assert "经负责人批准延长30日" in page


def test_it_binds_a_refused_extension(investigating, personas):
    due = cf60(investigating).due
    propose(investigating)
    chain = Chain.objects.get(case=investigating, kind=DecisionChain.PERIOD_EXTENSION)
    api_decide("wang", chain)
    api_decide("zhao", chain, "refuse")
    assert cf60(investigating).due == due


def test_it_refuses_an_extension_where_the_law_allows_none(investigating, personas):
    before = snapshot()
    for deadline in ("CF56", "CF61", "CF67", "R30a", "nonsense"):
        r = propose(investigating, deadline=deadline)
        assert r.status_code == 400 and r.json()["code"] == "not_extendable", deadline
        assert "法律未规定可以延长" in r.json()["message"]
    assert snapshot() == before


def test_it_refuses_more_days_than_one_approval_may_add(investigating, personas, settings):
    before = snapshot()
    r = propose(investigating, days=31)
    assert r.status_code == 400 and r.json()["code"] == "extension_too_long"
    assert "1至30日" in r.json()["message"]
    r = propose(investigating, days=0)
    assert r.status_code == 400 and r.json()["code"] == "invalid_days"
    assert snapshot() == before
    settings.CASETRAIL_DECISION_EXTENSION_DAYS = 60
    assert propose(investigating, days=45).status_code == 201


def test_it_refuses_an_extension_once_the_period_is_over(investigating, personas):
    due = cf60(investigating).due
    after = timezone.make_aware(dt.datetime.combine(due + dt.timedelta(days=1), dt.time(10)))
    with time_machine.travel(after, tick=False):
        before = snapshot()
        r = propose(investigating)
        assert r.status_code == 400 and r.json()["code"] == "period_expired"
        assert snapshot() == before


def test_it_refuses_an_extension_of_a_period_already_met(deciding, personas):
    from casetrail.compliance.tests.builders import make
    from casetrail.decisions.tests.builders import decide

    make(deciding, personas, "investigation_final_report")
    decide(deciding, personas)
    make(deciding, personas, "administrative_decision", penalty_amount="500.00")
    before = snapshot()
    r = propose(deciding)
    assert r.status_code == 400 and r.json()["code"] == "period_done"
    assert snapshot() == before


def test_it_refuses_an_extension_outside_the_stages_the_period_runs_in(personas, evidence_store):
    from casetrail.start.tests.summary_builders import on_the_spot

    summary = on_the_spot(personas)  # decided on the spot: no 90-day period to extend
    before = snapshot()
    r = propose(summary)
    assert r.status_code == 400 and r.json()["code"] == "wrong_stage"
    assert snapshot() == before
