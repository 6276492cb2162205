"""Cases ready for the decision on them, and an API client per persona."""

from __future__ import annotations

from typing import Any

import pytest

from casetrail.approvals.models import Step
from casetrail.compliance.tests.builders import advance, make
from casetrail.conftest import approve_start, client_for, film, start_ex_officio
from casetrail.decisions.tests.builders import notify
from casetrail.ledger.models import LedgerEntry
from casetrail.records.models import Record


def ready(case: Any, personas: dict[str, Any], **notice: Any) -> Any:
    """From 调查取证: the 事先告知 served and waived (by default), the case in 审查决定 with its
    investigation report — ready for the handler to propose the decision."""
    notify(case, personas, **notice)
    advance(case, personas, "decision")
    make(case, personas, "investigation_final_report")
    return case


@pytest.fixture
def deciding_case(open_case, personas, evidence_store):
    return ready(open_case, personas)


@pytest.fixture
def major_case(personas, evidence_store):
    """A 重大 case in 审查决定 with audio/video of its start, its investigation and the stage it is
    in (第五条, R5) — each clip filmed in its own stage, so R5 never depends on how fast the test
    runs (a one-second clip of the investigation overlaps 审查决定 only if entered within it)."""
    case = start_ex_officio(personas, is_major=True)
    film(case, personas["zhang"], "立案前现场核查")
    approve_start(case, personas)
    film(case, personas["zhang"], "现场检查")
    ready(case, personas)
    film(case, personas["zhang"], "集体讨论过程")
    return case


def api(who: str, url: str, body: dict[str, Any] | None = None) -> Any:
    """GET (no body) or POST ``body`` as JSON to the API as ``who``."""
    c = client_for(who)
    if body is None:
        return c.get(url)
    return c.post(url, body, content_type="application/json")


def counts() -> tuple[int, int, int]:
    """Records, steps and ledger entries: what a refused action must leave as it was."""
    return Record.objects.count(), Step.objects.count(), LedgerEntry.objects.count()
