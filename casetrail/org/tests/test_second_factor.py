"""TOTP second factor (issue 15; 等保 2.0 身份鉴别): an approver binds an authenticator app, every
later login asks for its code after the password (pages and API wait for it), a code works once,
wrong codes are ledgered failures; the administrator unbinds a lost phone; a role can be made to
require it. On a frozen clock: RFC 6238 codes are computed here from the bound key."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from casetrail.conftest import client_for
from casetrail.demo.personas import DEMO_PASSWORD
from casetrail.ledger.models import LedgerEntry
from casetrail.org.second_factor import ENROL_SECRET
from casetrail.org.tests.conftest import last_entry

START = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def code(secret_hex: str, at: dt.datetime) -> str:
    totp = TOTP(bytes.fromhex(secret_hex))
    totp.time = at.timestamp()
    return f"{totp.token():06d}"


def bind(client: Client, at: dt.datetime) -> str:
    """Bind an authenticator for the client's officer; returns the key (hex)."""
    page = client.get("/org/me/totp/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    secret = client.session[ENROL_SECRET]
    r = client.post("/org/me/totp/", {"do": "enable", "code": code(secret, at)})
    assert r.status_code == 302
    return str(secret)


def log_in(username: str, address: str = "10.0.0.5") -> Client:
    client = Client(REMOTE_ADDR=address)
    r = client.post("/login/", {"username": username, "password": DEMO_PASSWORD})
    assert r.status_code == 302
    return client


def test_it_asks_for_the_code_after_the_password_once_an_authenticator_is_bound(personas):
    zhao = personas["zhao"]
    with time_machine.travel(START, tick=False) as clock:
        secret = bind(client_for("zhao"), START)
        entry = last_entry(zhao)
        assert entry["action"] == "org.totp_enable"
        assert secret not in str(entry) and "key" not in entry["payload"]
        device = TOTPDevice.objects.get(user=zhao.user)
        assert device.confirmed and device.key == secret

        clock.shift(dt.timedelta(minutes=1))
        client = log_in("zhao")
        assert "org.login" not in [last_entry(zhao)["action"]]  # not logged in yet
        r = client.get("/cases/")
        assert r.status_code == 302 and r["Location"].startswith("/login/otp/")
        r = client.get("/api/worklist/")
        assert r.status_code == 401 and r.json()["code"] == "otp_required"

        wrong = client.post("/login/otp/", {"code": "000000", "next": "/cases/"})
        assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
        failed = last_entry(zhao)
        assert failed["action"] == "org.login_failed" and failed["payload"]["factor"] == "totp"
        assert client.get("/cases/").status_code == 302  # still pending

        clock.shift(dt.timedelta(seconds=5))  # django-otp slows the try after a failure
        now = START + dt.timedelta(minutes=1, seconds=5)
        r = client.post("/login/otp/", {"code": code(secret, now), "next": "/cases/"})
        assert r.status_code == 302 and r["Location"] == "/cases/"
        login = last_entry(zhao)
        assert login["action"] == "org.login" and login["payload"]["via"] == "web+totp"
        assert client.get("/cases/").status_code == 200
        assert client.get("/api/worklist/").status_code == 200

        # A code works once: the same code on another login is refused.
        other = log_in("zhao", "10.0.0.6")
        again = other.post("/login/otp/", {"code": code(secret, now)})
        assert again.status_code == 400
        assert other.get("/cases/").status_code == 302


def test_it_refuses_a_wrong_binding_code_and_offers_binding_only_to_those_who_decide(personas):
    before = (TOTPDevice.objects.count(), LedgerEntry.objects.count())
    with time_machine.travel(START, tick=False):
        wang = client_for("wang")
        wang.get("/org/me/totp/")
        r = wang.post("/org/me/totp/", {"do": "enable", "code": "123"})
        assert r.status_code == 400 and "6 位" in r.content.decode()
        secret = wang.session[ENROL_SECRET]
        stale = code(secret, START - dt.timedelta(minutes=5))
        r = wang.post("/org/me/totp/", {"do": "enable", "code": stale})
        assert r.status_code == 400 and "验证码不正确" in r.content.decode()
        assert (TOTPDevice.objects.count(), LedgerEntry.objects.count()) == before
        for who, status in [("zhang", 403), ("liu", 403), ("sun", 403), ("admin", 200)]:
            assert client_for(who).get("/org/me/totp/").status_code == status, who
        assert "双因素认证" in client_for("chen").get("/").content.decode()
        assert "双因素认证" not in client_for("zhang").get("/").content.decode()


def test_it_lets_the_administrator_unbind_a_lost_phone(personas, other_admin):
    zhao = personas["zhao"]
    with time_machine.travel(START, tick=False):
        bind(client_for("zhao"), START)
        page = f"/org/officers/{zhao.pk}/"
        assert "解除验证器绑定" in client_for("admin").get(page).content.decode()
        # Another agency's administrator does not find him; a reason is required.
        assert client_for("gao").post(f"{page}totp-reset/", {"reason": "丢失"}).status_code == 404
        assert client_for("admin").post(f"{page}totp-reset/", {"reason": ""}).status_code == 400
        assert TOTPDevice.objects.filter(user=zhao.user).exists()
        r = client_for("admin").post(f"{page}totp-reset/", {"reason": "手机丢失"})
        assert r.status_code == 302
        assert not TOTPDevice.objects.filter(user=zhao.user).exists()
        entry = last_entry(zhao)
        assert entry["action"] == "org.totp_disable"
        assert entry["actor"]["id"] == personas["admin"].pk
        assert entry["payload"]["reason"] == "手机丢失"
        # The next login asks for the password only.
        assert log_in("zhao").get("/cases/").status_code == 200


def test_it_unbinds_one_s_own_authenticator_with_a_reason(personas):
    with time_machine.travel(START, tick=False):
        zhao = client_for("zhao")
        bind(zhao, START)
        assert "已启用" in zhao.get("/org/me/totp/").content.decode()
        r = zhao.post("/org/me/totp/", {"do": "disable", "reason": "更换手机"})
        assert r.status_code == 302
        assert not TOTPDevice.objects.filter(user=personas["zhao"].user).exists()
        assert last_entry(personas["zhao"])["action"] == "org.totp_disable"


@pytest.mark.parametrize("path", ["/cases/", "/api/worklist/"])
def test_it_makes_a_required_role_bind_an_authenticator_first(settings, personas, path):
    settings.CASETRAIL_TOTP_REQUIRED_ROLES = ["approver"]
    r = client_for("zhao").get(path)
    if path.startswith("/api/"):
        assert r.status_code == 403 and r.json()["code"] == "totp_required"
    else:
        assert r.status_code == 302 and r["Location"] == "/org/me/totp/"
    assert client_for("zhao").get("/org/me/totp/").status_code == 200
    assert client_for("zhang").get(path).status_code == 200  # a handler is not asked
