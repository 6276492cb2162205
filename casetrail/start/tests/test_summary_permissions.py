"""Permission matrix of the summary procedure (anonymous / outsider / another agency / each role):
who may decide on the spot (handlers of the agency), and who may file a summary case (its own
handlers). Another agency's case is 404; a refusal writes nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from casetrail.cases.models import Case
from casetrail.cases.tests.test_permissions import PEOPLE, client, row
from casetrail.demo.personas import DEMO_PASSWORD
from casetrail.ledger.models import LedgerEntry
from casetrail.records.models import Record
from casetrail.start.tests.summary_builders import body, on_the_spot


@pytest.fixture
def world(personas, other_agency, evidence_store):
    get_user_model().objects.create_user(username="outsider", password=DEMO_PASSWORD)
    return {"case": on_the_spot(personas)}  # zhang and li, in 送达执行, not yet filed


def written() -> tuple[int, int, int]:
    return Case.objects.count(), Record.objects.count(), LedgerEntry.objects.count()


# The other agency's handler reaches validation: 陵川县民政局's unit and officers are not theirs.
START = row(403, anon=401, other=400, zhang=201, li=201)


@pytest.mark.parametrize("who", PEOPLE)
def test_it_lets_only_the_agencys_handlers_decide_on_the_spot(world, personas, who):
    before = written()
    r = client(who).post("/api/cases/on-the-spot/", body(personas), content_type="application/json")
    expected = START[PEOPLE.index(who)]
    assert r.status_code == expected, r.content
    if expected == 201:
        assert Case.objects.get(pk=r.json()["id"]).start_mode == "on_the_spot"
    else:
        assert set(r.json()) >= {"code", "message"} and written() == before


FILING_PAGE = row(404, anon=302, outsider=403, zhang=200, li=200, sun=403)
FILING = row(404, anon=401, outsider=403, zhang=201, li=201, sun=403)


@pytest.mark.parametrize("who", PEOPLE)
def test_it_lets_only_the_cases_handlers_file_it(world, who):
    case = world["case"]
    decision = case.records.get(kind="administrative_decision")
    path = f"/cases/{case.pk}/summary-filing/"
    assert client(who).get(path).status_code == FILING_PAGE[PEOPLE.index(who)]
    before = written()
    r = client(who).post(
        f"/api/cases/{case.pk}/summary-filing/",
        {
            "fields": {
                "filed_at": decision.fields["decided_at"],
                "filed_with": "陵川县民政局法制股",
                "decision": decision.pk,
                "contents": ["当场行政处罚决定书"],
            }
        },
        content_type="application/json",
    )
    expected = FILING[PEOPLE.index(who)]
    assert r.status_code == expected, r.content
    if expected != 201:
        assert set(r.json()) >= {"code", "message"} and written() == before
    assert case.records.filter(kind="summary_filing_record").count() == (expected == 201)
