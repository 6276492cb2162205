"""第三十五条: raw SQL UPDATE and DELETE on recorded tables are refused by the database itself,
on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from casetrail.lib.insert_only import insert_only_tables, missing_triggers, trigger_names
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
    from django.contrib.auth import get_user_model
    from django.test import Client

    from casetrail.conftest import client_for

    # The platform's installer (`casetrail createsuperuser`); no officer is a superuser.
    get_user_model().objects.create_superuser("installer", password="x-installer-1")
    admin = Client()
    admin.login(username="installer", password="x-installer-1")
    assert client_for("admin").get("/admin/records/record/").status_code == 302
    record = Record.objects.filter(case=open_case).first()
    assert admin.get("/admin/records/record/").status_code == 200
    page = admin.get(f"/admin/records/record/{record.pk}/change/")
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert admin.post(f"/admin/records/record/{record.pk}/delete/").status_code == 403
    assert admin.get("/admin/records/record/add/").status_code == 403


def test_it_keeps_the_triggers_on_every_insert_only_table(db):
    # A later migration that rebuilt the table on SQLite would have dropped them silently.
    tables = insert_only_tables(connection)
    assert {"records_record", "evidence_accesslog", "compliance_exemption"} <= set(tables)
    assert missing_triggers(connection) == []


def test_it_fails_check_and_verify_when_a_table_lost_its_triggers(db, capsys):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    from casetrail.ledger.verify import verify

    dropped = sorted(trigger_names(connection.vendor, "cases_party"))[0]
    with connection.cursor() as cursor:
        cursor.execute(
            f'DROP TRIGGER "{dropped}"'
            if connection.vendor == "sqlite"
            else f'DROP TRIGGER "{dropped}" ON "cases_party"'
        )
    with pytest.raises(SystemCheckError, match="cases_party: insert-only trigger"):
        call_command("check")
    assert any("cases_party: insert-only trigger(s) missing" in f for f in verify().findings)


def test_it_fails_check_when_a_trigger_is_disabled_or_does_nothing(db):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            # Same name, but it never fires: the trigger is there only in name.
            cursor.execute('DROP TRIGGER "cases_stagechange_no_update"')
            cursor.execute(
                'CREATE TRIGGER "cases_stagechange_no_update" BEFORE UPDATE ON "cases_stagechange" '
                "WHEN 0 BEGIN SELECT RAISE(ABORT, 'x'); END"
            )
        else:
            cursor.execute(
                'ALTER TABLE "cases_stagechange" DISABLE TRIGGER "cases_stagechange_insert_only"'
            )
    with pytest.raises(SystemCheckError, match="cases_stagechange: insert-only trigger"):
        call_command("check")
