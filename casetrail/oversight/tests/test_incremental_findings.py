"""The findings' refresh looks only at what changed since its last pass (issue 18 item 4), in
bounded steps, and raises exactly what a pass over everything would raise at the same moment."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casetrail.approvals.models import Chain
from casetrail.cases.models import Case
from casetrail.compliance.actions import holiday_schedule_import
from casetrail.compliance.holidays import ScheduleInput, forget_calendar
from casetrail.compliance.models import Exemption
from casetrail.conftest import start_ex_officio
from casetrail.decisions.tests.other_chains.builders import api_decide
from casetrail.ledger.actions import verification_request
from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.verification import verification_finish
from casetrail.lib.errors import ActionError
from casetrail.oversight.actions import FINDINGS_PER_ENTRY, findings_raise
from casetrail.oversight.kinds import Raised
from casetrail.oversight.models import Finding, FindingsWatermark
from casetrail.oversight.refresh import detect, new_only, raise_new, refresh, step
from casetrail.oversight.tasks import refresh_findings
from casetrail.oversight.tests.builders import late_clip, proposed_exemption, returned_letter


def _raised() -> set[tuple[str, str]]:
    return set(Finding.objects.values_list("kind", "subject"))


def _refresh_as_full_would(agency: Any) -> set[tuple[str, str]]:
    """Refresh incrementally; assert it raised exactly what a full pass would have raised now
    (computed first, nothing recorded); return what it raised."""
    want = {(code, r.subject) for code, r in new_only(agency, detect(agency.pk))}
    before = _raised()
    refresh(agency=agency)
    got = _raised() - before
    assert got == want
    return got


@pytest.mark.django_db
def test_it_raises_incrementally_what_a_full_pass_raises(
    serving: Any, personas: Any, evidence_store: Any, time_machine: Any
) -> None:
    sun = personas["sun"]
    agency = sun.agency
    emergency = start_ex_officio(personas, emergency=True)  # 第九条: approved within 24 hours
    _refresh_as_full_would(agency)  # the first pass: a full one
    assert FindingsWatermark.objects.get(agency=agency).full is False

    # A fact on one case: a clip uploaded 30 hours after it ended.
    item = late_clip(serving, personas["zhang"], hours=30)
    assert _refresh_as_full_would(agency) == {("late_upload", f"item:{item.pk}")}

    # Time alone: the emergency start's 24 hours run out, no action on the case.
    time_machine.move_to(timezone.now() + dt.timedelta(hours=25))
    (overdue,) = _refresh_as_full_would(agency)
    assert overdue[0] == "deadline_overdue" and overdue[1].startswith(f"case:{emergency.pk}:R9b:")

    # A service returned by the post: a record of the case in service.
    decision = returned_letter(serving, personas)
    assert _refresh_as_full_would(agency) == {("service_failed", f"record:{decision.pk}")}

    # Outside any case: a verification that found a difference.
    run = verification_request(officer=sun)
    verification_finish(run=run, findings=["records_record 7: differs"], summary="1 finding")
    assert _refresh_as_full_would(agency) == {("verify_failed", f"verification:{run.pk}")}

    # Nothing changed: nothing looked at, nothing raised — and a full pass agrees.
    r = refresh(agency=agency)
    assert (r.cases, r.raised) == (0, 0)
    assert refresh(agency=agency, full=True).raised == 0


@pytest.mark.django_db
def test_it_refreshes_in_steps_of_a_bounded_number_of_cases(
    personas: Any, evidence_store: Any, settings: Any
) -> None:
    agency = personas["sun"].agency
    cases = [start_ex_officio(personas) for _ in range(3)]
    for case in cases:
        late_clip(case, personas["zhang"], hours=30)
    want = {(code, r.subject) for code, r in new_only(agency, detect(agency.pk))}
    assert {code for code, _ in want} >= {"late_upload"}

    first = step(agency=agency, limit=2)
    assert (first.cases, first.done) == (2, False)
    mark = FindingsWatermark.objects.get(agency=agency)
    assert (mark.full, mark.upto is not None) == (True, True)
    assert mark.cursor == cases[1].pk

    # The task goes on with the pass, a step per run, enqueueing itself until it is done.
    settings.CASETRAIL_FINDINGS_CASES = 1
    refresh_findings.enqueue()
    mark.refresh_from_db()
    assert (mark.upto, mark.full, mark.cursor) == (None, False, 0)
    assert _raised() == want


@pytest.mark.django_db
def test_it_queries_the_same_for_nothing_changed_whatever_the_number_of_cases(
    personas: Any,
) -> None:
    agency = personas["sun"].agency

    def queries_of_a_pass_with_nothing_changed() -> int:
        refresh(agency=agency)  # whatever is new
        with CaptureQueriesContext(connection) as q:
            r = refresh(agency=agency)
        assert r.cases == 0
        return len(q)

    start_ex_officio(personas)
    few = queries_of_a_pass_with_nothing_changed()
    for _ in range(4):
        start_ex_officio(personas)
    assert queries_of_a_pass_with_nothing_changed() == few


@pytest.mark.django_db
def test_it_raises_many_findings_in_bounded_entries_once(personas: Any) -> None:
    agency = personas["sun"].agency
    found = [
        ("verify_failed", Raised(subject=f"verification:{n}", details=f"核验报告 #{n}"))
        for n in range(2 * FINDINGS_PER_ENTRY + 50)
    ]
    before = LedgerEntry.objects.count()
    assert raise_new(agency, found) == len(found)
    entries = list(LedgerEntry.objects.order_by("pk")[before:])
    assert [json.loads(e.canonical)["subject"] for e in entries] == [
        f"findings:{FINDINGS_PER_ENTRY}",
        f"findings:{FINDINGS_PER_ENTRY}",
        "findings:50",
    ]
    assert all(len(e.entry["payload"]["rows"]) <= FINDINGS_PER_ENTRY for e in entries)
    assert Finding.objects.filter(agency=agency).count() == len(found)

    assert raise_new(agency, found) == 0  # idempotent: nothing again, nothing ledgered
    assert LedgerEntry.objects.count() == before + 3
    with pytest.raises(ActionError) as refused:
        findings_raise(agency=agency, found=found[: FINDINGS_PER_ENTRY + 1])
    assert refused.value.code == "too_many_findings"


@pytest.mark.django_db
def test_it_raises_an_exemption_approved_since_the_last_pass(
    investigating: Any, personas: Any
) -> None:
    agency = personas["sun"].agency
    _refresh_as_full_would(agency)
    r = proposed_exemption(investigating, personas)
    assert r.status_code == 201, r.content
    _refresh_as_full_would(agency)  # proposed, not approved: nothing of the kind
    api_decide("wang", Chain.objects.get(pk=r.json()["id"]))  # the approval names the case
    assert ("exemption", f"exemption:{Exemption.objects.get().pk}") in _refresh_as_full_would(
        agency
    )


@pytest.mark.django_db
def test_it_looks_at_every_case_after_a_holiday_schedule_is_imported(
    investigating: Any, personas: Any
) -> None:
    agency = personas["sun"].agency
    refresh(agency=agency)
    assert refresh(agency=agency).cases == 0  # nothing changed: no case looked at
    # 第八十五条 of 行政处罚法: the working-day periods of every case move with the schedule, and
    # no log entry names a case.
    holiday_schedule_import(
        officer=personas["admin"],
        schedule=ScheduleInput(
            year=2031,
            holidays=[dt.date(2031, 1, 1)],
            workdays=[],
            source="国务院办公厅关于2031年部分节假日安排的通知（测试用）",
        ),
    )
    forget_calendar()
    r = refresh(agency=agency)
    assert r.cases == Case.objects.filter(agency=agency).count() > 0
    assert FindingsWatermark.objects.get(agency=agency).full is False
    assert refresh(agency=agency).cases == 0  # and the pass after it is incremental again
