"""A marked case's deadlines are recomputed with what they read and no more (issue 18 item 6: the
worklist under writes): the records without their signatures and attachments, the case's
publications once for GS7 and GS3, the 文号 of its records in one query — and the calendar is
exactly the one the registry computes over the fully loaded case, through a case's life up to its
publication withdrawn."""

from __future__ import annotations

from typing import Any

from casetrail.cases.models import Case
from casetrail.compliance import stored
from casetrail.compliance.deadlines import deadlines_of
from casetrail.compliance.engine import CaseView
from casetrail.compliance.models import CaseDeadline
from casetrail.compliance.tests.builders import make, sigs
from casetrail.oversight.tests.builders import post
from casetrail.oversight.tests.test_publication import decision, prepare, unissued
from casetrail.records.actions import record_correct

__all__ = ["decision", "unissued"]  # the fixtures of the publication tests, shared


def calendar_of(case: Case, view: CaseView | None = None) -> list[tuple[Any, ...]]:
    return [
        (d.rule, d.title, d.basis, d.due_at, d.done, d.info, d.estimated)
        for d in deadlines_of(case, view)
    ]


def same_as_fully_loaded(case: Case) -> list[tuple[Any, ...]]:
    """The calendar a marked case's recomputation reads equals the one over the case loaded with
    its records' signatures and attachments (as the case page loads it)."""
    case = Case.objects.get(pk=case.pk)
    light = calendar_of(case)
    assert light == calendar_of(case, CaseView(case))
    return light


def test_it_computes_the_same_calendar_as_over_the_fully_loaded_case(
    decision: Any, personas: Any
) -> None:
    case = decision.case
    seen = [same_as_fully_loaded(case)]
    make(case, personas, "service_receipt", document=decision.pk)
    seen.append(same_as_fully_loaded(case))
    make(case, personas, "performance_record", decision=decision.pk, status="full")
    seen.append(same_as_fully_loaded(case))
    pid = prepare(decision).json()["id"]
    assert post("zhao", f"/api/publications/{pid}/approve/").status_code == 200
    seen.append(same_as_fully_loaded(case))
    record_correct(
        record=decision,
        officer=personas["zhang"],
        fields={"decision": "罚款人民币300元。"},
        reason="复议机关变更罚款数额",
        signatures=sigs("administrative_decision"),
    )
    seen.append(same_as_fully_loaded(case))
    assert (
        post("sun", f"/api/publications/{pid}/withdraw/", {"reason": "复议变更"}).status_code == 200
    )
    seen.append(same_as_fully_loaded(case))
    # The series met the deadlines that read the publications and the services: not vacuous.
    rules = {row[0] for calendar in seen for row in calendar}
    assert {"CF60", "CF61", "CF67", "GS7", "GS3"} <= rules
    assert ("GS3", True) in {(row[0], row[4]) for row in seen[-1]}
    # And what the worklist reads is that calendar.
    stored.refresh_marked()
    assert sorted(
        (r.rule, r.title, r.basis, r.due_at, r.done, r.info, r.estimated)
        for r in CaseDeadline.objects.filter(case=case)
    ) == sorted(seen[-1])


def test_it_recomputes_a_marked_case_in_a_fixed_number_of_queries(
    decision: Any, personas: Any, django_assert_num_queries: Any
) -> None:
    case = decision.case
    pid = prepare(decision).json()["id"]
    assert post("zhao", f"/api/publications/{pid}/approve/").status_code == 200
    for _ in range(3):  # more signed records: the count stays
        make(case, personas, "service_receipt", document=decision.pk)
    stored.refresh_marked()
    stored.mark_case(case.pk)
    # The marks (1); the cases, their records, chains, 文号, publications (5); the short
    # transaction: its start, the mark removed, the stored rows read, its end (4).
    with django_assert_num_queries(10):
        assert stored.refresh_marked(officer=personas["zhang"]) == 1


def test_it_reads_no_publications_for_a_case_that_never_had_a_decision(
    open_case: Any, personas: Any
) -> None:
    """A publication is of a decision of its own case: a case without one has none to read, and
    its calendar is still the fully loaded case's."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make(open_case, personas, "interview_record")
    same_as_fully_loaded(open_case)
    with CaptureQueriesContext(connection) as queries:
        assert stored.refresh_marked() == 1
    assert not [q for q in queries.captured_queries if "oversight_publication" in q["sql"]]
    assert stored.matches_registry(open_case.pk)
