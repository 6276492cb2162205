"""Refreshing the findings: run every registered detector over each agency and record what is new
(``casetrail findings``, and the scheduler's periodic job through ``tasks.refresh_findings``)."""

from __future__ import annotations

from dataclasses import dataclass

from casetrail.org.models import Agency
from casetrail.oversight.actions import findings_raise
from casetrail.oversight.kinds import KINDS, Raised
from casetrail.oversight.models import Finding


@dataclass(frozen=True)
class Refreshed:
    agency: Agency
    found: int  # breaches seen now, raised before or not
    raised: int  # new findings recorded by this refresh


def detect(agency_id: int) -> list[tuple[str, Raised]]:
    """What every detector finds in the agency now: (kind code, raised), in registry order."""
    return [
        (code, r)
        for code, kind in KINDS.items()
        if kind.detect is not None
        for r in kind.detect(agency_id)
    ]


def refresh(*, agency: Agency) -> Refreshed:
    """Raise the agency's new findings (one ledger entry for all of them; none when nothing new)."""
    found = detect(agency.pk)
    have = set(Finding.objects.filter(agency=agency).values_list("kind", "subject"))
    new = [(code, r) for code, r in found if (code, r.subject) not in have]
    raised = len(findings_raise(agency=agency, found=new)) if new else 0
    return Refreshed(agency, len(found), raised)


def refresh_all(*, agency_code: str | None = None) -> list[Refreshed]:
    agencies = Agency.objects.order_by("pk")
    if agency_code:
        agencies = agencies.filter(credit_code=agency_code)
    return [refresh(agency=a) for a in agencies]
