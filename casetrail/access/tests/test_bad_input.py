"""Bad input to the copy API answers 400 with a stable code in JSON and writes nothing — never an
HTML page, never a server error."""

from __future__ import annotations

import base64

import pytest

from casetrail.access.tests.conftest import AGENT, AGENT_LETTER, approved, items_for
from casetrail.access.tests.test_refusals import counts
from casetrail.conftest import client_for

REGISTER_BODIES = [
    {"items": ["x"]},
    {"items": [{"kind": "record", "id": "abc"}]},
    {"items": [{"kind": "photo", "id": 1}]},
    {"items": [{"kind": "record", "id": -1}]},
    {"fields": {"requester_kind": 5, "requester": ["a"]}},
    {"fields": {**AGENT, "requester_kind": "friend"}},
    {"fields": {**AGENT, "purpose": ""}},
    {"opinion": ""},
    {"authority_base64": "not base64!"},
    {"authority_type": "text/html"},
    {"items": "everything"},
]


@pytest.mark.parametrize("change", REGISTER_BODIES)
def test_it_answers_bad_registrations_in_json(copy_case, personas, change):
    body = {
        "fields": AGENT,
        "items": items_for(copy_case),
        "opinion": "建议同意",
        "authority_base64": base64.b64encode(AGENT_LETTER).decode(),
        "authority_type": "application/pdf",
        **change,
    }
    before = counts()
    r = client_for("zhang").post(
        f"/api/cases/{copy_case.pk}/copy-requests/", body, content_type="application/json"
    )
    assert r.status_code == 400, r.content[:300]
    assert r["Content-Type"].startswith("application/json") and r.json()["code"]
    assert counts() == before


def test_it_answers_bad_redactions_decisions_and_packages_in_json(copy_case, personas):
    from casetrail.documents.models import IssuedDocument

    document = IssuedDocument.objects.get(case=copy_case)
    copy = approved(
        copy_case, personas, [{"kind": "document", "id": document.pk, "proposed": "redacted"}]
    )
    (item,) = copy.items.all()
    zhang = client_for("zhang")
    before = counts()
    for regions in (
        None,
        "abc",
        [[1, 2]],
        {"regions": "x"},
        [{"page": 0, "x0": 1, "y0": 1, "x1": 2, "y1": 2}],
        [{"page": 9, "x0": 1, "y0": 1, "x1": 2, "y1": 2}],
        [{"page": 1, "x0": "nan", "y0": 1, "x1": 2, "y1": 2}],
    ):
        r = zhang.post(
            f"/api/copies/{copy.pk}/items/{item.pk}/redaction/",
            {"reason": "隐私", "regions": regions},
            content_type="application/json",
        )
        assert r.status_code == 400 and r.json()["code"], (regions, r.content[:200])
    for body in (
        {"recipient": ""},
        {"recipient": "王律师", "days": "abc"},
        {"recipient": "x", "uses": 99},
    ):
        r = zhang.post(f"/api/copies/{copy.pk}/packages/", body, content_type="application/json")
        assert r.status_code == 400 and r.json()["code"], body
    r = client_for("zhao").post(
        f"/api/copies/{copy.pk}/decisions/",
        {"decisions": [{"item": "x"}]},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["code"] == "not_awaiting_decision"
    assert counts() == before
