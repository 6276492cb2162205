"""A case carried to 送达执行 with its 行政执法决定书 approved and made, the agency's 文号 patterns
set by its administrator, and the seal keys under a throw-away folder."""

from __future__ import annotations

from typing import Any

import pytest

from casetrail.decisions.tests.builders import to_service
from casetrail.documents.actions import document_pattern_set
from casetrail.documents.fonts import faces
from casetrail.documents.tests.builders import stand_in_pages
from casetrail.records.models import Record

PATTERNS = {
    "decision": "陵民罚决〔{year}〕{n}号",
    "notice": "陵民罚告〔{year}〕{n}号",
    "demand": "陵民催〔{year}〕{n}号",
}


@pytest.fixture(autouse=True)
def _seal_keys(settings: Any, tmp_path_factory: Any) -> None:
    settings.CASETRAIL_SEAL_KEY_DIR = tmp_path_factory.getbasetemp() / "seal-keys"
    settings.CASETRAIL_DOCUMENT_TSA_URL = ""
    settings.CASETRAIL_TSA_URL = ""


def set_patterns(personas: dict[str, Any]) -> None:
    for family, pattern in PATTERNS.items():
        document_pattern_set(officer=personas["admin"], family=family, pattern=pattern)


@pytest.fixture
def quick(monkeypatch: Any) -> None:
    """Numbering is what is tested: the pages and the seal are stood in for."""
    stand_in_pages(monkeypatch)


@pytest.fixture
def patterns(personas: dict[str, Any]) -> None:
    set_patterns(personas)


@pytest.fixture
def served_case(
    open_case: Any, personas: dict[str, Any], evidence_store: Any, patterns: None
) -> Any:
    return to_service(open_case, personas)


@pytest.fixture
def decision(served_case: Any) -> Record:
    return served_case.records.get(kind="administrative_decision")


def font_installed() -> bool:
    try:
        faces()
    except Exception:
        return False
    return True


@pytest.fixture
def start_form(open_case: Any, evidence_store: Any) -> Record:
    """The approved 程序启动审批表 of an open case: a document of the generic layout, no 文号."""
    return open_case.records.get(kind="start_approval_form")
