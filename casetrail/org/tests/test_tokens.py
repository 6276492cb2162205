"""API tokens stored hashed (issue 15): named, with an expiry, shown once, listed and revoked by
their owner and the agency's administrator — never issued by anyone for someone else."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client
from django.utils import timezone

from casetrail.conftest import client_for
from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.verify import verify
from casetrail.org.actions import token_issue
from casetrail.org.models import ApiToken
from casetrail.org.tests.conftest import last_entry, org_state


def post(who: str, url: str, body: dict | None = None):
    return client_for(who).post(url, body or {}, content_type="application/json")


def works(key: str) -> int:
    return Client().get("/api/worklist/", HTTP_AUTHORIZATION=f"Token {key}").status_code


def test_it_issues_a_named_token_shown_once_and_stored_hashed(personas):
    zhang = personas["zhang"]
    r = post("zhang", "/api/me/tokens/", {"name": "执法记录仪导入脚本", "days": 30})
    assert r.status_code == 201, r.content
    assert "no-store" in r["Cache-Control"]
    key = r.json()["token"]
    assert works(key) == 200
    row = ApiToken.objects.get()
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert row.name == "执法记录仪导入脚本" and row.prefix == key[:8]
    assert row.expires_at - row.created_at == dt.timedelta(days=30)
    # The key is in no table and no ledger entry; the entry names the token.
    assert not ApiToken.objects.filter(key_hash=key).exists()
    assert not LedgerEntry.objects.filter(canonical__contains=key).exists()
    assert not LedgerEntry.objects.filter(canonical__contains=row.key_hash).exists()
    entry = last_entry(zhang)
    assert entry["action"] == "org.token_issue" and entry["actor"]["id"] == zhang.pk
    assert entry["payload"]["name"] == "执法记录仪导入脚本"
    assert entry["payload"]["token"] == row.pk
    # Listed without the key.
    listed = client_for("zhang").get("/api/me/tokens/").json()
    assert [t["name"] for t in listed] == ["执法记录仪导入脚本"] and "token" not in listed[0]
    assert verify().intact, verify().findings


def test_it_keeps_several_tokens_and_revokes_one(personas):
    a = post("zhang", "/api/me/tokens/", {"name": "脚本甲"}).json()
    b = post("zhang", "/api/me/tokens/", {"name": "脚本乙"}).json()
    assert works(a["token"]) == works(b["token"]) == 200
    r = Client().delete(f"/api/me/tokens/{a['id']}/", HTTP_AUTHORIZATION=f"Token {b['token']}")
    assert r.status_code == 204
    assert works(a["token"]) == 401 and works(b["token"]) == 200
    assert last_entry(personas["zhang"])["action"] == "org.token_revoke"
    before = org_state()
    r = client_for("zhang").delete(f"/api/me/tokens/{a['id']}/")
    assert r.status_code == 400 and r.json()["code"] == "token_revoked"
    assert org_state() == before


def test_it_refuses_an_expired_token(personas):
    key = post("zhang", "/api/me/tokens/", {"name": "短期", "days": 1}).json()["token"]
    with time_machine.travel(timezone.now() + dt.timedelta(days=1, minutes=1), tick=False):
        assert works(key) == 401
    assert works(key) == 200


def test_it_never_lets_an_administrator_issue_a_token_for_someone_else(personas):
    before = org_state()
    with pytest.raises(Exception) as err:
        token_issue(by=personas["admin"], officer=personas["zhao"], name="代签")
    assert getattr(err.value, "code", None) == "not_own_token"
    assert org_state() == before


def test_it_lets_an_administrator_list_and_revoke_but_not_read_a_token(personas):
    zhang = personas["zhang"]
    key = post("zhang", "/api/me/tokens/", {"name": "导入"}).json()["token"]
    admin = client_for("admin")
    listed = admin.get(f"/api/officers/{zhang.pk}/tokens/").json()
    assert [t["name"] for t in listed] == ["导入"]
    page = admin.get(f"/org/officers/{zhang.pk}/").content.decode()
    assert "导入" in page and key not in page
    r = admin.delete(f"/api/officers/{zhang.pk}/tokens/{listed[0]['id']}/")
    assert r.status_code == 204 and works(key) == 401
    entry = last_entry(zhang)
    assert entry["action"] == "org.token_revoke" and entry["actor"]["id"] == personas["admin"].pk


def test_it_lets_an_administrator_revoke_a_token_from_the_officer_page(personas):
    zhang = personas["zhang"]
    key = post("zhang", "/api/me/tokens/", {"name": "导入"}).json()["token"]
    token = ApiToken.objects.get()
    r = client_for("admin").post(f"/org/officers/{zhang.pk}/tokens/{token.pk}/revoke/")
    assert r.status_code == 302 and works(key) == 401


def test_it_hides_another_agencys_tokens(personas, other_agency, other_admin):
    post("zhang", "/api/me/tokens/", {"name": "导入"})
    token = ApiToken.objects.get()
    zhang = personas["zhang"]
    before = org_state()
    gao = client_for("gao")
    assert gao.get(f"/api/officers/{zhang.pk}/tokens/").status_code == 404
    assert gao.delete(f"/api/officers/{zhang.pk}/tokens/{token.pk}/").status_code == 404
    assert client_for("li").delete(f"/api/me/tokens/{token.pk}/").status_code == 404
    assert org_state() == before


def test_it_shows_a_new_token_once_on_the_page(personas):
    zhang = client_for("zhang")
    r = zhang.post("/org/me/token/", {"do": "issue", "name": "导入脚本", "days": "30"})
    assert r.status_code == 200, r.content.decode()
    assert "no-store" in r["Cache-Control"]
    key = r.content.decode().split('id="token-key">')[1].split("<")[0]
    assert works(key) == 200
    again = zhang.get("/org/me/token/").content.decode()
    assert key not in again and "导入脚本" in again
    token = ApiToken.objects.get()
    r = zhang.post("/org/me/token/", {"revoke": str(token.pk)})
    assert r.status_code == 302 and works(key) == 401


def test_it_issues_lists_and_revokes_tokens_from_the_console(personas, capsys):
    call_command("token", "zhang", "--name", "采集站")
    key = capsys.readouterr().out.strip()
    assert works(key) == 200
    entry = last_entry(personas["zhang"])
    assert entry["action"] == "org.token_issue" and entry["actor"] == {"id": None, "name": "system"}
    call_command("token", "zhang", "--list")
    assert "采集站" in capsys.readouterr().out
    token = ApiToken.objects.get()
    call_command("token", "zhang", "--revoke", str(token.pk))
    assert "已撤销" in capsys.readouterr().out and works(key) == 401
    with pytest.raises(CommandError, match="已撤销"):
        call_command("token", "zhang", "--revoke", str(token.pk))
    with pytest.raises(CommandError, match="nobody"):
        call_command("token", "nobody")
    post("admin", f"/api/officers/{personas['li'].pk}/deactivate/", {"reason": "离职"})
    with pytest.raises(CommandError, match="已停用"):
        call_command("token", "li")
    assert verify().intact, verify().findings


def test_it_keeps_tokens_to_the_actions(personas):
    # The suite's guard treats them like recorded facts: writing one outside an action fails.
    with pytest.raises(AssertionError, match="org_apitoken"), transaction.atomic():
        ApiToken.objects.create(
            officer=personas["zhang"],
            name="x",
            key_hash="0" * 64,
            prefix="0",
            created_at=timezone.now(),
            expires_at=timezone.now(),
        )
