"""The oversight part of 待办 (registered from ``OversightConfig.ready()``): for the supervisors
and the 负责人, the open findings by kind and — read live, not at the daily refresh — a checkpoint
of the agency's log that no quorum of witnesses has cosigned for CASETRAIL_UNWITNESSED_HOURS
(issue 14: "the supervisor's worklist shows 'checkpoint unwitnessed for N hours'")."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db import connection

from casetrail.cases.hooks import WorklistSection
from casetrail.ledger.witnesses import witness_status
from casetrail.lib import paging
from casetrail.org.models import Officer
from casetrail.oversight.kinds import KINDS
from casetrail.oversight.models import Finding, FindingState
from casetrail.oversight.selectors import may_oversee


def _state(officer: Officer) -> dict[str, Any] | None:
    if not may_oversee(officer):
        return None
    cap = paging.WORKLIST_COUNT_CAP
    status = witness_status(officer.agency_id)
    return {
        "open": [
            (kind, _title(kind), paging.counted(n, cap), n)
            for kind, n in open_by_kind(officer.agency_id, cap)
        ],
        "unwitnessed_hours": status.unwitnessed_hours if status and status.overdue else None,
    }


def open_by_kind(agency_id: int, cap: int) -> list[tuple[str, int]]:
    """The agency's open findings per kind, most first: ``[(kind code, n)]``, each ``n`` counted to
    ``cap`` + 1 (「超过 100」; the full list is the findings page). One query: per registered
    kind a range of the (agency, state, kind) index stopped at ``cap`` + 1 — a count that does
    not grow with the findings (issue 18). Raw SQL because Django refuses LIMIT inside the
    members of a UNION on SQLite."""
    qn = connection.ops.quote_name
    part = (
        f"SELECT kind FROM (SELECT {qn('kind')} AS kind FROM {qn(Finding._meta.db_table)}"
        f" WHERE {qn('agency_id')} = %s AND {qn('state')} = %s AND {qn('kind')} = %s LIMIT %s)"
    )
    kinds = sorted(KINDS)
    sql = " UNION ALL ".join(f"{part} AS part{i}" for i in range(len(kinds)))
    params: list[Any] = []
    for kind in kinds:
        params += [agency_id, FindingState.OPEN, kind, cap + 1]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        counts = Counter(kind for (kind,) in cursor.fetchall())
    return sorted(counts.items(), key=lambda kn: (-kn[1], kn[0]))


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
        # ``count`` stops at WORKLIST_COUNT_CAP + 1, as the page's 「超过 100」.
        "open_findings": [{"kind": k, "title": t, "count": n} for k, t, _, n in state["open"]],
        "unwitnessed_hours": state["unwitnessed_hours"],
    }


OVERSIGHT = WorklistSection("oversight", 40, "oversight/_worklist.html", context, api)
