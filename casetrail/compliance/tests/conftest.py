"""Cases in each stage, for the rule and deadline tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from casetrail.cases.models import Case
from casetrail.compliance.tests.builders import advance, investigated
from casetrail.conftest import approve_start, film, start_ex_officio


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


@pytest.fixture
def later(time_machine: Any) -> Any:
    """Move the clock a minute on: a clip made now lies in the current stage alone, not also in
    the one that ended a moment ago (a clip over a stage change counts for both)."""

    def step() -> None:
        time_machine.move_to(timezone.now() + dt.timedelta(minutes=1))

    return step


@pytest.fixture
def major(personas: Any, later: Any, evidence_store: Any) -> Case:
    """A 重大 case opened after its start stage was filmed."""
    case = start_ex_officio(personas, is_major=True)
    later()
    film(case, personas["zhang"], "立案前现场初步核查")
    later()
    case = approve_start(case, personas)
    later()
    return case
