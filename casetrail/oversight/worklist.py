"""The oversight part of 待办 (registered from ``OversightConfig.ready()``): for the supervisors
and the 负责人, the open findings by kind and — read live, not at the daily refresh — a checkpoint
of the agency's log that no quorum of witnesses has cosigned for CASETRAIL_UNWITNESSED_HOURS
(issue 14: "the supervisor's worklist shows 'checkpoint unwitnessed for N hours'")."""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from casetrail.cases.hooks import WorklistSection
from casetrail.ledger.witnesses import witness_status
from casetrail.org.models import Officer
from casetrail.oversight.kinds import KINDS
from casetrail.oversight.models import Finding, FindingState
from casetrail.oversight.selectors import may_oversee


def _state(officer: Officer) -> dict[str, Any] | None:
    if not may_oversee(officer):
        return None
    counts = (
        Finding.objects.filter(agency_id=officer.agency_id, state=FindingState.OPEN)
        .values("kind")
        .annotate(n=Count("id"))
        .order_by("-n", "kind")
    )
    status = witness_status(officer.agency_id)
    return {
        "open": [(row["kind"], _title(row["kind"]), row["n"]) for row in counts],
        "unwitnessed_hours": status.unwitnessed_hours if status and status.overdue else None,
    }


def _title(kind: str) -> str:
    found = KINDS.get(kind)
    return found.title if found is not None else kind


def context(officer: Officer) -> dict[str, Any] | None:
    return _state(officer)


def api(officer: Officer) -> dict[str, Any] | None:
    state = _state(officer)
    if state is None:
        return None
    return {
        "open_findings": [{"kind": k, "title": t, "count": n} for k, t, n in state["open"]],
        "unwitnessed_hours": state["unwitnessed_hours"],
    }


OVERSIGHT = WorklistSection("oversight", 40, "oversight/_worklist.html", context, api)
