"""第三十五条: raw SQL UPDATE and DELETE on recorded tables are refused by the database itself,
on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from casetrail.records.models import Record

# These tests alter recorded rows behind the application on purpose.
pytestmark = pytest.mark.behind_the_application

TABLES = [
    "records_record",
    "approvals_step",
    "cases_party",
    "cases_caseofficer",
    "cases_stagechange",
    "ledger_ledgerentry",
]
# Every table made insert-only by a migration (an empty one cannot show a refused UPDATE).
ALL_INSERT_ONLY = [
    *TABLES,
    "ledger_ledgernode",
    "ledger_checkpoint",
    "records_recordsignature",
    "records_recordattachment",
    "evidence_blob",
    "evidence_item",
    "evidence_itemlink",
    "evidence_accesslog",
]


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("statement", ["UPDATE {t} SET id = id", "DELETE FROM {t}"])
def test_it_refuses_raw_updates_and_deletes(open_case, table, statement):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        count = cursor.fetchone()[0]
    assert count > 0
    with pytest.raises(DatabaseError, match="insert-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(statement.format(t=table))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        assert cursor.fetchone()[0] == count


def test_it_refuses_an_orm_update_of_a_record(open_case):
    record = Record.objects.filter(case=open_case).first()
    with pytest.raises(DatabaseError), transaction.atomic():
        Record.objects.filter(pk=record.pk).update(fields={"reason": "篡改"})
    assert Record.objects.get(pk=record.pk).fields == record.fields


def test_it_shows_recorded_facts_read_only_in_the_admin(personas, open_case):
    from casetrail.conftest import client_for

    admin = client_for("admin")
    record = Record.objects.filter(case=open_case).first()
    assert admin.get("/admin/records/record/").status_code == 200
    page = admin.get(f"/admin/records/record/{record.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert admin.post(f"/admin/records/record/{record.pk}/delete/").status_code == 403
    assert admin.get("/admin/records/record/add/").status_code == 403


@pytest.mark.parametrize("table", ALL_INSERT_ONLY)
def test_it_keeps_the_triggers_on_every_insert_only_table(db, table):
    # A later migration that rebuilt the table on SQLite would have dropped them silently.
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table]
            )
            names = {row[0] for row in cursor.fetchall()}
            assert names == {f"{table}_no_update", f"{table}_no_delete"}
        else:
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
                [table],
            )
            names = {row[0] for row in cursor.fetchall()}
            assert names == {f"{table}_insert_only", f"{table}_no_truncate"}
