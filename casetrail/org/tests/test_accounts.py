"""Accounts without superusers (issue 15): the agency's administrator resets a forgotten password
(a one-time password, changed first at the next login), cannot read case content nor act as
another officer, and is confined to the agency (404); the platform superuser is for installation
only and what it does is ledgered in every agency."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from casetrail.conftest import client_for
from casetrail.demo.personas import DEMO_PASSWORD
from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.verify import verify
from casetrail.org.models import Agency
from casetrail.org.tests.conftest import last_entry, org_state

PEOPLE = ["anon", "gao", "zhang", "wang", "zhao", "sun", "admin"]


def client(who: str) -> Client:
    return Client() if who == "anon" else client_for(who)


def test_it_resets_a_password_to_a_one_time_password_that_must_be_changed(personas):
    zhang, admin = personas["zhang"], personas["admin"]
    session = client_for("zhang")
    r = client_for("admin").post(f"/org/officers/{zhang.pk}/password/reset/")
    assert r.status_code == 200 and "no-store" in r["Cache-Control"]
    temporary = r.content.decode().split('id="temporary-password">')[1].split("<")[0]
    entry = last_entry(zhang)
    assert entry["action"] == "org.password_reset" and entry["actor"]["id"] == admin.pk
    assert temporary not in LedgerEntry.objects.order_by("-pk")[0].canonical
    # The old password and the old sessions are gone.
    assert session.get("/org/me/token/").status_code == 302
    assert not Client().login(username="zhang", password=DEMO_PASSWORD)
    # The one-time password only opens the page to choose a new one.
    fresh = Client()
    r = fresh.post("/login/", {"username": "zhang", "password": temporary})
    assert r.status_code == 302
    r = fresh.get("/cases/")
    assert r.status_code == 302 and r["Location"] == "/org/me/password/"
    r = fresh.get("/api/worklist/")
    assert r.status_code == 403 and r.json()["code"] == "password_change_required"
    r = fresh.post(
        "/org/me/password/",
        {"old_password": temporary, "new_password": "short", "new_password2": "short"},
    )
    assert r.status_code == 400
    new = "zhang-chose-this-2026"
    r = fresh.post(
        "/org/me/password/",
        {"old_password": temporary, "new_password": new, "new_password2": new},
    )
    assert r.status_code == 302
    assert fresh.get("/cases/").status_code == 200
    assert last_entry(zhang)["action"] == "org.password_change"
    assert Client().login(username="zhang", password=new)
    assert verify().intact, verify().findings


@pytest.mark.parametrize("who", PEOPLE)
def test_it_lets_only_the_agencys_admin_reset_a_password(personas, other_agency, who):
    from casetrail.org.actions import officer_create
    from casetrail.org.models import Role

    officer_create(
        unit=other_agency["ma"].unit,
        username="gao",
        name="高管理",
        password=DEMO_PASSWORD,
        roles=[Role.ADMIN],
    )
    zhao = personas["zhao"]
    before = org_state()
    r = client(who).post(f"/api/officers/{zhao.pk}/password/reset/")
    expected = {"anon": 401, "gao": 404, "admin": 200}.get(who, 403)
    assert r.status_code == expected, r.content
    assert (org_state() == before) == (who != "admin")
    if who == "admin":
        assert r.json()["temporary_password"]


def test_it_refuses_an_admin_resetting_their_own_password(personas):
    admin = personas["admin"]
    before = org_state()
    r = client_for("admin").post(f"/api/officers/{admin.pk}/password/reset/")
    assert r.status_code == 403 and r.json()["code"] == "own_account"
    assert org_state() == before


def test_it_changes_ones_own_password_over_the_api(personas):
    r = client_for("li").post(
        "/api/me/password/",
        {"old_password": "wrong", "new_password": "li-new-password-1"},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["code"] == "wrong_password"
    r = client_for("li").post(
        "/api/me/password/",
        {"old_password": DEMO_PASSWORD, "new_password": "li-new-password-1"},
        content_type="application/json",
    )
    assert r.status_code == 204
    assert Client().login(username="li", password="li-new-password-1")


def test_it_keeps_case_content_from_the_administrator(personas, new_case):
    admin = client_for("admin")
    assert admin.get(f"/cases/{new_case.pk}/").status_code == 404
    assert admin.get(f"/api/cases/{new_case.pk}/").status_code == 404
    listed = admin.get("/api/cases/").json()
    assert listed["count"] == 0


def test_it_makes_no_officer_a_superuser_the_demo_admin_included(personas):
    admin = personas["admin"]
    admin.user.refresh_from_db()
    assert not admin.user.is_superuser and not admin.user.is_staff
    assert not get_user_model().objects.filter(is_superuser=True).exists()


def test_it_ledgers_the_platform_superuser_in_every_agency(personas, other_agency, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "installer-password-2026")
    call_command("platform_superuser", "--noinput", username="installer", email="ops@example.org")
    for agency in Agency.objects.all():
        entry = LedgerEntry.objects.filter(ledger__agency=agency).order_by("-seq").first().entry
        assert entry["action"] == "org.platform_event"
        assert entry["payload"]["event"] == "superuser created"
        assert entry["subject"] == "platform:installer"
    r = Client().post(
        "/admin/login/?next=/admin/",
        {"username": "installer", "password": "installer-password-2026", "next": "/admin/"},
    )
    assert r.status_code == 302
    for agency in Agency.objects.all():
        entry = LedgerEntry.objects.filter(ledger__agency=agency).order_by("-seq").first().entry
        assert entry["payload"]["event"].startswith("login ")
    assert verify().intact, verify().findings


def test_it_maps_casetrail_createsuperuser_to_the_ledgered_command():
    from casetrail.cli import command_name

    assert command_name("createsuperuser") == "platform_superuser"
