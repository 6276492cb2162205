"""The supervisor's numbers (第三十四条: 评议考核 rests on them): counts and trends of one agency by
period (month, quarter or year), unit and officer, each with the ids of the cases behind it so
every number drills down. A fixed number of queries whatever the number of cases (values() rows
folded in Python), so the dashboard stays fast at a county bureau's year."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils import timezone

from casetrail.cases.models import (
    STAGE_ORDER,
    Case,
    CaseOfficer,
    Procedure,
    Stage,
    StageChange,
    StartMode,
)
from casetrail.compliance.models import CaseDeadline, Exemption
from casetrail.compliance.stored import refresh_marked
from casetrail.evidence.models import Item
from casetrail.oversight.kinds import ITEMS
from casetrail.oversight.models import Finding
from casetrail.oversight.sampling import period_bounds
from casetrail.records.models import Record, RecordAttachment

PERIODS = {"month": "月", "quarter": "季度", "year": "年"}
# 第十三条: on-site inspection and sampling are filmed as they happen.
FILMED_RECORDS = ("inspection_record", "sampling_notice")


def bucket_of(moment: dt.datetime, period: str) -> str:
    """The period a moment falls in, in the agency's time: 2026-03, 2026-Q1 or 2026."""
    day = timezone.localtime(moment)
    if period == "month":
        return f"{day.year}-{day.month:02d}"
    if period == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return str(day.year)


def buckets(year: int, period: str) -> list[str]:
    if period == "month":
        return [f"{year}-{m:02d}" for m in range(1, 13)]
    if period == "quarter":
        return [f"{year}-Q{q}" for q in range(1, 5)]
    return [str(y) for y in range(year - 4, year + 1)]


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


@dataclass
class Counted:
    """A number with the cases behind it."""

    cases: set[int] = field(default_factory=set)
    extra: int = 0  # things counted that belong to no case (an item not yet linked)

    @property
    def n(self) -> int:
        return len(self.cases) + self.extra


@dataclass
class Ratio:
    hit: set[int] = field(default_factory=set)  # ids of the things that met it
    of: set[int] = field(default_factory=set)
    cases: set[int] = field(default_factory=set)  # the cases of the things that did not

    @property
    def percent(self) -> float | None:
        return round(100 * len(self.hit) / len(self.of), 1) if self.of else None


@dataclass
class StageTime:
    stage: str
    label: str
    days: list[float] = field(default_factory=list)
    cases: set[int] = field(default_factory=set)

    @property
    def average(self) -> float | None:
        return round(sum(self.days) / len(self.days), 1) if self.days else None

    @property
    def p90(self) -> float | None:
        return round(percentile(self.days, 90), 1) if self.days else None


@dataclass
class Dashboard:
    year: int
    period: str
    buckets: list[str]
    started: dict[str, Counted]
    closed: dict[str, Counted]
    by_mode: dict[str, Counted]
    by_procedure: dict[str, Counted]
    stage_times: list[StageTime]
    inspections_filmed: Ratio
    major_filmed: Ratio
    late_uploads: Counted
    exemptions: Counted
    deadlines_on_time: Ratio
    findings_by_item: dict[str, Counted]
    by_unit: dict[str, dict[str, Counted]]
    by_officer: dict[str, dict[str, Counted]]

    def metric(self, name: str, key: str = "") -> set[int]:
        """The cases behind one number (for the drill-down)."""
        table: Any = {
            "started": self.started,
            "closed": self.closed,
            "mode": self.by_mode,
            "procedure": self.by_procedure,
            "findings": self.findings_by_item,
        }.get(name)
        if table is not None:
            return table[key].cases if key in table else set()
        if name == "stage":
            return next((s.cases for s in self.stage_times if s.stage == key), set())
        if name == "inspections_unfilmed":
            return self.inspections_filmed.cases
        if name == "major_unfilmed":
            return self.major_filmed.cases
        if name == "late":
            return self.late_uploads.cases
        if name == "deadlines_late":
            return self.deadlines_on_time.cases
        if name == "exemptions":
            return self.exemptions.cases
        if name in ("unit", "officer"):
            group, _, column = key.partition(":")
            table = self.by_unit if name == "unit" else self.by_officer
            return table.get(group, {}).get(column, Counted()).cases
        return set()


