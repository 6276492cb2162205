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


def archived_case(personas: dict[str, Officer], *, package: bool = True) -> Any:
    """A case taken through 立卷, 四性检测, 归档审批 and (``package``) packaged; returns its
    archived 案卷."""
    from casetrail.archive import actions, service

    case = closed_case(personas)
    liu = personas["liu"]
    f = actions.archive_assemble(case=case, officer=liu)
    assert service.check(case_file=f, officer=liu).passed
    actions.archive_submit(case_file=f, officer=liu, opinion="提请归档")
    approve_archiving(case, personas)
    f.refresh_from_db()
    if package:
        service.package(case_file=f, officer=liu)
    return f
