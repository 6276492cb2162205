"""The append's statements on the driver's own cursor (issue 18 §2, ``casetrail.lib.statements``):
when nothing watches Django's cursor the append never opens one, and it stores the same entry and
nodes, refused the same way by the insert-only triggers — on SQLite and PostgreSQL. (The test
suite's write guard is an execute wrapper, so every other test runs the statements through
Django's cursor; the 8-process test in ``test_concurrent_append.py`` runs them on the driver's.)"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.db.transaction import TransactionManagementError

from casetrail.ledger.log import ledger_append
from casetrail.ledger.models import Ledger, LedgerEntry, LedgerNode
from casetrail.ledger.verify import verify
from casetrail.lib import statements


@contextmanager
def unwatched() -> Iterator[None]:
    """No execute wrapper, no query log, and Django's cursor refused: only the driver's is left."""
    conn = connections[DEFAULT_DB_ALIAS]

    def refused() -> None:
        raise AssertionError("Django's cursor was opened")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(conn, "execute_wrappers", [])
        patch.setattr(conn, "force_debug_cursor", False)
        patch.setattr(conn, "cursor", refused)
        yield


def test_it_appends_on_the_drivers_cursor_when_nothing_watches(personas):
    zhang = personas["zhang"]
    ledger = Ledger.objects.get(agency=zhang.agency)
    size = ledger.size
    with transaction.atomic(), unwatched():
        for i in range(4):  # the fourth completes nodes above level 0 when size is a multiple
            entry = ledger_append(
                agency=zhang.agency_id,
                actor=zhang,
                action="test.driver",
                subject=f"test:{i}",
                payload={"i": i, "text": "现场检查情况"},
            )
    ledger.refresh_from_db()
    assert ledger.size == size + 4
    stored = LedgerEntry.objects.get(pk=entry.pk)
    assert (stored.seq, stored.subject, stored.canonical) == (size + 3, "test:3", entry.canonical)
    assert '"name":"张承办"' in stored.canonical
    assert LedgerNode.objects.filter(ledger=ledger, level=0, index__gte=size).count() == 4
    report = verify()
    assert report.intact, report.findings


def test_it_keeps_djangos_errors_on_the_drivers_cursor(personas):
    ledger = Ledger.objects.get(agency=personas["zhang"].agency)
    entry = LedgerEntry.objects.filter(ledger=ledger).order_by("seq").first()
    assert entry is not None
    with pytest.raises(DatabaseError, match="insert-only"), transaction.atomic(), unwatched():
        statements.execute(
            "UPDATE ledger_ledgerentry SET subject = %s WHERE id = %s", ["x", entry.pk]
        )
    assert LedgerEntry.objects.get(pk=entry.pk).subject == entry.subject


def test_it_refuses_a_statement_in_a_transaction_an_error_broke(personas):
    """As Django's cursor does: after an error caught inside ``atomic`` (without a savepoint of
    its own) no further statement runs — SQLite itself would run it."""
    ledger = Ledger.objects.get(agency=personas["zhang"].agency)
    entry = LedgerEntry.objects.filter(ledger=ledger).order_by("seq").first()
    assert entry is not None
    update = "UPDATE ledger_ledgerentry SET subject = %s WHERE id = %s"
    with transaction.atomic(), unwatched():
        with pytest.raises(DatabaseError):
            statements.execute(update, ["x", entry.pk])
        connections[DEFAULT_DB_ALIAS].needs_rollback = True  # what atomic marks on the error
        with pytest.raises(TransactionManagementError):
            statements.execute("SELECT 1", [])
        transaction.set_rollback(True)
