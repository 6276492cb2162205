"""Reads of oversight and the one access function for findings: supervisors and the director
(负责人) of the agency read them (第三十四条); only supervisors act on them; another agency's
finding is 404, never 403."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from casetrail.cases.models import Case
from casetrail.lib.numbers import id_or_none
from casetrail.org.models import Officer, Role, Unit
from casetrail.org.selectors import officer_for_request
from casetrail.oversight.models import (
    EvaluationReport,
    Finding,
    Publication,
    PublicationPolicy,
    PublicationState,
    Sample,
    SampleReview,
)
from casetrail.oversight.publishing import DECISION
from casetrail.oversight.sampling import draw
from casetrail.records.models import Record
from casetrail.records.numbers import prefetch_numbers

OVERSEERS = {Role.SUPERVISOR, Role.APPROVER}  # 监督人员 and the 负责人 (director)


def may_oversee(officer: Officer) -> bool:
    return bool(OVERSEERS & officer.role_set)


def policy_reader(user: Any) -> Officer:
    """The officer behind ``user`` if they may read the 公示 policy (overseers and the
    administrators, who set it); 403 otherwise."""
    officer = officer_for_request(user)
    if not (may_oversee(officer) or officer.has_role(Role.ADMIN)):
        raise PermissionDenied("公示规则仅监督人员、负责人和系统管理员可以查看")
    return officer


def policies_of(agency_id: int) -> QuerySet[PublicationPolicy]:
    """The agency's 公示 policies, newest first (the first one counts)."""
    return (
        PublicationPolicy.objects.filter(agency_id=agency_id)
        .select_related("set_by")
        .order_by("-set_at", "-id")
    )


def require_overseer(user: Any) -> Officer:
    """The officer behind ``user`` if they may read oversight pages; 403 otherwise."""
    officer = officer_for_request(user)
    if not may_oversee(officer):
        raise PermissionDenied("只有监督人员和负责人可以查看监督信息")
    return officer


def findings_of_agency(
    *, officer: Officer, state: str = "", kind: str = "", item: str = ""
) -> QuerySet[Finding]:
    """The agency's findings, newest first, with case, unit and officer loaded."""
    rows = Finding.objects.filter(agency_id=officer.agency_id).select_related(
        "case", "unit", "officer"
    )
    if state:
        rows = rows.filter(state=state)
    if kind:
        rows = rows.filter(kind=kind)
    if item:
        rows = rows.filter(item=item)
    return rows.order_by("-raised_at", "-id")


def finding_for_user(*, user: Any, finding_id: int | str) -> Finding:
    """The finding if ``user`` may read it (403 for a role without oversight; 404 for another
    agency's or a missing one)."""
    officer = require_overseer(user)
    pk = id_or_none(finding_id)
    finding = (
        Finding.objects.filter(pk=pk, agency_id=officer.agency_id)
        .select_related("case", "unit", "officer")
        .first()
        if pk is not None
        else None
    )
    if finding is None:
        raise Http404("监督发现不存在")
    return finding


def steps_of(finding: Finding) -> list[Any]:
    return list(finding.steps.select_related("officer").order_by("at", "id"))


def units_of(officer: Officer) -> list[Unit]:
    return list(Unit.objects.filter(agency_id=officer.agency_id).order_by("name"))


def officers_of(officer: Officer) -> list[Officer]:
    return list(Officer.objects.filter(agency_id=officer.agency_id).order_by("name"))


def cases_by_ids(*, officer: Officer, ids: set[int]) -> list[Case]:
    """The agency's cases among ``ids`` (a drill-down), newest first (supervisors see the agency's
    cases: ``visible_cases``; the director's own visibility is the same agency scope here)."""
    return list(
        Case.objects.filter(agency_id=officer.agency_id, pk__in=list(ids))
        .select_related("unit")
        .order_by("-created_at", "-id")[:1000]
    )


# --- 公示 ------------------------------------------------------------------------------------------


def public_publications() -> QuerySet[Publication]:
    """What the public sees: published, not withdrawn, not past its take-down day. Nothing else
    ever leaves the agency through the public pages and feed."""
    return (
        Publication.objects.filter(
            state=PublicationState.PUBLISHED, take_down_on__gt=timezone.localdate()
        )
        .select_related("agency")
        .order_by("-published_at", "-id")
    )


def public_publication(publication_id: int | str) -> Publication:
    pk = id_or_none(publication_id)
    found = public_publications().filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise Http404("公示信息不存在或已撤下")
    return found


def publications_of_agency(*, officer: Officer) -> QuerySet[Publication]:
    return (
        Publication.objects.filter(agency_id=officer.agency_id)
        .select_related("case")
        .order_by("-decided_on", "-id")
    )


def publication_for_user(*, user: Any, publication_id: int | str) -> Publication:
    """A publication of the viewer's agency for an overseer (403 otherwise; 404 for another
    agency's or a missing one)."""
    officer = require_overseer(user)
    pk = id_or_none(publication_id)
    found = (
        publications_of_agency(officer=officer).filter(pk=pk).first() if pk is not None else None
    )
    if found is None:
        raise Http404("公示记录不存在")
    return found


def unpublished_decisions(*, officer: Officer) -> list[Record]:
    """The agency's 行政执法决定书 (latest versions) with no publication yet."""
    corrected = Record.objects.filter(replaces__isnull=False).values("replaces_id")
    found = list(
        Record.objects.filter(case__agency_id=officer.agency_id, kind=DECISION)
        .exclude(pk__in=corrected)
        .exclude(pk__in=Publication.objects.values("decision_id"))
        .select_related("case")
        .order_by("-created_at")[:200]
    )
    prefetch_numbers(found)  # their 文号 (issued documents), in one query
    return found


# --- 抽查 ------------------------------------------------------------------------------------------


def samples_of_agency(*, officer: Officer) -> QuerySet[Sample]:
    return Sample.objects.filter(agency_id=officer.agency_id).select_related("drawn_by")


def sample_for_user(*, user: Any, sample_id: int | str) -> Sample:
    officer = require_overseer(user)
    pk = id_or_none(sample_id)
    found = samples_of_agency(officer=officer).filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise Http404("抽查不存在")
    return found


def sample_cases(sample: Sample) -> list[tuple[Case, SampleReview | None]]:
    """The drawn cases in drawing order, each with its latest review."""
    cases = {c.pk: c for c in Case.objects.filter(pk__in=sample.drawn).select_related("unit")}
    latest: dict[int, SampleReview] = {}
    for r in sample.reviews.select_related("reviewer").order_by("at", "id"):
        latest[r.case_id] = r
    return [(cases[pk], latest.get(pk)) for pk in sample.drawn if pk in cases]


def redraw_matches(sample: Sample) -> bool:
    """Whether the recorded seed and population draw exactly the recorded cases."""
    return draw(sample.seed, list(sample.population), sample.size) == list(sample.drawn)


# --- 评议考核 --------------------------------------------------------------------------------------


def reports_of_agency(*, officer: Officer) -> QuerySet[EvaluationReport]:
    return EvaluationReport.objects.filter(agency_id=officer.agency_id).select_related(
        "unit", "issued_by", "agency", "pdf"
    )


def report_for_user(*, user: Any, report_id: int | str) -> EvaluationReport:
    officer = require_overseer(user)
    pk = id_or_none(report_id)
    found = reports_of_agency(officer=officer).filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise Http404("评议考核报告不存在")
    return found
