"""Cases in each stage for the decision tests (built through the actions, with the compliance
test builders)."""

from __future__ import annotations

from typing import Any

import pytest

from casetrail.cases.models import Case
from casetrail.compliance.tests.builders import advance, make


@pytest.fixture
def investigating(open_case: Case, evidence_store: Any) -> Case:
    return open_case


@pytest.fixture
def deciding(investigating: Case, personas: dict[str, Any]) -> Case:
    advance(investigating, personas, "decision")
    return investigating


@pytest.fixture
def serving(deciding: Case, personas: dict[str, Any]) -> Case:
    for kind, extra in (
        ("investigation_final_report", {}),
        ("decision_approval_form", {"reviewer": personas["wang"].pk}),
        ("leader_approval", {}),
        ("administrative_decision", {"penalty_amount": "500.00"}),
    ):
        make(deciding, personas, kind, **extra)
    advance(deciding, personas, "service")
    return deciding


@pytest.fixture
def decision(serving: Case) -> Any:
    return serving.records.get(kind="administrative_decision")
