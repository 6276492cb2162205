"""Reads of the archive, through the case's access function (404 when the case may not be read):
the 案卷 page, the custodian's worklist, the file's PDF and package (which print the parties'
personal data whole: the custodian, who keeps them (第三十一条), and those who may see it)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone

from casetrail.archive.models import CaseFile, CheckReport, FileStatus, FixityCheck, Package
from casetrail.cases.models import Case, Stage
from casetrail.cases.selectors import case_for_user, may_see_personal_data
from casetrail.compliance.engine import DEADLINES, CaseView, Deadline
from casetrail.compliance.models import CaseDeadline
from casetrail.compliance.stored import refresh_marked, rule_deadlines, rule_due_cases
from casetrail.lib import paging
from casetrail.lib.numbers import id_or_none
from casetrail.lib.paging import Chained
from casetrail.org.models import Officer, Role
from casetrail.org.selectors import officer_for_request


def is_custodian(officer: Officer) -> bool:
    return officer.has_role(Role.CUSTODIAN)


def current_file_of(case: Case) -> CaseFile | None:
    return (
        CaseFile.objects.filter(case=case)
        .exclude(status=FileStatus.SUPERSEDED)
        .select_related("pdf", "assembled_by", "checked_by", "chain")
        .order_by("-version")
        .first()
    )


def archive_deadline(case: Case) -> Deadline | None:
    """The case's 立卷归档 deadline (R30a, 第三十条) as the compliance registry computes it."""
    rule = DEADLINES.get("R30a")
    if rule is None:
        return None
    return next(iter(rule.compute(CaseView(case, files=False))), None)


def archive_deadlines(cases: list[Case]) -> dict[int, Deadline | None]:
    """``archive_deadline`` of many cases (case id → deadline), from the stored deadlines."""
    if "R30a" not in DEADLINES:
        return {c.pk: None for c in cases}
    return rule_deadlines(cases, "R30a")


@dataclass
class FilePage:
    case: Case
    file: CaseFile | None
    items: list[Any]
    report: CheckReport | None
    results: list[Any]
    package: Package | None
    versions: list[CaseFile]
    uses: list[Any]
    holds: list[Any]
    expired: bool
    hold_keeper: bool
    deadline: Deadline | None
    custodian: bool
    may_download: bool


def file_page(*, user: Any, case_id: int | str) -> FilePage:
    case = case_for_user(user=user, case_id=case_id)
    officer = officer_for_request(user)
    f = current_file_of(case)
    report = f.reports.order_by("-at", "-id").first() if f else None
    return FilePage(
        case=case,
        file=f,
        items=list(f.items.select_related("blob", "item").order_by("seq")) if f else [],
        report=report,
        results=list(report.results.all()) if report else [],
        package=f.packages.select_related("blob").order_by("-at", "-id").first() if f else None,
        versions=list(CaseFile.objects.filter(case=case).order_by("version")),
        uses=list(f.uses.select_related("returned", "by").order_by("at")) if f else [],
        holds=list(case.legal_holds.select_related("released", "by").order_by("at")),
        expired=bool(
            f
            and f.status == FileStatus.ARCHIVED
            and f.dispose_after
            and f.dispose_after < timezone.localdate()
        ),
        hold_keeper=officer.agency_id == case.agency_id
        and (is_custodian(officer) or officer.has_role(Role.SUPERVISOR)),
        deadline=archive_deadline(case),
        custodian=is_custodian(officer) and officer.agency_id == case.agency_id,
        may_download=may_download(officer, case),
    )


def may_download(officer: Officer, case: Case) -> bool:
    return (is_custodian(officer) and officer.agency_id == case.agency_id) or may_see_personal_data(
        officer=officer, case=case
    )


def case_file_for_user(*, user: Any, file_id: int | str, download: bool = False) -> CaseFile:
    """A 案卷 version if ``user`` may read its case (404 otherwise); ``download``: 403 unless they
    may have its PDF (custodian, or who may see the parties' personal data)."""
    pk = id_or_none(file_id)
    case_id = (
        CaseFile.objects.filter(pk=pk).values_list("case_id", flat=True).first() if pk else None
    )
    if case_id is None:
        raise Http404("案卷不存在")
    case = case_for_user(user=user, case_id=case_id)
    if download and not may_download(officer_for_request(user), case):
        raise PermissionDenied("案卷含当事人个人信息，仅档案管理员、本案承办人员和监督人员可以下载")
    f = CaseFile.objects.select_related("pdf", "case", "agency").get(pk=pk or 0)
    f.case = case
    return f


