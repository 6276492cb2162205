"""Login protection (issue 15; 等保 2.0 身份鉴别): lockout per account and per address with a
cool-down and a Chinese message with the time to wait, session idle and absolute timeouts,
re-authentication before sensitive actions — all on a frozen clock — and every login, failure and
lockout in the ledger."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from casetrail.conftest import client_for
from casetrail.demo.personas import DEMO_PASSWORD
from casetrail.ledger.models import LedgerEntry
from casetrail.org.tests.conftest import last_entry, org_state

START = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def actions_of(officer) -> list[str]:
    return list(
        LedgerEntry.objects.filter(
            ledger__agency=officer.agency_id, subject=f"officer:{officer.pk}"
        )
        .order_by("seq")
        .values_list("action", flat=True)
    )


def log_in(client: Client, username: str, password: str, address: str = "127.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def test_it_ledgers_a_login_with_its_address(personas):
    r = log_in(Client(), "zhang", DEMO_PASSWORD, "10.0.0.7")
    assert r.status_code == 302
    entry = last_entry(personas["zhang"])
    assert entry["action"] == "org.login" and entry["actor"]["id"] == personas["zhang"].pk
    assert entry["payload"]["address"] == "10.0.0.7"


def test_it_locks_an_account_out_after_five_failures_and_lets_it_in_after_the_cool_down(
    personas,
):
    zhang = personas["zhang"]
    with time_machine.travel(START, tick=False) as clock:
        for n in range(5):
            # From five addresses: the lockout follows the account, not only the address.
            r = log_in(Client(), "zhang", "wrong-password", f"10.0.0.{n + 1}")
        assert r.status_code == 429
        r = log_in(Client(), "zhang", DEMO_PASSWORD, "10.0.0.9")
        assert r.status_code == 429 and r["Retry-After"] == str(15 * 60)
        body = r.content.decode()
        assert "登录失败次数过多" in body and "请 15 分钟后再试" in body
        assert "_auth_user_id" not in Client().session
        history = actions_of(zhang)
        assert history.count("org.login_failed") >= 5 and "org.lockout" in history
        assert "org.login" not in history
        assert "wrong-password" not in "".join(
            LedgerEntry.objects.values_list("canonical", flat=True)
        )
        clock.shift(dt.timedelta(minutes=14))
        assert log_in(Client(), "zhang", DEMO_PASSWORD, "10.0.0.9").status_code == 429
        clock.shift(dt.timedelta(minutes=16))
        r = log_in(Client(), "zhang", DEMO_PASSWORD, "10.0.0.9")
        assert r.status_code == 302 and actions_of(zhang)[-1] == "org.login"


def test_it_locks_an_address_out_that_tries_many_accounts(personas):
    with time_machine.travel(START, tick=False):
        for who in ["zhang", "li", "wang", "zhao", "chen"]:
            log_in(Client(), who, "wrong-password", "10.9.9.9")
        r = log_in(Client(), "sun", DEMO_PASSWORD, "10.9.9.9")
        assert r.status_code == 429
        # Another address is not locked, and sun's account is not.
        assert log_in(Client(), "sun", DEMO_PASSWORD, "10.1.1.1").status_code == 302


def test_it_ends_an_idle_session_after_thirty_minutes(personas):
    with time_machine.travel(START, tick=False) as clock:
        zhang = client_for("zhang")
        clock.shift(dt.timedelta(minutes=29))
        assert zhang.get("/org/me/token/").status_code == 200
        clock.shift(dt.timedelta(minutes=29))  # 58 minutes after login, 29 after the last request
        assert zhang.get("/org/me/token/").status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        r = zhang.get("/org/me/token/")
        assert r.status_code == 302 and r["Location"].startswith("/login/")
        assert zhang.get("/api/worklist/").status_code in (401, 403)


def test_it_answers_an_expired_api_session_with_json(personas):
    with time_machine.travel(START, tick=False) as clock:
        zhang = client_for("zhang")
        clock.shift(dt.timedelta(minutes=31))
        r = zhang.get("/api/worklist/")
        assert r.status_code == 401 and r.json()["code"] == "session_expired"
        assert "30 分钟" in r.json()["message"]


def test_it_ends_a_busy_session_twelve_hours_after_the_login(personas):
    with time_machine.travel(START, tick=False) as clock:
        zhang = client_for("zhang")
        for _ in range(35):  # a request every 20 minutes: never idle
            clock.shift(dt.timedelta(minutes=20))
            assert zhang.get("/org/me/token/").status_code == 200
        clock.shift(dt.timedelta(minutes=20))  # 12 h 0 min since the login
        assert zhang.get("/org/me/token/").status_code == 200
        clock.shift(dt.timedelta(minutes=1))
        r = zhang.get("/org/me/token/")
        assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_it_asks_for_the_password_again_before_changing_an_account(personas):
    li = personas["li"]
    with time_machine.travel(START, tick=False) as clock:
        admin = client_for("admin")
        clock.shift(dt.timedelta(minutes=11))
        before = org_state()
        page = f"/org/officers/{li.pk}/"
        r = admin.post(f"{page}deactivate/", {"reason": "调离"}, HTTP_REFERER=page)
        assert r.status_code == 302 and r["Location"].startswith("/reauth/")
        assert org_state() == before
        r = admin.post(f"/api/officers/{li.pk}/deactivate/", {"reason": "调离"}, "application/json")
        assert r.status_code == 403 and r.json()["code"] == "reauth_required"
        assert org_state() == before
        # A wrong password is refused; the right one sends the officer back to the form.
        r = admin.post("/reauth/", {"password": "wrong-password", "next": page})
        assert r.status_code == 400 and "密码不正确" in r.content.decode()
        r = admin.post("/reauth/", {"password": DEMO_PASSWORD, "next": page})
        assert r.status_code == 302 and r["Location"] == page
        r = admin.post(f"{page}deactivate/", {"reason": "调离"})
        assert r.status_code == 302 and r["Location"] == page
        assert last_entry(li)["action"] == "org.officer_deactivate"


def test_it_refuses_to_send_reauth_elsewhere(personas):
    r = client_for("admin").post(
        "/reauth/", {"password": DEMO_PASSWORD, "next": "https://evil.example/"}
    )
    assert r.status_code == 302 and r["Location"] == "/"


def test_it_refuses_the_demo_password_outside_the_demo(settings, personas):
    settings.TESTING = settings.DEMO = False
    with pytest.raises(ValidationError, match="演示密码"):
        validate_password(DEMO_PASSWORD)
    settings.DEMO = True
    validate_password(DEMO_PASSWORD)


def test_it_refuses_short_passwords(personas):
    with pytest.raises(ValidationError):
        validate_password("short-1")


def test_it_keeps_the_clock_of_the_session_in_agency_time(personas):
    # The stamps are absolute moments: a login just before midnight Beijing time is not idle
    # because the date changed.
    moment = timezone.make_aware(dt.datetime(2026, 12, 1, 23, 50))
    with time_machine.travel(moment, tick=False) as clock:
        zhang = client_for("zhang")
        clock.shift(dt.timedelta(minutes=20))
        assert zhang.get("/org/me/token/").status_code == 200
