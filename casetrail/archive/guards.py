"""What the archive's actions and chain effects check (and the reads they share): who may act,
whether a case may be assembled, the current 案卷 version, the 四性检测 outcome, retention and
legal holds. No writes here: ``actions`` writes, ``effects`` run when a chain ends."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from casetrail.archive.assembly import Proposed
from casetrail.archive.models import (
    RETENTION_YEARS,
    CaseFile,
    CheckReport,
    FileStatus,
    ItemKind,
    LegalHold,
    Retention,
)
from casetrail.cases.models import Case, Stage
from casetrail.decisions.chains import open_chains
from casetrail.lib.errors import ActionError
from casetrail.org.models import Officer, Role

# The chain kinds of the archive and the records they decide on (catalogue.yaml).
CHAIN_KIND = "case_archiving"
PROPOSAL = "archive_approval_form"
ADDITION_KIND = "case_file_addition"
ADDITION_PROPOSAL = "case_file_addition_form"
DESTRUCTION_KIND = "archive_destruction"
DESTRUCTION_PROPOSAL = "destruction_approval_form"


def require_custodian(officer: Officer, case: Case) -> None:
    """第三十一条: designated staff (the 档案管理员) assemble and keep the files."""
    if officer.agency_id != case.agency_id or not officer.has_role(Role.CUSTODIAN):
        raise ActionError("not_custodian", "只有本机关的档案管理员可以办理立卷归档", status=403)


def check_assemblable(case: Case) -> None:
    """A 案卷 is assembled only for a closed case with no decision pending."""
    if case.stage != Stage.CLOSED:
        raise ActionError(
            "case_not_closed",
            f"只有已结案的案件可以立卷归档，本案当前为“{case.get_stage_display()}”",
        )
    pending = [c for c in open_chains(case) if c.kind != CHAIN_KIND]
    if pending:
        raise ActionError(
            "chain_open",
            "尚有审批事项未办结，不能立卷归档：" + "、".join(c.get_kind_display() for c in pending),
            details=[f"chain:{c.pk}" for c in pending],
        )


def current_file(case: Case) -> CaseFile | None:
    """The newest 案卷 version of the case that is not superseded."""
    return (
        CaseFile.objects.filter(case=case)
        .exclude(status=FileStatus.SUPERSEDED)
        .order_by("-version")
        .first()
    )


def locked_file(case_file: CaseFile) -> CaseFile:
    return (
        CaseFile.objects.select_for_update(no_key=True, of=("self", "case"))
        .select_related("case", "agency")
        .get(pk=case_file.pk)
    )


def attachment_of(i: Any) -> Proposed:
    return Proposed(
        kind=ItemKind.ATTACHMENT,
        group="other",
        blob=i.blob,
        title=i.title,
        responsible=i.responsible,
        date=i.date,
        pages=i.pages,
        reason=i.reason,
        note=i.note,
    )


def failures_of(report: CheckReport | None) -> list[str]:
    if report is None:
        return ["尚未进行四性检测"]
    return [
        f"{r.get_aspect_display()}·{r.title}：{r.target}" + (f"（{r.detail}）" if r.detail else "")
        for r in report.results.filter(passed=False)
    ]


def latest_report(case_file: CaseFile) -> CheckReport | None:
    return case_file.reports.order_by("-at", "-id").first()


def dispose_after(retention: str, archived: dt.datetime) -> dt.date | None:
    """保管期满: the end of the 年度 after the period (counted from 1 January after archiving)."""
    years = RETENTION_YEARS[Retention(retention)]
    if years is None:
        return None
    return dt.date(timezone.localdate(archived).year + years, 12, 31)


def require_hold_keeper(officer: Officer, case: Case) -> None:
    """The custodian or the supervisor places and lifts legal holds."""
    allowed = officer.has_role(Role.CUSTODIAN) or officer.has_role(Role.SUPERVISOR)
    if officer.agency_id != case.agency_id or not allowed:
        raise ActionError("not_allowed", "只有档案管理员或监督人员可以设置诉讼保全", status=403)


def active_holds(case: Case) -> list[LegalHold]:
    return list(case.legal_holds.filter(released__isnull=True).order_by("at"))


def check_destroyable(case_file: CaseFile, today: dt.date) -> None:
    """Only an archived file whose 保管期限 has run out, with no legal hold on its case."""
    if case_file.status != FileStatus.ARCHIVED:
        raise ActionError("file_not_archived", "只有已归档的案卷可以鉴定销毁")
    if case_file.dispose_after is None or case_file.dispose_after >= today:
        until = (
            "永久保存" if case_file.dispose_after is None else f"保管至 {case_file.dispose_after}"
        )
        raise ActionError("retention_not_expired", f"该案卷保管期限未满（{until}），不能销毁")
    holds = active_holds(case_file.case)
    if holds:
        raise ActionError(
            "legal_hold",
            "本案处于诉讼保全中，不能销毁："
            + "；".join(f"{h.get_kind_display()}（{h.reason}）" for h in holds),
            details=[f"hold:{h.pk}" for h in holds],
        )
