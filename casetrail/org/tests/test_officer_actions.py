"""Officers with a life cycle: each action over the API as the agency's administrator — its status,
the rows it wrote, its ledger entry — and `verify` intact afterwards; bad input refused with a code
and nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from casetrail.cases.models import CaseOfficer
from casetrail.conftest import api_start, client_for, start_ex_officio
from casetrail.demo.personas import DEMO_PASSWORD
from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.verify import verify
from casetrail.org.models import ApiToken, Officer, OfficerRole, Role
from casetrail.org.tests.conftest import last_entry, new_officer, org_state

TODAY = timezone.localdate


def post(who: str, url: str, body: dict | None = None):
    return client_for(who).post(url, body or {}, content_type="application/json")


def fresh(officer: Officer) -> Officer:
    return Officer.objects.select_related("user").get(pk=officer.pk)


def test_it_records_a_renewed_certificate(personas):
    li, admin = personas["li"], personas["admin"]
    valid_from, valid_to = TODAY(), TODAY() + dt.timedelta(days=3 * 365)
    r = post(
        "admin",
        f"/api/officers/{li.pk}/certificate/",
        {"certificate_no": "14052400999", "valid_from": valid_from, "valid_to": valid_to},
    )
    assert r.status_code == 200, r.content
    assert r.json()["certificate"] == {
        "number": "14052400999",
        "valid_from": valid_from.isoformat(),
        "valid_to": valid_to.isoformat(),
        "valid_today": True,
    }
    li = fresh(li)
    assert (li.certificate_no, li.certificate_valid_from, li.certificate_valid_to) == (
        "14052400999",
        valid_from,
        valid_to,
    )
    entry = last_entry(li)
    assert entry["action"] == "org.officer_certificate" and entry["actor"]["id"] == admin.pk
    assert entry["payload"]["rows"][0]["certificate_no"] == "14052400999"
    assert entry["payload"]["previous"]["certificate_no"] == "14052400124"
    assert verify().intact, verify().findings


def test_it_grants_and_revokes_roles_keeping_their_history(personas):
    li, admin = personas["li"], personas["admin"]
    r = post(
        "admin",
        f"/api/officers/{li.pk}/roles/",
        {"add": ["reviewer"], "remove": ["handler"], "reason": "任命为股室负责人"},
    )
    assert r.status_code == 200, r.content
    assert r.json()["roles"] == ["reviewer"]
    assert fresh(li).role_set == {Role.REVIEWER}
    revoked = OfficerRole.objects.get(officer=li, role=Role.HANDLER)
    assert revoked.revoked_at is not None and revoked.revoked_by_id == admin.pk
    granted = OfficerRole.objects.get(officer=li, role=Role.REVIEWER)
    assert granted.revoked_at is None and granted.granted_by_id == admin.pk
    entry = last_entry(li)
    assert entry["action"] == "org.officer_roles"
    assert entry["payload"]["added"] == ["reviewer"] and entry["payload"]["removed"] == ["handler"]
    assert {(row["role"], row["revoked_at"] is None) for row in entry["payload"]["rows"]} == {
        ("handler", False),
        ("reviewer", True),
    }
    # A role granted again is a new grant: the revoked one stays as history.
    assert post("admin", f"/api/officers/{li.pk}/roles/", {"add": ["handler"]}).status_code == 200
    assert OfficerRole.objects.filter(officer=li, role=Role.HANDLER).count() == 2
    assert fresh(li).role_set == {Role.HANDLER, Role.REVIEWER}
    assert verify().intact, verify().findings


def test_it_never_makes_an_officer_a_django_superuser(personas, other_agency):
    # An agency's administrator works through the officer actions, confined to the agency; the
    # Django admin (which sees every agency and could reset a password) is not theirs.
    post("admin", f"/api/officers/{personas['sun'].pk}/roles/", {"add": ["admin"]})
    sun = fresh(personas["sun"]).user
    assert not (sun.is_staff or sun.is_superuser)
    admin = fresh(personas["admin"]).user
    assert not (admin.is_staff or admin.is_superuser)
    assert client_for("admin").get("/admin/cases/case/").status_code == 302  # to the login
    r = post("sun", f"/api/officers/{personas['admin'].pk}/roles/", {"remove": ["admin"]})
    assert r.status_code == 200, r.content
    assert client_for("admin").get("/api/officers/").status_code == 403
    assert verify().intact, verify().findings


def test_it_moves_an_officer_to_another_unit_of_the_agency(personas):
    li = personas["li"]
    unit = li.agency.units.get(name="社会组织管理股")
    r = post("admin", f"/api/officers/{li.pk}/unit/", {"unit": unit.pk})
    assert r.status_code == 200 and r.json()["unit"]["name"] == "社会组织管理股"
    assert fresh(li).unit_id == unit.pk
    entry = last_entry(li)
    assert entry["action"] == "org.officer_move" and entry["payload"]["to_unit"] == unit.pk
    assert entry["payload"]["from_unit"] == personas["zhang"].unit_id
    assert verify().intact, verify().findings


def test_it_deactivates_an_officer_who_then_can_neither_log_in_nor_use_a_token(personas):
    li = personas["li"]
    case = start_ex_officio(personas)  # names 李承办
    session = client_for("li")
    token = post("li", "/api/me/tokens/").json()["token"]
    assert Client().get("/api/worklist/", HTTP_AUTHORIZATION=f"Token {token}").status_code == 200

    r = post("admin", f"/api/officers/{li.pk}/deactivate/", {"reason": "调离本局"})
    assert r.status_code == 200 and r.json()["active"] is False
    li = fresh(li)
    assert li.deactivated_at is not None and not li.user.is_active
    assert not ApiToken.objects.filter(officer=li, revoked_at__isnull=True).exists()
    entry = last_entry(li)
    assert entry["action"] == "org.officer_deactivate"
    assert entry["payload"] == {
        "rows": entry["payload"]["rows"],
        "reason": "调离本局",
        "token_revoked": True,
    }
    # No login, no session, no token.
    assert not Client().login(username="li", password=DEMO_PASSWORD)
    assert session.get("/").status_code == 302
    r = Client().get("/api/worklist/", HTTP_AUTHORIZATION=f"Token {token}")
    assert r.status_code == 401 and r.json()["code"] == "not_authenticated"
    # Offered for no new case, and refused if named anyway; the old case still names them.
    zhang = client_for("zhang")
    assert "李承办" not in zhang.get("/cases/new/ex-officio/").content.decode()
    r = api_start(personas)
    assert r.status_code == 400 and r.json()["code"] == "officer_inactive"
    assert CaseOfficer.objects.filter(case=case, officer=li).exists()
    assert "李承办" in zhang.get(f"/cases/{case.pk}/").content.decode()
    assert verify().intact, verify().findings


def test_it_reactivates_an_officer_who_needs_a_new_token_and_a_new_login(personas):
    li = personas["li"]
    old = post("li", "/api/me/tokens/").json()["token"]
    session = client_for("li")
    assert session.get("/api/worklist/").status_code == 200
    post("admin", f"/api/officers/{li.pk}/deactivate/", {"reason": "借调"})
    r = post("admin", f"/api/officers/{li.pk}/reactivate/", {"reason": "借调结束"})
    assert r.status_code == 200 and r.json()["active"] is True
    li = fresh(li)
    assert li.deactivated_at is None and li.user.is_active
    assert last_entry(li)["action"] == "org.officer_reactivate"
    assert Client().login(username="li", password=DEMO_PASSWORD)
    assert Client().get("/api/worklist/", HTTP_AUTHORIZATION=f"Token {old}").status_code == 401
    # The session of before the deactivation does not come back with the reactivation.
    assert session.get("/api/worklist/").status_code in (401, 403)
    assert verify().intact, verify().findings


def test_it_creates_an_officer_with_a_login_roles_and_a_certificate(personas):
    admin = personas["admin"]
    r = post("admin", "/api/officers/", new_officer(personas))
    assert r.status_code == 201, r.content
    feng = Officer.objects.get(pk=r.json()["id"])
    assert feng.role_set == {Role.HANDLER} and feng.certificate_valid_today
    assert feng.roles.get().granted_by_id == admin.pk
    entry = last_entry(feng)
    assert entry["action"] == "org.officer_create" and entry["actor"]["id"] == admin.pk
    assert "feng-initial-2026" not in LedgerEntry.objects.order_by("-pk")[0].canonical
    assert Client().login(username="fengcb", password="feng-initial-2026")
    assert verify().intact, verify().findings


def _bad_inputs(personas, other_agency):
    li, admin = personas["li"], personas["admin"]
    today = TODAY()
    cert = f"/api/officers/{li.pk}/certificate/"
    roles = f"/api/officers/{li.pk}/roles/"
    unit = f"/api/officers/{li.pk}/unit/"

    def c(**over):
        return {
            "certificate_no": "X1",
            "valid_from": today,
            "valid_to": today + dt.timedelta(days=30),
            **over,
        }

    new = new_officer(personas, certificate_no="", valid_from=None, valid_to=None)
    return [
        (
            "admin",
            cert,
            c(valid_from=today, valid_to=today - dt.timedelta(days=1)),
            400,
            "certificate_range_inverted",
        ),
        (
            "admin",
            cert,
            c(valid_from=today - dt.timedelta(days=30), valid_to=today - dt.timedelta(days=1)),
            400,
            "certificate_expired",
        ),
        ("admin", cert, c(certificate_no="  "), 400, "certificate_no_required"),
        ("admin", cert, c(certificate_no="14052400123"), 400, "certificate_no_taken"),
        ("admin", cert, c(valid_to="明年"), 400, "invalid_input"),
        ("admin", cert, c(valid_to=None), 400, "certificate_dates_required"),
        ("admin", roles, {"add": ["wizard"]}, 400, "invalid_role"),
        ("admin", roles, {}, 400, "no_change"),
        ("admin", roles, {"add": ["handler"]}, 400, "role_already_held"),
        ("admin", roles, {"remove": ["approver"]}, 400, "role_not_held"),
        ("admin", roles, {"add": ["approver"], "remove": ["approver"]}, 400, "role_conflict"),
        ("admin", f"/api/officers/{admin.pk}/roles/", {"add": ["approver"]}, 403, "own_roles"),
        ("admin", unit, {"unit": 999999}, 400, "invalid_unit"),
        ("admin", unit, {"unit": other_agency["ma"].unit_id}, 400, "invalid_unit"),
        ("admin", unit, {"unit": li.unit_id}, 400, "no_change"),
        ("admin", f"/api/officers/{li.pk}/deactivate/", {"reason": " "}, 400, "reason_required"),
        ("admin", f"/api/officers/{admin.pk}/deactivate/", {"reason": "x"}, 403, "own_account"),
        ("admin", f"/api/officers/{li.pk}/reactivate/", {"reason": "x"}, 400, "already_active"),
        ("admin", "/api/officers/", {**new, "username": "zhang"}, 400, "username_taken"),
        ("admin", "/api/officers/", {**new, "username": "冯 承办"}, 400, "invalid_username"),
        ("admin", "/api/officers/", {**new, "password": "123"}, 400, "weak_password"),
        ("admin", "/api/officers/", {**new, "roles": ["boss"]}, 400, "invalid_role"),
        (
            "admin",
            "/api/officers/",
            {**new, "certificate_no": "X2"},
            400,
            "certificate_dates_required",
        ),
        (
            "admin",
            "/api/officers/",
            {**new, "unit": other_agency["ma"].unit_id},
            400,
            "invalid_unit",
        ),
    ]


def test_it_refuses_bad_input_with_a_code_and_writes_nothing(personas, other_agency):
    failures = []
    for who, url, body, status, code in _bad_inputs(personas, other_agency):
        before = org_state()
        r = post(who, url, body)
        got = (r.status_code, r.json().get("code"))
        if got != (status, code) or not r.json().get("message"):
            failures.append(f"{url} {body}: {got} != {(status, code)}")
        if org_state() != before:
            failures.append(f"{url} {body}: something was written")
    assert not failures, failures


@pytest.mark.behind_the_application
def test_it_keeps_a_deactivated_officer_out_even_if_their_login_is_switched_on(personas):
    post("admin", f"/api/officers/{personas['li'].pk}/deactivate/", {"reason": "离职"})
    get_user_model().objects.filter(username="li").update(is_active=True)
    li = client_for("li")  # the login itself works again
    assert li.get("/").status_code == 403
    r = li.get("/api/worklist/")
    assert r.status_code == 403 and r.json()["message"] == "该人员已停用，请联系系统管理员"


def test_it_shows_logins_and_tokens_read_only_in_the_django_admin(personas):
    from django.contrib.auth import get_user_model
    from django.test import Client

    get_user_model().objects.create_superuser("installer", password="x-installer-1")
    admin = Client()
    assert admin.login(username="installer", password="x-installer-1")
    zhang = personas["zhang"].user
    assert admin.get("/admin/authtoken/tokenproxy/").status_code == 404
    assert admin.get("/admin/org/apitoken/").status_code == 404
    assert admin.get("/admin/auth/user/add/").status_code == 403
    assert admin.get(f"/admin/auth/user/{zhang.pk}/delete/").status_code == 403
    # Not even the installer resets an officer's password here: it would let them sign in as them.
    assert admin.get(f"/admin/auth/user/{zhang.pk}/password/").status_code == 403
    r = admin.post(
        f"/admin/auth/user/{zhang.pk}/change/",
        {"first_name": "张", "last_name": "", "email": "", "is_active": ""},
    )
    assert r.status_code == 403
    zhang.refresh_from_db()
    assert zhang.first_name == "" and zhang.is_active
