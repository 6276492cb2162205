"""The demo's archive step (issue 12): 刘档案 assembles and checks the 案卷 of the first two demo
cases, 王审核 confirms them, the package is made — so a newcomer finds archived cases and can export
their packages (`casetrail archive-export`) — while the third case stays closed on 刘档案's
worklist, its 30-day 立卷归档 deadline running.

Idempotent: a case already archived is left alone; a step refused (e.g. the documents were not
issued: CASETRAIL_DEMO_DOCUMENTS=0) is reported and the case left as it is."""

from __future__ import annotations

from casetrail.approvals.actions import approval_decide
from casetrail.archive import actions, service
from casetrail.archive.guards import failures_of
from casetrail.archive.models import FileStatus
from casetrail.archive.selectors import current_file_of
from casetrail.cases.models import Case, Stage
from casetrail.lib.errors import ActionError
from casetrail.org.models import Officer


def archive_one(personas: dict[str, Officer], case: Case) -> str:
    """立卷 → 四性检测 → 归档审批 → 归档信息包 for one closed case; returns what happened."""
    liu, wang = personas["liu"], personas["wang"]
    f = current_file_of(case)
    if f is None or f.status == FileStatus.DRAFT:
        f = f or actions.archive_assemble(case=case, officer=liu)
        report = service.check(case_file=f, officer=liu)
        if not report.passed:
            failed = "；".join(failures_of(report)[:3])
            return f"{case.label} 四性检测未通过：{failed}"
        actions.archive_submit(
            case_file=f, officer=liu, opinion="案卷已立卷并通过四性检测，提请归档"
        )
        f.refresh_from_db()
    if f.status == FileStatus.SUBMITTED and f.chain is not None:
        approval_decide(
            chain=f.chain, officer=wang, outcome="approve", opinion="案卷完整，同意归档"
        )
        f.refresh_from_db()
    if f.status == FileStatus.ARCHIVED and service.latest_package(f) is None:
        service.package(case_file=f, officer=liu)
    return f"{case.label} 已归档，档号 {f.archive_code}"


def archive_demo_cases(personas: dict[str, Officer], cases: list[Case]) -> str:
    """Archive the first two demo cases; the third waits on the custodian's worklist."""
    lines = []
    for case in cases[:2]:
        case.refresh_from_db()
        if case.stage not in (Stage.CLOSED, Stage.ARCHIVED):
            continue
        try:
            lines.append(archive_one(personas, case))
        except ActionError as err:
            lines.append(f"{case.label} 未归档：{err.message}")
    waiting = [c.label for c in cases[2:] if c.stage == Stage.CLOSED]
    if waiting:
        lines.append("待刘档案立卷归档：" + "、".join(waiting))
    return "立卷归档：" + "；".join(lines)
