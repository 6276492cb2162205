"""The deadline calendar of a case: every registered deadline (``engine.deadline``; the rules
modules declare them beside their rules) computed from the case's records. Each names its basis.

``deadlines_of`` computes one case's calendar (the case page). The worklists of the handlers and the
supervisor, the findings and `casetrail check-deadlines` read the stored rows instead
(``casetrail.compliance.stored``: ``CaseDeadline``, kept up to date after every action): an indexed
query whatever the number of cases."""

from __future__ import annotations

from casetrail.cases.models import Case
from casetrail.compliance.engine import DEADLINES, CaseView, Deadline

__all__ = ["Deadline", "deadlines_of"]


def deadlines_of(case: Case, view: CaseView | None = None) -> list[Deadline]:
    """Every deadline of the case, earliest first (``view``: the case as already loaded for the
    same request's other reads, e.g. the case page's checklist; else its records without their
    signatures and attachments, which no deadline reads)."""
    view = view or CaseView(case, files=False)
    out = [d for rule in DEADLINES.values() for d in rule.compute(view)]
    return sorted(out, key=lambda d: d.due_at)
