"""Refreshing the findings: run the registered detectors over what changed in each agency since the
last pass and record what is new (``casetrail findings``, and the scheduler's job through
``tasks.refresh_findings``).

Issue 18 (item 4): at 10^5 cases a pass over everything ran over 9 minutes of one core and held
the one task worker; start-up work must not grow with the number of cases. So a pass is
incremental, and bounded per step:

- it begins at the agency's log size (``FindingsWatermark.upto``); the cases to look at are the
  cases the log entries since the last pass name (``LedgerEntry.case_ref``) — every case of the
  agency on a full pass (the first one, or `casetrail findings --full`);
- each ``step`` gives the ``Scope.CASES`` detectors the next CASETRAIL_FINDINGS_CASES of them (in
  id order) and moves the cursor, so a long pass is many short runs of the task;
- the step that finds no more cases runs the ``Scope.SINCE`` detectors once, over the log entries
  of the pass and the time since the last one (deadlines fallen due, checkpoints unwitnessed), and
  moves the watermark to the pass's end.

What an incremental pass raises is what a pass over everything would raise at that moment
(``tests/test_incremental_findings.py``): a breach appears only through a fact recorded in the
log under its case, or through time, and both are in the looks above.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from casetrail.cases.models import Case
from casetrail.compliance.models import HolidaySchedule
from casetrail.ledger.models import Ledger, LedgerEntry
from casetrail.org.models import Agency
from casetrail.oversight.actions import FINDINGS_PER_ENTRY, findings_raise
from casetrail.oversight.kinds import KINDS, Look, Raised, Scope
from casetrail.oversight.models import Finding, FindingsWatermark

log = logging.getLogger(__name__)

Found = list[tuple[str, Raised]]  # (kind code, what was raised)


@dataclass(frozen=True)
class Refreshed:
    agency: Agency
    found: int  # breaches seen in what was looked at, raised before or not
    raised: int  # new findings recorded
    cases: int = 0  # cases looked at
    done: bool = True  # the pass ended (False: the next step goes on with it)


def detect(agency_id: int) -> Found:
    """What every detector finds in the whole agency now (every case, the whole log), in registry
    order; nothing is recorded. For tests and for comparing with the incremental pass."""
    now = timezone.now()
    cases = list(
        Case.objects.filter(agency_id=agency_id).order_by("pk").values_list("pk", flat=True)
    )
    end = _log_size(agency_id)
    return _run(Scope.CASES, Look(agency_id, cases, 0, end, None, now)) + _run(
        Scope.SINCE, Look(agency_id, None, 0, end, None, now)
    )


def _run(scope: Scope, look: Look) -> Found:
    return [
        (code, r)
        for code, kind in KINDS.items()
        if scope in kind.detectors
        for r in kind.detectors[scope](look)
    ]


def _log_size(agency_id: int) -> int:
    size = Ledger.objects.filter(agency_id=agency_id).values_list("size", flat=True).first()
    return size or 0


def _next_cases(mark: FindingsWatermark, limit: int) -> list[int]:
    """The next ``limit`` cases of the pass after the cursor, ascending: every case of the agency
    on a full pass, else those named by the pass's log entries (a range of the (ledger, seq)
    index, at most the entries since the last pass)."""
    if mark.full:
        rows = Case.objects.filter(agency_id=mark.agency_id, pk__gt=mark.cursor).order_by("pk")
        return list(rows.values_list("pk", flat=True)[:limit])
    entries = LedgerEntry.objects.filter(
        ledger__agency_id=mark.agency_id,
        seq__gte=mark.size,
        seq__lt=mark.upto,
        case_ref__gt=mark.cursor,
    )
    refs = entries.order_by("case_ref").values_list("case_ref", flat=True).distinct()
    return [ref for ref in refs[:limit] if ref is not None]


def new_only(agency: Agency, found: Found) -> Found:
    """Of ``found``, those the agency has not raised (nor listed twice): the findings' unique
    index probed for the subjects found, never every finding of the agency read."""
    by_kind: dict[str, set[str]] = {}
    for code, r in found:
        by_kind.setdefault(code, set()).add(r.subject)
    have: set[tuple[str, str]] = set()
    for code, subjects in by_kind.items():
        ordered = sorted(subjects)
        for start in range(0, len(ordered), _PROBE):
            rows = Finding.objects.filter(
                agency=agency, kind=code, subject__in=ordered[start : start + _PROBE]
            )
            have.update((code, s) for s in rows.values_list("subject", flat=True))
    new = []
    for code, r in found:
        if (code, r.subject) not in have:
            have.add((code, r.subject))
            new.append((code, r))
    return new


_PROBE = 500  # subjects per query (SQLite's parameter limit)


def raise_new(agency: Agency, found: Found) -> int:
    """Record the new ones of ``found``, FINDINGS_PER_ENTRY to a ledgered action; returns how many."""
    new = new_only(agency, found)
    for start in range(0, len(new), FINDINGS_PER_ENTRY):
        findings_raise(agency=agency, found=new[start : start + FINDINGS_PER_ENTRY])
    return len(new)


def _calendar_changed(since: datetime | None) -> bool:
    """Whether a holiday schedule was imported since the last pass: it moves the working-day
    deadlines of every case of every agency (``compliance.holiday_schedule_import``) without a
    log entry under any case, so the pass that follows looks at every case (a full pass)."""
    return since is not None and HolidaySchedule.objects.filter(imported_at__gte=since).exists()


def step(*, agency: Agency, limit: int | None = None) -> Refreshed:
    """One bounded step of the agency's pass (a new pass begins when none is under way): at most
    ``limit`` (CASETRAIL_FINDINGS_CASES) cases looked at; the last step also looks at what is new
    since the last pass. Returns what it saw and raised, and whether the pass ended."""
    limit = limit or settings.CASETRAIL_FINDINGS_CASES
    mark, _ = FindingsWatermark.objects.get_or_create(agency=agency)
    if mark.upto is None:
        mark.upto, mark.cursor = _log_size(agency.pk), 0
        mark.full = mark.full or _calendar_changed(mark.looked_at)
        mark.save(update_fields=["upto", "cursor", "full"])
    first = 0 if mark.full else mark.size
    since = None if mark.full else mark.looked_at
    now = timezone.now()
    cases = _next_cases(mark, limit)
    found = _run(Scope.CASES, Look(agency.pk, cases, first, mark.upto, since, now)) if cases else []
    done = len(cases) < limit
    if done:
        found += _run(Scope.SINCE, Look(agency.pk, None, first, mark.upto, since, now))
    raised = raise_new(agency, found)
    if done:
        mark.size, mark.looked_at, mark.upto, mark.cursor, mark.full = (
            mark.upto,
            now,
            None,
            0,
            False,
        )
    else:
        mark.cursor = cases[-1]
    mark.save()
    return Refreshed(agency, len(found), raised, len(cases), done)


def refresh(*, agency: Agency, full: bool = False) -> Refreshed:
    """Run the agency's pass to its end (the supervisor's 刷新, the API, `casetrail findings`);
    ``full``: look at every case and the whole log, as the first pass does."""
    if full:
        FindingsWatermark.objects.update_or_create(
            agency=agency, defaults={"full": True, "upto": None, "cursor": 0}
        )
    steps = [step(agency=agency)]
    while not steps[-1].done:
        steps.append(step(agency=agency))
    return Refreshed(
        agency,
        sum(s.found for s in steps),
        sum(s.raised for s in steps),
        sum(s.cases for s in steps),
    )


def _agencies(agency_code: str | None) -> Sequence[Agency]:
    agencies = Agency.objects.order_by("pk")
    if agency_code:
        agencies = agencies.filter(credit_code=agency_code)
    return list(agencies)


def refresh_all(*, agency_code: str | None = None, full: bool = False) -> list[Refreshed]:
    return [refresh(agency=a, full=full) for a in _agencies(agency_code)]


def step_all() -> list[Refreshed]:
    """One step of every agency's pass (the task), with one summary line for the step."""
    started = time.process_time()
    steps = [step(agency=a) for a in _agencies(None)]
    log.info(
        "findings: %d agencies, %d cases looked at, %d found, %d raised, %s, %.2f s CPU",
        len(steps),
        sum(s.cases for s in steps),
        sum(s.found for s in steps),
        sum(s.raised for s in steps),
        "pass done" if all(s.done for s in steps) else "pass continues",
        time.process_time() - started,
    )
    return steps
