"""The supervisor's worklist counts the open findings of each kind only to the worklist's cap
(「超过 100」, as the other sections): at 10^5 cases an agency held 159,557 findings and counting
them all was most of 孙监督's worklist (issue 18)."""

from __future__ import annotations

from typing import Any

import pytest

from casetrail.conftest import client_for
from casetrail.lib.paging import WORKLIST_COUNT_CAP
from casetrail.oversight.actions import FINDINGS_PER_ENTRY, findings_raise
from casetrail.oversight.kinds import Raised
from casetrail.oversight.worklist import open_by_kind


def _raise(agency: Any, kind: str, n: int) -> None:
    found = [(kind, Raised(subject=f"{kind}:{i}", details=f"测试 {i}")) for i in range(n)]
    for start in range(0, n, FINDINGS_PER_ENTRY):
        findings_raise(agency=agency, found=found[start : start + FINDINGS_PER_ENTRY])


@pytest.mark.django_db
def test_it_counts_each_kind_of_open_finding_to_the_cap(personas: Any) -> None:
    agency = personas["sun"].agency
    _raise(agency, "lockout_burst", WORKLIST_COUNT_CAP + 5)
    _raise(agency, "verify_failed", 2)
    assert open_by_kind(agency.pk, WORKLIST_COUNT_CAP) == [
        ("lockout_burst", WORKLIST_COUNT_CAP + 1),
        ("verify_failed", 2),
    ]
    assert open_by_kind(agency.pk, 1) == [("lockout_burst", 2), ("verify_failed", 2)]

    page = client_for("sun").get("/").content.decode()
    assert f'<span class="tag warn">超过 {WORKLIST_COUNT_CAP}</span>' in page
    assert '<span class="tag warn">2</span>' in page
    api = client_for("sun").get("/api/worklist/").json()["oversight"]["open_findings"]
    assert [(k["kind"], k["count"]) for k in api] == [
        ("lockout_burst", WORKLIST_COUNT_CAP + 1),
        ("verify_failed", 2),
    ]
    assert client_for("zhang").get("/api/worklist/").json()["oversight"] is None
