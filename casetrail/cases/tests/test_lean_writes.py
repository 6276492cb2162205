"""The lean statements of the action path (issue 18) read and write exactly what the ORM would."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casetrail.cases.models import Case
from casetrail.cases.writes import CaseInput, PartyInput, locked, require_assigned
from casetrail.ledger.models import LedgerEntry
from casetrail.lib.errors import ActionError
from casetrail.lib.facts import fact_of
from casetrail.lib.ledgered import current_action
from casetrail.org.models import Officer
from casetrail.records.models import Record
from casetrail.start import actions


def test_it_loads_the_locked_case_as_the_orm_does(open_case: Case) -> None:
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            case = locked(open_case)
            # The agency and unit come with the case: no further query.
            names = (case.agency.name, case.unit.name)
        orm = Case.objects.select_related("agency", "unit").get(pk=open_case.pk)
    assert len(queries.captured_queries) == 1
    if connection.vendor == "postgresql":
        assert "FOR NO KEY UPDATE" in queries.captured_queries[0]["sql"]
    assert fact_of(case) == fact_of(orm)
    assert names == (orm.agency.name, orm.unit.name)
    assert fact_of(case.agency) == fact_of(orm.agency) and fact_of(case.unit) == fact_of(orm.unit)
    assert case.created_at == orm.created_at and case._state.adding is False


def test_it_refuses_a_missing_case_and_an_officer_not_assigned(
    open_case: Case, personas: dict[str, Officer]
) -> None:
    with transaction.atomic():
        with pytest.raises(Case.DoesNotExist):
            locked(Case(pk=10**9))
        require_assigned(open_case, personas["zhang"])
        with pytest.raises(ActionError) as refused:
            require_assigned(open_case, personas["sun"])
    assert refused.value.code == "not_assigned"


def test_it_stores_zhangs_record_as_the_orm_reads_it_back(personas: dict[str, Officer]) -> None:
    zhang, li = personas["zhang"], personas["li"]
    case = actions.case_register_application(
        officer=zhang,
        data=CaseInput(unit=zhang.unit, title="申请", category="other", officers=[zhang, li]),
        applicant=PartyInput(kind="person", name="周某"),
        received_at=timezone.now(),
        matter="事项",
        materials=["申请书"],
    )
    record = actions.application_supplement_received(
        case=case,
        officer=zhang,
        fields={"received_at": timezone.now(), "items": ["补正材料：营业执照复印件"]},
    )
    assert current_action() is None
    stored = Record.objects.get(pk=record.pk)
    assert fact_of(stored) == fact_of(record)
    # The ledger entry holds exactly the stored row.
    entry = LedgerEntry.objects.filter(subject=f"case:{case.pk}").order_by("seq").last()
    assert entry is not None and entry.entry["payload"]["rows"] == [fact_of(stored)]
