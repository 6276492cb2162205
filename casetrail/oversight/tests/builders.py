"""Builders of the oversight tests: refresh and read the findings raised."""

from __future__ import annotations

from typing import Any

from casetrail.compliance.tests.builders import returned_by_post, unfilmed_sampling
from casetrail.conftest import client_for, film
from casetrail.oversight.models import Finding
from casetrail.oversight.refresh import detect, refresh


def kinds_found(agency_id: int, kind: str) -> list[str]:
    """The subjects the detector of ``kind`` finds now (nothing is recorded)."""
    return [r.subject for code, r in detect(agency_id) if code == kind]


def raised(officer: Any, kind: str) -> list[Finding]:
    refresh(agency=officer.agency)
    return list(Finding.objects.filter(agency_id=officer.agency_id, kind=kind).order_by("pk"))


def late_clip(case: Any, officer: Any, hours: float) -> Any:
    """A clip of ``case`` that ended ``hours`` ago, uploaded now (with a reason when late)."""
    reason = "执法记录仪在外地维修" if hours > 24 else ""
    return film(case, officer, "现场检查", hours_ago=hours, late_reason=reason)


def returned_letter(serving: Any, personas: Any) -> Any:
    """The case's decision sent by post and returned (查无此人): served in no way yet."""
    decision = serving.records.get(kind="administrative_decision")
    returned_by_post(serving, personas, decision)
    return decision


def proposed_exemption(case: Any, personas: Any) -> Any:
    """张承办 samples without filming and proposes the R13 exemption (a chain to approve): the
    API's response."""
    sampling = unfilmed_sampling(case, personas)
    return post(
        "zhang",
        f"/api/cases/{case.pk}/exemptions/",
        {
            "rule": "R13",
            "subject": f"record:{sampling.pk}",
            "reason": "执法记录仪故障",
            "facts": "维修单号 2026-118",
        },
    )


def post(who: str | None, path: str, body: dict[str, Any] | None = None) -> Any:
    return client_for(who).post(path, body or {}, content_type="application/json")
