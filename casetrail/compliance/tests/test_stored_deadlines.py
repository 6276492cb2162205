"""Stored deadlines (issue 18): every action on a case brings its ``CaseDeadline`` rows in line with
the deadline registry, in the action's transaction; worklists read them with a fixed number of
queries; the daily check notes only the deadlines that became overdue and logs one summary line."""

from __future__ import annotations

import datetime as dt
import logging
from unittest import mock

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casetrail.compliance.deadlines import deadlines_of
from casetrail.compliance.models import CaseDeadline
from casetrail.compliance.stored import refresh_all, refresh_marked
from casetrail.compliance.tasks import check_deadlines
from casetrail.compliance.tests.builders import advance, make
from casetrail.conftest import approve_start, client_for, start_ex_officio


def stored(case):
    refresh_marked()  # what every reader of the rows does first
    return {
        (r.rule, r.title, r.due_at, r.done, r.info, r.watched)
        for r in CaseDeadline.objects.filter(case=case)
    }


def computed(case):
    watched = case.stage != "archived"
    return {
        (d.rule, d.title, d.due_at, d.done, d.info, watched and not d.done and not d.info)
        for d in deadlines_of(case)
    }


def in_line(case):
    """The stored rows are exactly what the registry computes now."""
    case.refresh_from_db()
    rows = stored(case)
    assert rows == computed(case)
    assert CaseDeadline.objects.filter(case=case).count() == len(rows)  # no duplicates
    return rows


def rules(rows, *, done=None):
    return sorted(r[0] for r in rows if done is None or r[3] is done)


def test_it_keeps_each_deadline_in_line_as_the_actions_run(serving, personas):
    rows = in_line(serving)
    assert "CF60" in rules(rows) and "CF61" in rules(rows, done=False)
    assert rules(rows, done=True).count("CF60") == 1  # the decision was made: CF60 is met
    decision = serving.records.get(kind="administrative_decision")

    # 送达: CF61 met, 缴纳罚款 (CF67) appears, not done and watched.
    make(serving, personas, "service_receipt", document=decision.pk)
    rows = in_line(serving)
    assert "CF67" in rules(rows, done=False) and "CF61" in rules(rows, done=True)
    (fine,) = CaseDeadline.objects.filter(case=serving, rule="CF67")
    assert fine.watched

    # Payment recorded: CF67 changes state (done, no longer watched).
    make(serving, personas, "performance_record", decision=decision.pk, status="full")
    rows = in_line(serving)
    assert "CF67" in rules(rows, done=True)
    assert not CaseDeadline.objects.filter(case=serving, rule="CF67", watched=True).exists()

    # 责令改正: R27 appears with the date set on the order, then is met by the check.
    order = make(serving, personas, "correction_order", decision=decision.pk)
    assert "R27" in rules(in_line(serving), done=False)
    make(serving, personas, "correction_check_record", order=order.pk)
    assert "R27" in rules(in_line(serving), done=True)

    # 结案: 立卷归档 (R30a) appears.
    make(serving, personas, "service_receipt", document=order.pk)
    advance(serving, personas, "closed")
    assert "R30a" in rules(in_line(serving), done=False)


def test_a_date_to_know_is_stored_but_never_watched(serving, personas):
    decision = serving.records.get(kind="administrative_decision")
    make(serving, personas, "public_notice_service_record", document=decision.pk)
    infos = [r for r in in_line(serving) if r[4]]
    assert "R25" in rules(infos) and not any(r[5] for r in infos)


def test_it_adds_and_removes_rows_when_records_come_and_go(investigating, personas):
    from casetrail.decisions.tests.other_chains.builders import preserve

    assert "CF56" not in rules(in_line(investigating))
    decision = preserve(investigating, personas).record
    register = make(investigating, personas, "evidence_register", preservation_decision=decision.pk)
    assert "CF56" in rules(in_line(investigating), done=False)
    make(investigating, personas, "evidence_hold_handling_decision", register=register.pk)
    assert "CF56" in rules(in_line(investigating), done=True)


def test_a_new_case_gets_rows_when_its_start_is_approved(personas):
    case = start_ex_officio(personas)
    refresh_marked()
    assert not CaseDeadline.objects.filter(case=case, rule="CF60").exists()
    approve_start(case, personas)
    refresh_marked()
    (cf60,) = CaseDeadline.objects.filter(case=case, rule="CF60")
    assert cf60.watched and not cf60.done and cf60.agency_id == case.agency_id
    in_line(case)