def package_for_user(*, user: Any, package_id: int | str) -> Package:
    pk = id_or_none(package_id)
    file_id = (
        Package.objects.filter(pk=pk).values_list("case_file_id", flat=True).first() if pk else None
    )
    if file_id is None:
        raise Http404("归档信息包不存在")
    case_file_for_user(user=user, file_id=file_id, download=True)
    return Package.objects.select_related("blob", "case_file").get(pk=pk or 0)


@dataclass
class Waiting:
    case: Case
    file: CaseFile | None
    deadline: Deadline | None

    @property
    def state(self) -> str:
        return self.file.get_status_display() if self.file else "未立卷"


def waiting_ids(officer: Officer) -> Chained:
    """The ids of the agency's closed cases not yet archived, earliest 立卷归档 deadline (R30a,
    第三十条) first from the stored deadline rows, then those the rule gives no deadline (closed
    without being 立案: a start refused or not taken up), oldest first — each part read through
    an index, so the worklist's first 20 and a total to 100 read about 101 ids, not every closed
    case of the agency (1,854 at 3,000 cases, issue 18). The marks of the agency's closed cases
    are refreshed first (a case closed a moment ago has no stored row yet)."""
    closed = Case.objects.filter(agency_id=officer.agency_id, stage=Stage.CLOSED)
    refresh_marked(cases=closed)
    if "R30a" not in DEADLINES:
        return Chained(Case.objects.none().values_list("pk", flat=True), _by_pk(closed))
    dated = rule_due_cases(agency_id=officer.agency_id, rule="R30a", cases=closed)
    undated = closed.exclude(
        Exists(CaseDeadline.objects.filter(case_id=OuterRef("pk"), rule="R30a", watched=True))
    )
    return Chained(dated, _by_pk(undated))


def _by_pk(cases: QuerySet[Case]) -> QuerySet[Case, int]:
    return cases.order_by("pk").values_list("pk", flat=True)


def waiting_rows(ids: list[int]) -> list[Waiting]:
    """The cases with these ids (from ``waiting_ids``) as the custodian's list shows them, in
    that order: each with its current 案卷 and its 30-day deadline, in a fixed number of
    queries."""
    by_id = {c.pk: c for c in Case.objects.filter(pk__in=ids).select_related("agency", "unit")}
    cases = [by_id[pk] for pk in ids if pk in by_id]
    files = {
        f.case_id: f
        for f in CaseFile.objects.filter(case_id__in=ids)
        .exclude(status=FileStatus.SUPERSEDED)
        .order_by("version")
    }
    deadlines = archive_deadlines(cases)
    return [Waiting(c, files.get(c.pk), deadlines[c.pk]) for c in cases]


def waiting_for_custodian(officer: Officer, limit: int) -> tuple[list[Waiting], int]:
    """The first ``limit`` cases waiting for the custodian (``waiting_ids``) and how many there
    are, counted to ``WORKLIST_COUNT_CAP`` + 1 in the same read."""
    ids = waiting_ids(officer)[: max(limit, paging.WORKLIST_COUNT_CAP + 1)]
    return waiting_rows(ids[:limit]), len(ids)


def archived_files(officer: Officer, limit: int = 50) -> list[CaseFile]:
    return list(
        CaseFile.objects.filter(agency_id=officer.agency_id, status=FileStatus.ARCHIVED)
        .select_related("case")
        .order_by("-archived_at")[:limit]
    )


def fixity_failures(officer: Officer) -> list[FixityCheck]:
    """The latest fixity run of each archived 案卷 of the agency, where it found a problem."""
    latest: dict[int, FixityCheck] = {}
    runs = FixityCheck.objects.filter(case_file__agency_id=officer.agency_id).select_related(
        "case_file", "case_file__case"
    )
    for run in runs.order_by("at", "id"):
        latest[run.case_file_id] = run
    return [r for r in latest.values() if not r.passed]


def due_for_appraisal(officer: Officer) -> list[CaseFile]:
    """鉴定: archived files of the agency whose 保管期限 has run out."""
    return list(
        CaseFile.objects.filter(
            agency_id=officer.agency_id,
            status=FileStatus.ARCHIVED,
            dispose_after__lt=timezone.localdate(),
        )
        .select_related("case")
        .order_by("dispose_after")
    )
