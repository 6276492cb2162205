"""Stored deadlines: the deadline registry's calendar of each case, kept in ``CaseDeadline`` rows.

``refresh_case`` runs after every ledgered action that names a case (registered with
``casetrail.lib.ledgered.register_after_case`` from ``ComplianceConfig.ready()``), inside the
action's transaction: it recomputes the case's deadlines with ``deadlines_of`` — the registry
decides them, nothing here knows a deadline kind — and writes only the rows that changed. The
worklists, dashboards, the daily check and the findings then read an index instead of computing
every case's calendar on each view (issue 18: 8 minutes for a handler's worklist at 10^5 cases).

Holiday schedules change the working-day calendar of every case: their import refreshes all rows
in the background (``refresh_all``); `casetrail refresh-deadlines` does the same by hand (after a
configuration change of a period, or to rebuild the projection).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from casetrail.cases.models import Case, Stage
from casetrail.compliance.deadlines import deadlines_of
from casetrail.compliance.engine import Deadline
from casetrail.compliance.models import CaseDeadline

_FIELDS = ("rule", "title", "basis", "due_at", "done", "info", "estimated", "watched")


def _values(case: Case, d: Deadline) -> tuple[Any, ...]:
    watched = not d.done and not d.info and case.stage != Stage.ARCHIVED
    return (d.rule, d.title[:200], d.basis, d.due_at, d.done, d.info, d.estimated, watched)


def _key(row: CaseDeadline) -> tuple[Any, ...]:
    return tuple(getattr(row, f) for f in _FIELDS)


def refresh_case(case_id: int) -> tuple[int, int]:
    """Bring the stored deadlines of one case in line with the registry; returns (added, removed).
    A row whose values did not change is left alone, so its ``overdue_noted_at`` survives."""
    case = Case.objects.filter(pk=case_id).select_related("agency", "unit").first()
    if case is None:
        return (0, 0)
    return _sync(case, deadlines_of(case), list(CaseDeadline.objects.filter(case_id=case_id)))


def _done_at(d: Deadline, stored: list[CaseDeadline], now: dt.datetime) -> dt.datetime | None:
    """When a changed row of ``d`` was met: kept from its stored row when that was done already;
    now when it was stored open (this action met it); unknown otherwise (first seen done)."""
    for row in stored:
        if (row.rule, row.title) == (d.rule, d.title[:200]) and not row.info:
            return row.done_at if row.done else now
    return None


def _sync(case: Case, computed: Iterable[Deadline], stored: list[CaseDeadline]) -> tuple[int, int]:
    by_key: dict[tuple[Any, ...], list[CaseDeadline]] = {}
    for row in stored:
        by_key.setdefault(_key(row), []).append(row)
    now = timezone.now()
    new = []
    for d in computed:
        values = _values(case, d)
        same = by_key.get(values)
        if same:
            same.pop()  # unchanged: keep the row
            continue
        new.append(
            CaseDeadline(
                case_id=case.pk,
                agency_id=case.agency_id,
                done_at=_done_at(d, stored, now) if d.done else None,
                **dict(zip(_FIELDS, values, strict=True)),
            )
        )
    gone = [row.pk for rows in by_key.values() for row in rows]
    if gone:
        CaseDeadline.objects.filter(pk__in=gone).delete()
    if new:
        CaseDeadline.objects.bulk_create(new)
    return (len(new), len(gone))


def refresh_all(*, agency_id: int | None = None, batch: int = 500) -> tuple[int, int, int]:
    """Refresh every case (of one agency); returns (cases, added, removed). Reads cases in primary
    key batches and the stored rows of each batch in one query, so memory stays flat."""
    cases = Case.objects.select_related("agency", "unit").order_by("pk")
    if agency_id is not None:
        cases = cases.filter(agency_id=agency_id)
    seen = added = removed = 0
    last = 0
    while True:
        chunk = list(cases.filter(pk__gt=last)[:batch])
        if not chunk:
            break
        last = chunk[-1].pk
        stored: dict[int, list[CaseDeadline]] = {}
        for row in CaseDeadline.objects.filter(case_id__in=[c.pk for c in chunk]):
            stored.setdefault(row.case_id, []).append(row)
        for case in chunk:
            a, r = _sync(case, deadlines_of(case), stored.get(case.pk, []))
            seen, added, removed = seen + 1, added + a, removed + r
    return (seen, added, removed)
