"""The demo's archive step (issue 12 item 9): cases 1 and 2 archived by 刘档案 and 王审核 with their
packages; case 3 closed and waiting on 刘档案's worklist; the oversight step still runs after it;
once only; the ledger intact."""

from __future__ import annotations

from typing import Any

from casetrail.archive.models import CaseFile, FileStatus, Package
from casetrail.cases.models import Case, Stage
from casetrail.conftest import client_for
from casetrail.demo.archive import archive_demo_cases
from casetrail.demo.documents import issue_demo_documents
from casetrail.demo.oversight import load_oversight
from casetrail.demo.stories import load_demo_cases
from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.verify import verify


def test_it_archives_two_demo_cases_and_leaves_the_third_waiting(
    personas: Any, evidence_store: Any
) -> None:
    titles = [c.title for c in load_demo_cases(personas)]
    cases = list(Case.objects.filter(title__in=titles).order_by("id"))
    issue_demo_documents(personas, cases)

    line = archive_demo_cases(personas, cases)

    stages = [Case.objects.get(pk=c.pk).stage for c in cases]
    assert stages == [Stage.ARCHIVED, Stage.ARCHIVED, Stage.CLOSED], line
    archived = CaseFile.objects.filter(status=FileStatus.ARCHIVED)
    assert {f.case_id for f in archived} == {cases[0].pk, cases[1].pk}
    assert {f.checked_by.user.username for f in archived} == {"wang"}
    assert Package.objects.count() == 2
    waiting = client_for("liu").get("/api/worklist/").json()["archive"]
    assert [w["case"] for w in waiting] == [cases[2].pk]
    entries = LedgerEntry.objects.count()
    archive_demo_cases(personas, cases)
    assert LedgerEntry.objects.count() == entries  # once only
    assert "公示决定" in load_oversight(personas, cases)
    assert verify().intact
