"""Cases in each stage for the tests of the other internal decisions, built through the actions
with the shared test builders (the way a case reaches 送达执行 is the records tests' ``to_service``,
so it follows the decision flow wherever that is defined)."""

from __future__ import annotations

from typing import Any

import pytest

from casetrail.cases.models import Case
from casetrail.compliance.tests.builders import advance, investigated
from casetrail.records.tests.conftest import to_service


@pytest.fixture
def investigating(open_case: Case, evidence_store: Any) -> Case:
    return open_case


@pytest.fixture
def deciding(investigating: Case, personas: dict[str, Any]) -> Case:
    investigated(investigating, personas)
    advance(investigating, personas, "decision")
    return investigating


@pytest.fixture
def serving(investigating: Case, personas: dict[str, Any]) -> Case:
    return to_service(investigating, personas)


@pytest.fixture
def decision(serving: Case) -> Any:
    return serving.records.get(kind="administrative_decision")
