"""Cases in each stage, for the rule and deadline tests."""

from __future__ import annotations

import pytest

from casetrail.compliance.tests.builders import advance, investigated, make


@pytest.fixture
def investigating(open_case, evidence_store):
    return open_case


@pytest.fixture
def deciding(investigating, personas):
    investigated(investigating, personas)
    advance(investigating, personas, "decision")
    return investigating


@pytest.fixture
def serving(deciding, personas):
    for kind in (
        "investigation_final_report",
        "decision_approval_form",
        "leader_approval",
        "administrative_decision",
    ):
        make(
            deciding,
            personas,
            kind,
            **{
                "decision_approval_form": {"reviewer": personas["wang"].pk},
                "administrative_decision": {"penalty_amount": "500.00"},
            }.get(kind, {}),
        )
    advance(deciding, personas, "service")
    return deciding
