"""Idempotency-Key on POST (issue 10, item 18): a repeat of the same request answers the first
result instead of writing a second permanent record; another request under the same key is 422;
keys are per login and expire; the web forms send one."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
import time_machine
from django.test import RequestFactory
from django.utils import timezone

from casetrail.conftest import client_for
from casetrail.ledger.models import LedgerEntry
from casetrail.org.actions import token_issue
from casetrail.org.idempotency import delete_expired, fingerprint
from casetrail.org.models import IdempotencyKey
from casetrail.records.models import Record
from casetrail.tests.test_field_faults import record_payload

KIND = "evidence_request_notice"


@pytest.fixture
def body(open_case, personas, evidence_store) -> dict[str, Any]:
    return record_payload(open_case, personas, KIND)


def post(case: Any, body: dict[str, Any], key: str | None, user: str = "zhang", **headers: str):
    if key is not None:
        headers["Idempotency-Key"] = key
    return client_for(user).post(
        f"/api/cases/{case.pk}/records/", body, content_type="application/json", headers=headers
    )


def records() -> int:
    return Record.objects.filter(kind=KIND).count()


def test_it_answers_a_repeated_post_with_the_first_result(open_case, body):
    entries = LedgerEntry.objects.count()
    first = post(open_case, body, "k-1")
    again = post(open_case, body, "k-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert records() == 1 and LedgerEntry.objects.count() == entries + 1


def test_it_writes_twice_without_a_key(open_case, body):
    assert post(open_case, body, None).status_code == 201
    assert post(open_case, body, None).status_code == 201
    assert records() == 2


def test_it_refuses_another_request_under_the_same_key(open_case, body):
    assert post(open_case, body, "k-2").status_code == 201
    other = json.loads(json.dumps(body))
    other["fields"]["items"] = ["另一份材料"]
    r = post(open_case, other, "k-2")
    assert r.status_code == 422 and r.json()["code"] == "idempotency_key_reused"
    assert records() == 1


def test_it_keeps_keys_per_login(open_case, body, personas):
    assert post(open_case, body, "shared").status_code == 201
    r = post(open_case, body, "shared", user="li")  # 李承办 is assigned too: his own request
    assert r.status_code == 201 and "Idempotent-Replayed" not in r
    assert records() == 2


def test_it_releases_the_key_of_a_refused_request(open_case, body):
    bad = json.loads(json.dumps(body))
    bad["fields"]["due_date"] = "2026-02-30"
    assert post(open_case, bad, "k-3").status_code == 400
    assert not IdempotencyKey.objects.exists()
    assert post(open_case, body, "k-3").status_code == 201  # corrected, under the same key
    assert records() == 1


def test_it_forgets_a_key_once_it_expired(open_case, body, settings):
    settings.CASETRAIL_IDEMPOTENCY_HOURS = 24
    assert post(open_case, body, "k-4").status_code == 201
    with time_machine.travel(timezone.now() + dt.timedelta(hours=25)):
        assert delete_expired() == 1
    assert not IdempotencyKey.objects.exists()
    assert post(open_case, body, "k-4").status_code == 201
    assert records() == 2


def test_it_answers_409_while_the_first_request_still_runs(open_case, body, personas, settings):
    settings.CASETRAIL_IDEMPOTENCY_WAIT_SECONDS = 0
    request = RequestFactory().post(
        f"/api/cases/{open_case.pk}/records/", json.dumps(body), content_type="application/json"
    )
    now = timezone.now()
    IdempotencyKey.objects.create(
        user=personas["zhang"].user,
        key="k-5",
        fingerprint=fingerprint(request),
        created_at=now,
        expires_at=now + dt.timedelta(hours=1),
    )
    r = post(open_case, body, "k-5")
    assert r.status_code == 409 and r.json()["code"] == "idempotency_in_progress"
    assert r["Retry-After"] == "1" and records() == 0


@pytest.mark.parametrize("key", ["", "键", "a b", "x" * 256])
def test_it_refuses_a_key_that_is_not_visible_ascii(open_case, body, key):
    r = post(open_case, body, key)
    assert r.status_code == 400 and r.json()["code"] == "invalid_idempotency_key"
    assert records() == 0


def test_it_takes_keys_of_token_clients(open_case, body, personas):
    token = token_issue(by=personas["zhang"], officer=personas["zhang"]).key
    client = client_for(None)
    headers = {"Authorization": f"Token {token}", "Idempotency-Key": "k-6"}
    url = f"/api/cases/{open_case.pk}/records/"
    for _ in range(2):
        r = client.post(url, body, content_type="application/json", headers=headers)
        assert r.status_code == 201
    assert records() == 1 and IdempotencyKey.objects.get().user == personas["zhang"].user


def test_it_makes_one_record_of_a_double_clicked_form(open_case, personas):
    import base64

    from casetrail.compliance.tests.builders import png

    zhang = client_for("zhang")
    url = f"/cases/{open_case.pk}/records/new/{KIND}/"
    form = zhang.get(url).content.decode()
    key = re.search(r'name="idempotency_key" value="(\w+)"', form).group(1)
    now = timezone.localtime()
    image = "data:image/png;base64," + base64.b64encode(png()).decode()
    data = {
        "idempotency_key": key,
        "issued_at": now.strftime("%Y-%m-%dT%H:%M"),
        "addressee_name": "周某",
        "items": "营业执照复印件",
        "legal_basis": "《行政处罚法》第五十五条",
        "due_date": (now + dt.timedelta(days=7)).date().isoformat(),
        "place": "陵川县民政局",
        **{
            f"sig_{slot}_{part}": value
            for slot in ("officers", "other")
            for part, value in (("name", "张承办"), ("method", "drawn"), ("image", image))
        },
    }
    first = zhang.post(url, data)
    assert first.status_code == 302, first.content.decode()[:3000]
    second = zhang.post(url, data)  # the second click of a double-click
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert second["Idempotent-Replayed"] == "true" and records() == 1
    assert 'name="idempotency_key"' in zhang.get(f"/cases/{open_case.pk}/").content.decode()
