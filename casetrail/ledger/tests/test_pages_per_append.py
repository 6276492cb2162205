"""Fewer pages written by an append and by an action (issue 18 §2), with nothing given up: the
insert-only tables of entries, nodes and records give ids without SQLite's AUTOINCREMENT (their
triggers kept), and the entries' case column is indexed only where an entry names a case — on
SQLite and PostgreSQL. The pages themselves are counted by ``bench/wal_frames.py``."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import connection

from casetrail.conftest import start_ex_officio
from casetrail.ledger.models import Ledger, LedgerEntry, LedgerNode
from casetrail.ledger.selectors import ledger_index_for
from casetrail.lib.insert_only import WithoutAutoincrement, declares_autoincrement, missing_triggers
from casetrail.records.models import Record

PLAIN_ROWIDS = (
    "ledger_ledgerentry",
    "ledger_ledgernode",
    "records_record",
    "records_recordsignature",
    "records_recordattachment",
)


def _max_ids() -> tuple[int, int, int]:
    return tuple(  # type: ignore[return-value]
        m.objects.order_by("-id").values_list("id", flat=True).first() or 0
        for m in (LedgerEntry, LedgerNode, Record)
    )


def test_it_gives_new_ids_above_every_earlier_one_without_autoincrement(personas):
    assert [t for t in PLAIN_ROWIDS if declares_autoincrement(connection, t)] == []
    assert missing_triggers(connection) == []  # no rebuild: 第三十五条's triggers are all there
    before = _max_ids()
    case = start_ex_officio(personas)  # 张承办 opens a case: a record, its entry and nodes
    after = _max_ids()
    assert all(b > a for a, b in zip(before, after, strict=True)), (before, after)
    ledger = Ledger.objects.get(agency=personas["zhang"].agency)
    entry = LedgerEntry.objects.get(ledger=ledger, seq=ledger.size - 1)
    assert entry.case_ref == case.pk and entry.id == after[0]
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name FROM sqlite_sequence WHERE name IN (%s, %s, %s, %s, %s)",
                list(PLAIN_ROWIDS),
            )
            assert cursor.fetchall() == []


def test_it_puts_autoincrement_back_when_the_migration_is_reversed(personas):
    if connection.vendor != "sqlite":
        pytest.skip("AUTOINCREMENT is SQLite's; the operation does nothing on PostgreSQL")
    start_ex_officio(personas)
    largest = _max_ids()[2]
    editor = SimpleNamespace(connection=connection)
    op = WithoutAutoincrement("records_record")
    op.database_backwards("records", editor, None, None)
    assert declares_autoincrement(connection, "records_record")
    with connection.cursor() as cursor:
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = 'records_record'")
        assert cursor.fetchall() == [(largest,)]  # the counter AUTOINCREMENT would have held
    op.database_forwards("records", editor, None, None)
    assert not declares_autoincrement(connection, "records_record")
    op.database_forwards("records", editor, None, None)  # already plain: left as it is
    assert missing_triggers(connection) == []


def test_it_finds_a_case_entries_through_the_partial_case_index(personas):
    case = start_ex_officio(personas)
    caseless = LedgerEntry.objects.filter(case_ref__isnull=True).count()
    assert caseless > 0  # the personas' agency, units and officers: entries without a case
    index = ledger_index_for(agency_id=case.agency_id, case_id=case.pk)
    assert f"cases.Case:{case.pk}" in index
    query = LedgerEntry.objects.filter(case_ref=case.pk).values_list("seq")
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            # Only the entries that name a case are in the index (dbstat counts its cells).
            cursor.execute(
                "SELECT sum(ncell) FROM dbstat WHERE name = 'ledger_entry_case' "
                "AND pagetype = 'leaf'"
            )
            cells = cursor.fetchone()[0]
            assert cells == LedgerEntry.objects.filter(case_ref__isnull=False).count()
        else:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = " ".join(row[0] for row in cursor.fetchall())
    assert "ledger_entry_case" in plan, plan
