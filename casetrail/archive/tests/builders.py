"""A closed case to archive, built the way the demo builds its first case (简易程序警告, served
directly, one photo), with its served documents issued."""

from __future__ import annotations

from typing import Any

from casetrail.cases.models import Case
from casetrail.demo import summary_warning
from casetrail.demo.documents import issue_demo_documents
from casetrail.demo.stories import _device
from casetrail.demo.story import Story
from casetrail.org.models import Officer


def closed_case(personas: dict[str, Officer], *, issue: bool = True) -> Case:
    device = _device(personas)
    case = summary_warning.build(Story(personas, device, summary_warning.TITLE))
    if issue:
        issued, refused = issue_demo_documents(personas, [case])
        assert issued and not refused, refused
    case.refresh_from_db()
    return case


def approve_archiving(case: Case, personas: dict[str, Officer], outcome: str = "approve") -> Any:
    from casetrail.approvals.actions import approval_decide
    from casetrail.archive.selectors import current_file_of

    f = current_file_of(case)
    assert f is not None and f.chain is not None
    return approval_decide(
        chain=f.chain, officer=personas["wang"], outcome=outcome, opinion="案卷完整，同意归档"
    )
