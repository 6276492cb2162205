"""Cases in each stage, for the rule and deadline tests."""

from __future__ import annotations

import pytest

from casetrail.compliance.tests.builders import advance, investigated


@pytest.fixture
def investigating(open_case, evidence_store):
    return open_case


@pytest.fixture
def deciding(investigating, personas):
    investigated(investigating, personas)
    advance(investigating, personas, "decision")
    return investigating


@pytest.fixture
def serving(investigating, personas):
    """A case in 送达执行: investigated (R12), 事先告知 served and waived, the decision approved
    through its chain, the 行政执法决定书 with a fine of 500 yuan made."""
    from casetrail.decisions.tests.builders import to_service

    return to_service(investigating, personas)
