"""Concurrent actions on PostgreSQL (issue 18, load): two on one case never deadlock; two storing the
same new bytes never fail on the unique digest.

An action that locks its case first (``cases.writes.locked``: 制作文书, a decision, a stage change)
then waits for the agency log's head, which another action of the agency holds from its append to
its commit. That other action, after its append, marks the case for its deadlines — an insert whose
foreign key takes a KEY SHARE lock on the case row. ``SELECT … FOR UPDATE`` conflicts with KEY SHARE:
each waited for the other and PostgreSQL killed one ("deadlock detected", a 500 under load). The
case is locked ``FOR NO KEY UPDATE OF`` the case alone (no action changes a case's key), which
foreign keys do not wait for, and the joined agency and unit rows are not locked at all.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casetrail.cases.writes import locked
from casetrail.compliance.models import CaseDeadlineDirty
from casetrail.compliance.stored import refresh_marked
from casetrail.compliance.tests.builders import make
from casetrail.conftest import approve_start, start_ex_officio
from casetrail.demo.personas import load_demo
from casetrail.evidence.models import Blob
from casetrail.evidence.storage import upload_before
from casetrail.ledger.models import LedgerEntry
from casetrail.lib import ledgered
from casetrail.lib.ledgered import Act, ActionName, action
from casetrail.records.models import Record
from casetrail.records.writes import store_image

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL row locks; SQLite has one writer at a time (the IMMEDIATE write lock)",
)


class Probe(ActionName):
    TOUCH = "test.touch_case"
    STORE = "test.store_image"


@action(Probe.TOUCH)
def touch_case(act: Act, /, *, case: Any, officer: Any) -> None:
    """An action whose rows reach the case only through other rows (as attaching a file to a
    record does): the case row is first touched by the deadline mark, after the append."""
    act.record(agency=case.agency_id, actor=officer, subject=f"case:{case.pk}", case=case.pk)


@action(Probe.STORE, before=lambda **kwargs: upload_before(kwargs["data"]))
def store(act: Act, /, *, officer: Any, data: bytes, hold: tuple[Any, Any] | None) -> int:
    """Store a small image as a signature is stored; with ``hold`` (inserted, go), say when the
    row is in and keep the transaction open until told."""
    blob = store_image(agency_id=officer.agency_id, data=data, media_type="image/png")
    act.record(agency=officer.agency_id, actor=officer, subject=f"blob:{blob.sha256}")
    if hold is not None:
        hold[0].set()
        assert hold[1].wait(30)
    return int(blob.pk)


def test_it_locks_the_case_row_alone_and_lets_foreign_keys_through(personas: Any) -> None:
    # (This module's one test on ``db``: it makes pytest-django set up the test database.)
    case = start_ex_officio(personas)
    with CaptureQueriesContext(connection) as queries:
        locked(case)
    sql = queries.captured_queries[-1]["sql"]
    assert sql.endswith('FOR NO KEY UPDATE OF "cases_case"')


def waiting_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        return int(cursor.fetchone()[0])


@pytest.mark.behind_the_application  # the `committed` clean-up deletes recorded rows
def test_it_runs_two_actions_on_one_case_at_once_without_a_deadlock(
    committed: Any, monkeypatch: Any
) -> None:
    personas = load_demo()
    case = approve_start(start_ex_officio(personas), personas)
    refresh_marked()  # no mark left: the next one inserts (and takes the foreign key's lock)
    assert not CaseDeadlineDirty.objects.filter(case=case).exists()
    appended, go = threading.Event(), threading.Event()

    def hold_after_append(case_id: int) -> None:
        # Runs first among the after-action hooks, so before the deadline mark: the log's head
        # is held by this transaction until it commits.
        if threading.current_thread().name == "second":
            appended.set()
            assert go.wait(30), "the first action never came to wait"

    monkeypatch.setattr(ledgered, "_after_case", [hold_after_append, *ledgered._after_case])
    errors: list[BaseException] = []

    def run(work: Any) -> None:
        try:
            work()
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    second = threading.Thread(
        target=run,
        args=(lambda: touch_case(case=case, officer=personas["zhang"]),),
        name="second",
    )
    first = threading.Thread(
        target=run, args=(lambda: make(case, personas, "interview_record"),), name="first"
    )
    second.start()
    assert appended.wait(30)
    first.start()  # locks the case, then waits for the log's head
    seen = threading.Event()
    for _ in range(600):
        if waiting_locks():
            break
        seen.wait(0.05)  # polling pg_locks: the first action must be waiting before going on
    go.set()
    first.join(60)
    second.join(60)
    assert errors == []
    assert Record.objects.filter(case=case, kind="interview_record").count() == 1
    assert LedgerEntry.objects.filter(action=str(Probe.TOUCH)).count() == 1


@pytest.mark.behind_the_application  # the `committed` clean-up deletes recorded rows
def test_it_stores_the_same_new_bytes_from_two_actions_at_once(committed: Any) -> None:
    # Both find no blob row; the second's insert waits on the unique digest until the first
    # commits, then fails — and takes the first's row instead of answering 500.
    personas = load_demo()
    data = b"\x89PNG\r\n\x1a\n" + timezone.now().isoformat().encode()
    inserted, go = threading.Event(), threading.Event()
    results: dict[str, int] = {}
    errors: list[BaseException] = []

    def run(name: str, hold: tuple[Any, Any] | None) -> None:
        try:
            results[name] = store(officer=personas[name], data=data, hold=hold)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    first = threading.Thread(target=run, args=("zhang", (inserted, go)))
    second = threading.Thread(target=run, args=("li", None))
    first.start()
    assert inserted.wait(30)
    second.start()
    seen = threading.Event()
    for _ in range(600):  # the second waits on the unique digest
        if waiting_locks():
            break
        seen.wait(0.05)
    go.set()
    first.join(60)
    second.join(60)
    assert errors == []
    assert results["zhang"] == results["li"]
    assert Blob.objects.filter(pk=results["zhang"]).count() == 1