def dashboard(
    *,
    agency_id: int,
    year: int,
    period: str,
    unit_id: int | None = None,
    officer_id: int | None = None,
    only: str | None = None,
) -> Dashboard:
    """The numbers of ``year`` (for ``period`` "year": the five years up to it) for the agency, or
    one unit of it, or the cases one officer is assigned to; with ``only`` (one of the buckets,
    e.g. "2026-Q3"), the numbers of that bucket alone (what a 评议考核 of a quarter reads)."""
    keys = buckets(year, period)
    if only is not None:
        if only not in keys:
            raise ValueError(f"{only!r} is not a {period} of {year}")
        keys = [only]
        start, end = period_bounds(only)
    else:
        first = int(keys[0][:4])
        start = timezone.make_aware(dt.datetime(first, 1, 1))
        end = timezone.make_aware(dt.datetime(year + 1, 1, 1))

    cases = Case.objects.filter(agency_id=agency_id)
    if unit_id:
        cases = cases.filter(unit_id=unit_id)
    if officer_id:
        cases = cases.filter(assignments__officer_id=officer_id)
    rows = list(
        cases.filter(Q(created_at__gte=start, created_at__lt=end) | Q(closed_at__gte=start))
        .values(
            "pk", "created_at", "closed_at", "start_mode", "procedure", "is_major", "unit__name"
        )
        .distinct()
    )
    ids = [r["pk"] for r in rows]
    started = {k: Counted() for k in keys}
    closed = {k: Counted() for k in keys}
    by_mode = {m.value: Counted() for m in StartMode}
    by_procedure = {p.value: Counted() for p in Procedure}
    by_unit: dict[str, dict[str, Counted]] = defaultdict(lambda: defaultdict(Counted))
    in_period = set()
    for r in rows:
        b = bucket_of(r["created_at"], period)
        if b in started:
            in_period.add(r["pk"])
            started[b].cases.add(r["pk"])
            by_mode[r["start_mode"]].cases.add(r["pk"])
            by_procedure[r["procedure"]].cases.add(r["pk"])
            by_unit[r["unit__name"]]["started"].cases.add(r["pk"])
        if r["closed_at"] is not None and (c := bucket_of(r["closed_at"], period)) in closed:
            closed[c].cases.add(r["pk"])
            by_unit[r["unit__name"]]["closed"].cases.add(r["pk"])

    by_officer: dict[str, dict[str, Counted]] = defaultdict(lambda: defaultdict(Counted))
    for case_id, name in CaseOfficer.objects.filter(case_id__in=ids).values_list(
        "case_id", "officer__name"
    ):
        if case_id in in_period:
            by_officer[name]["started"].cases.add(case_id)
        if any(case_id in c.cases for c in closed.values()):
            by_officer[name]["closed"].cases.add(case_id)

    # Time per stage: from entering a stage to entering the next, for stages left in the period.
    labels = dict(Stage.choices)
    times = {s: StageTime(s, labels[s]) for s in STAGE_ORDER[:-2]}
    changes: dict[int, list[tuple[dt.datetime, str]]] = defaultdict(list)
    for case_id, at, to_stage in (
        StageChange.objects.filter(case_id__in=ids)
        .order_by("at", "pk")
        .values_list("case_id", "at", "to_stage")
    ):
        changes[case_id].append((at, to_stage))
    created = {r["pk"]: r["created_at"] for r in rows}
    for case_id, moves in changes.items():
        entered = [(created[case_id], Stage.START.value), *moves]
        for (since, stage), (until, _) in itertools.pairwise(entered):
            if stage in times and start <= until < end:
                times[stage].days.append((until - since).total_seconds() / 86400)
                times[stage].cases.add(case_id)

    # 第十三条: inspections and sampling with their audio/video attached.
    filmed = Ratio()
    records = Record.objects.filter(
        case_id__in=list(in_period), kind__in=FILMED_RECORDS
    ).values_list("pk", "case_id")
    record_case = dict(records)
    filmed.of = set(record_case)
    filmed.hit = set(
        RecordAttachment.objects.filter(record_id__in=list(record_case), kind="av").values_list(
            "record_id", flat=True
        )
    )
    filmed.cases = {record_case[r] for r in filmed.of - filmed.hit}
    # 第五条: 重大 cases with audio/video in the case.
    major = Ratio()
    major.of = {r["pk"] for r in rows if r["is_major"] and r["pk"] in in_period}
    major.hit = set(
        Item.objects.filter(
            link__case_id__in=list(major.of), kind__in=("video", "audio", "surveillance")
        ).values_list("link__case_id", flat=True)
    )
    major.cases = major.of - major.hit

    late = Counted()
    late_items = Item.objects.filter(agency_id=agency_id, late=True, uploaded_at__gte=start)
    for case_id in late_items.filter(uploaded_at__lt=end).values_list("link__case_id", flat=True):
        if case_id is None:
            late.extra += 1 if not (unit_id or officer_id) else 0
        elif case_id in created or not (unit_id or officer_id):
            late.cases.add(case_id)

    exemptions = Counted(
        set(
            Exemption.objects.filter(
                case__agency_id=agency_id, created_at__gte=start, created_at__lt=end
            )
            .filter(case_id__in=ids if (unit_id or officer_id) else cases.values("pk"))
            .values_list("case_id", flat=True)
        )
    )

    # Deadlines met in the period (the stored rows know when: the action that met them), on time
    # when met by their due moment.
    on_time = Ratio()
    refresh_marked()  # a reader of the stored deadlines brings the marked cases up to date first
    met = CaseDeadline.objects.filter(
        agency_id=agency_id, done_at__gte=start, done_at__lt=end, info=False
    )
    if unit_id or officer_id:
        met = met.filter(case_id__in=ids)
    for pk, case_id, done_at, due_at in met.values_list("pk", "case_id", "done_at", "due_at"):
        on_time.of.add(pk)
        if done_at is not None and done_at <= due_at:
            on_time.hit.add(pk)
        else:
            on_time.cases.add(case_id)

    findings_by_item = {k: Counted() for k in ITEMS}
    found = Finding.objects.filter(agency_id=agency_id, raised_at__gte=start, raised_at__lt=end)
    if unit_id or officer_id:
        found = found.filter(case_id__in=ids)
    for item, case_id in found.values_list("item", "case_id"):
        if case_id is None:
            findings_by_item[item].extra += 1
        else:
            findings_by_item[item].cases.add(case_id)

    return Dashboard(
        year=year,
        period=period,
        buckets=keys,
        started=started,
        closed=closed,
        by_mode=by_mode,
        by_procedure=by_procedure,
        stage_times=list(times.values()),
        inspections_filmed=filmed,
        major_filmed=major,
        late_uploads=late,
        exemptions=exemptions,
        deadlines_on_time=on_time,
        findings_by_item=findings_by_item,
        by_unit={k: dict(v) for k, v in by_unit.items()},
        by_officer={k: dict(v) for k, v in by_officer.items()},
    )