def test_unchanged_rows_are_left_alone(investigating, personas):
    refresh_marked()
    before = {r.pk for r in CaseDeadline.objects.filter(case=investigating)}
    make(investigating, personas, "interview_record")  # changes no deadline
    assert refresh_marked() == 1  # the action marked its case
    assert {r.pk for r in CaseDeadline.objects.filter(case=investigating)} == before


def test_an_action_only_marks_its_case_and_readers_refresh_it(investigating, personas):
    from casetrail.compliance.models import CaseDeadlineDirty

    refresh_marked()
    decision = make(investigating, personas, "interview_record")
    assert list(CaseDeadlineDirty.objects.values_list("pk", flat=True)) == [investigating.pk]
    assert decision.pk
    client_for("zhang").get("/")  # the worklist reads the stored rows: it refreshes first
    assert not CaseDeadlineDirty.objects.exists()


def test_refresh_all_rebuilds_the_rows(investigating, other_agency):
    expected = stored(investigating)
    refresh_marked()
    CaseDeadline.objects.all().delete()
    cases, added, removed = refresh_all()
    assert cases >= 1 and added == len(expected) and removed == 0
    assert stored(investigating) == expected
    assert refresh_all() == (cases, 0, 0)  # nothing changed: nothing written


def test_the_command_refreshes_and_refuses_an_unknown_agency(investigating, capsys):
    CaseDeadline.objects.all().delete()
    call_command("refresh_deadlines")
    assert stored(investigating) == computed(investigating)
    assert "refresh-deadlines: " in capsys.readouterr().out
    import pytest
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("refresh_deadlines", agency="nonexistent")


def later(days):
    return mock.patch(
        "django.utils.timezone.now", return_value=timezone.now() + dt.timedelta(days=days)
    )


def test_the_daily_check_notes_only_what_became_overdue_and_logs_one_line(
    investigating, personas, caplog
):
    refresh_marked()
    (cf60,) = CaseDeadline.objects.filter(case=investigating, rule="CF60")
    days = (timezone.localtime(cf60.due_at).date() - timezone.localdate()).days + 1
    with caplog.at_level(logging.INFO, logger="casetrail.compliance.tasks"):
        assert check_deadlines.call() == 0  # nothing overdue yet
        with later(days):
            assert check_deadlines.call() == 1
            assert check_deadlines.call() == 0  # already noted: untouched
    lines = [r.getMessage() for r in caplog.records if r.name == "casetrail.compliance.tasks"]
    assert lines == [
        "deadlines: none newly overdue, 0 overdue in all",
        "deadlines: 1 newly overdue, 1 overdue in all",
        "deadlines: none newly overdue, 1 overdue in all",
    ]
    cf60.refresh_from_db()
    assert cf60.overdue_noted_at is not None


def test_the_worklist_costs_the_same_queries_whatever_the_number_of_cases(personas):
    def queries():
        client = client_for("zhang")
        client.get("/")  # warm: session, caches
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/").status_code == 200
        return len(ctx.captured_queries)

    approve_start(start_ex_officio(personas), personas)
    one = queries()
    for _ in range(3):
        approve_start(start_ex_officio(personas), personas)
    refresh_marked()
    assert CaseDeadline.objects.filter(watched=True).count() >= 4
    assert queries() == one


def test_an_action_rolled_back_leaves_the_rows_as_they_were(investigating, personas):
    from casetrail.lib import ledgered

    before = stored(investigating)
    made = investigating.records.count()

    def fail(case_id):
        raise RuntimeError("boom")

    ledgered._after_case.append(fail)
    try:
        import pytest

        with pytest.raises(RuntimeError):
            make(investigating, personas, "interview_record")
    finally:
        ledgered._after_case.remove(fail)
    assert stored(investigating) == before
    assert investigating.records.count() == made


def test_every_action_of_the_demo_stories_leaves_the_rows_in_line(personas, evidence_store):
    """The three demo stories (every stage, every service method, court enforcement) through the
    actions: after each action on a case its stored rows are exactly what the registry computes."""
    from casetrail.cases.models import Case
    from casetrail.demo.stories import load_demo_cases
    from casetrail.lib import ledgered

    checked = []

    def check(case_id):
        case = Case.objects.get(pk=case_id)
        assert stored(case) == computed(case), case_id
        checked.append(case_id)

    ledgered._after_case.append(check)  # after compliance's mark (registered at start-up)
    try:
        load_demo_cases(personas)
    finally:
        ledgered._after_case.remove(check)
    assert len(checked) > 150 and len(set(checked)) == 3
    kinds = set(CaseDeadline.objects.values_list("rule", flat=True))
    assert {"CF56", "CF60", "CF61", "CF67", "GS7", "QZ54", "R21b", "R25", "R27", "R30a", "R44"} <= (
        kinds
    ), kinds
