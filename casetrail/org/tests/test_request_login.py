"""A request's login (issue 18 items 5–6): the session's user, its officer and its roles read in
one query and never kept past the request; password hashes made with Argon2id, an older PBKDF2
hash upgraded at the next login."""

from __future__ import annotations

from axes.models import AccessAttempt
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from casetrail.conftest import client_for
from casetrail.demo.personas import DEMO_PASSWORD
from casetrail.org.actions import officer_roles_change
from casetrail.org.models import Role
from casetrail.org.passwords import Argon2idHasher

PRODUCTION_HASHERS = [
    "casetrail.org.passwords.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


def log_in(client: Client, username: str, password: str):
    return client.post("/login/", {"username": username, "password": password})


def stored_hash(username: str) -> str:
    return User.objects.get(username=username).password


def test_it_upgrades_an_old_pbkdf2_hash_to_argon2id_at_the_next_login(settings, personas):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    # A hash as the PBKDF2-only settings stored it (fewer rounds here: the test's time, not the
    # format, differs).
    old = PBKDF2PasswordHasher().encode(DEMO_PASSWORD, "oldsalt1234567890", iterations=1000)
    User.objects.filter(username="zhang").update(password=old)

    r = log_in(Client(), "zhang", "wrong-password")
    assert r.status_code == 200 and "_auth_user_id" not in r.client.session
    attempt = AccessAttempt.objects.get(username="zhang")
    assert attempt.failures_since_start == 1
    assert stored_hash("zhang") == old  # a wrong password upgrades nothing

    r = log_in(Client(), "zhang", DEMO_PASSWORD)
    assert r.status_code == 302
    upgraded = stored_hash("zhang")
    hasher = Argon2idHasher()
    assert upgraded.startswith("argon2$argon2id$")
    assert f"m={hasher.memory_cost},t={hasher.time_cost},p={hasher.parallelism}" in upgraded
    assert hasher.verify(DEMO_PASSWORD, upgraded)
    # The new hash lets the next login in as the old one did.
    assert log_in(Client(), "zhang", DEMO_PASSWORD).status_code == 302
    assert stored_hash("zhang") == upgraded


def test_it_reads_the_login_its_officer_and_its_roles_in_one_query(personas):
    admin = client_for("admin")
    with CaptureQueriesContext(connection) as queries:
        assert admin.get("/org/officers/").status_code == 200
    sqls = [q["sql"] for q in queries.captured_queries]
    # The page needs the officer (its agency's list) and its roles (管理员 only): both came with
    # the login's one read, none on their own.
    login_reads = [sql for sql in sqls if 'FROM "auth_user"' in sql]
    assert len(login_reads) == 1 and "org_officerrole" in login_reads[0]
    assert not [sql for sql in sqls if 'WHERE "org_officer"."user_id" =' in sql]
    assert not [sql for sql in sqls if sql.startswith('SELECT "org_officerrole"."role" FROM')]


def test_it_takes_a_revoked_role_away_on_the_next_request(personas):
    officer_roles_change(by=personas["admin"], officer=personas["li"], add=[Role.ADMIN])
    li = client_for("li")
    assert li.get("/org/officers/").status_code == 200
    officer_roles_change(
        by=personas["admin"], officer=personas["li"], remove=[Role.ADMIN], reason="调岗"
    )
    assert li.get("/org/officers/").status_code == 403


def test_it_ends_a_session_of_a_deactivated_login_on_the_next_request(personas):
    zhang = client_for("zhang")
    assert zhang.get("/cases/").status_code == 200
    User.objects.filter(username="zhang").update(is_active=False)
    r = zhang.get("/cases/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")
