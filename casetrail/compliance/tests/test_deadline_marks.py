"""Deadline marks are versioned (issue 18, load): a case's deadlines are computed outside the write
lock — SQLite's is the whole database's — and an action that marks the case during the computation
is not lost: its mark has a new version, so the pass computes the case once more."""

from __future__ import annotations

from typing import Any

from django.db import connection

from casetrail.compliance import stored
from casetrail.compliance.models import CaseDeadline, CaseDeadlineDirty
from casetrail.compliance.tests.builders import make


def test_it_gives_every_mark_a_new_version_and_keeps_the_first_time(open_case: Any) -> None:
    stored.mark_case(open_case.pk)
    first = CaseDeadlineDirty.objects.get(case=open_case)
    stored.mark_case(open_case.pk)
    again = CaseDeadlineDirty.objects.get(case=open_case)
    assert again.version != first.version
    assert again.marked_at == first.marked_at


def test_it_computes_outside_the_write_lock_and_keeps_a_mark_made_meanwhile(
    open_case: Any, personas: Any, monkeypatch: Any
) -> None:
    assert CaseDeadlineDirty.objects.filter(case=open_case).exists()  # the start marked it
    depth = len(connection.atomic_blocks)  # the test's own transaction
    calls: list[tuple[int, int]] = []
    real = stored.deadlines_of

    def computing(case: Any) -> Any:
        calls.append((len(connection.atomic_blocks) - depth, case.records.count()))
        if len(calls) == 1:
            # An action commits while the first computation runs: it needs its own transaction,
            # which it could not open inside the refresh's (an action is never nested).
            make(open_case, personas, "interview_record")
        return real(case)

    monkeypatch.setattr(stored, "deadlines_of", computing)
    assert stored.refresh_marked() == 1
    # First outside any transaction; then, the mark having changed, once more under the lock
    # and seeing the record the action made.
    assert [c[0] for c in calls] == [0, 1]
    assert calls[1][1] == calls[0][1] + 1
    assert not CaseDeadlineDirty.objects.filter(case=open_case).exists()
    monkeypatch.setattr(stored, "deadlines_of", real)
    rows = {
        (r.rule, r.title, r.due_at, r.done) for r in CaseDeadline.objects.filter(case=open_case)
    }
    assert rows == {(d.rule, d.title, d.due_at, d.done) for d in real(open_case)}


def test_it_removes_the_mark_in_a_short_transaction_when_nothing_changed(
    open_case: Any, monkeypatch: Any
) -> None:
    depth = len(connection.atomic_blocks)
    inside: list[int] = []
    real = stored.deadlines_of

    def computing(case: Any) -> Any:
        inside.append(len(connection.atomic_blocks) - depth)
        return real(case)

    monkeypatch.setattr(stored, "deadlines_of", computing)
    assert stored.refresh_marked() == 1
    assert inside == [0]
    assert not CaseDeadlineDirty.objects.exists()
    assert stored.refresh_marked() == 0


def test_it_writes_the_marked_cases_of_a_pass_in_one_transaction(
    open_case: Any, personas: Any, monkeypatch: Any
) -> None:
    """Every case of a pass is computed first, then written in one transaction (one commit, not
    one a case); a case marked again while another was computed is computed once more in its
    own, and every case's rows equal the registry's."""
    from django.test.utils import CaptureQueriesContext

    from casetrail.conftest import approve_start, start_ex_officio

    others = [approve_start(start_ex_officio(personas), personas) for _ in range(2)]
    cases = [open_case, *others]
    stored.refresh_marked()
    for case in cases:
        make(case, personas, "interview_record")
    real = stored.deadlines_of
    seen: list[int] = []

    def computing(case: Any) -> Any:
        seen.append(case.pk)
        if case.pk == open_case.pk and seen.count(case.pk) == 1:
            make(others[1], personas, "interview_record")  # marks a case already read
        return real(case)

    monkeypatch.setattr(stored, "deadlines_of", computing)
    with CaptureQueriesContext(connection) as queries:
        assert stored.refresh_marked() == 3
    monkeypatch.setattr(stored, "deadlines_of", real)
    # The pass: one write transaction for the two cases whose marks held, one for the case
    # marked again (computed twice, the second time seeing the new record).
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SAVEPOINT")]
    # make() is an action: its own transaction, nested in the test's as a savepoint too.
    action = 1
    assert len(writes) == 2 + action
    assert sorted(seen) == sorted([*(c.pk for c in cases), others[1].pk])
    assert not CaseDeadlineDirty.objects.exists()
    for case in cases:
        assert stored.matches_registry(case.pk)
