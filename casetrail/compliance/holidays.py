"""The working-day calendar legal periods are counted on: the chinese-calendar data, the schedules
an administrator imported for years it does not cover yet (HolidaySchedule), and the days the
agency configured (CASETRAIL_HOLIDAYS / CASETRAIL_WORKDAYS).

The calendar is built once per process and rebuilt when a newer schedule was imported (checked at
most every ``RECHECK_SECONDS``, so every worker sees an import within a minute).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

import yaml
from django.conf import settings
from django.db.models import Max

from casetrail.compliance.models import HolidaySchedule
from casetrail.lib.errors import ActionError
from casetrail.lib.workdays import Calendar, YearSchedule, parse_dates

RECHECK_SECONDS = 60
_built: dict[str, Any] = {"calendar": None, "latest": None, "checked": 0.0}


def calendar() -> Calendar:
    """The working-day calendar (see module docstring)."""
    now = time.monotonic()
    if _built["calendar"] is None or now - _built["checked"] > RECHECK_SECONDS:
        latest = HolidaySchedule.objects.aggregate(latest=Max("id"))["latest"]
        if _built["calendar"] is None or latest != _built["latest"]:
            _built["calendar"] = _build()
            _built["latest"] = latest
        _built["checked"] = now
    cal: Calendar = _built["calendar"]
    return cal


def forget_calendar() -> None:
    """Rebuild on next use (after an import in this process; other processes within a minute)."""
    _built["calendar"] = None


def _build() -> Calendar:
    schedules: dict[int, YearSchedule] = {}
    for row in HolidaySchedule.objects.order_by("year", "id"):  # the latest row of a year wins
        schedules[row.year] = YearSchedule(
            row.year,
            frozenset(dt.date.fromisoformat(d) for d in row.holidays),
            frozenset(dt.date.fromisoformat(d) for d in row.workdays),
        )
    return Calendar(
        parse_dates(settings.CASETRAIL_HOLIDAYS),
        parse_dates(settings.CASETRAIL_WORKDAYS),
        schedules,
    )


@dataclass(frozen=True)
class ScheduleInput:
    year: int
    holidays: list[dt.date]
    workdays: list[dt.date]
    source: str


def _dates(raw: Any, key: str) -> list[dt.date]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise ActionError("invalid_schedule", f"“{key}”应为日期列表（YYYY-MM-DD）", field=key)
    out = []
    for item in raw:
        try:
            out.append(item if isinstance(item, dt.date) else dt.date.fromisoformat(str(item)))
        except ValueError:
            raise ActionError(
                "invalid_schedule", f"“{key}”中的“{item}”不是日期（YYYY-MM-DD）", field=key
            ) from None
    return out


def parse_schedule(text: str) -> ScheduleInput:
    """A schedule file (YAML): ``year``, ``source`` (the notice's number), ``holidays`` (every day
    off, weekends included where the notice lists them) and ``workdays`` (weekends worked)."""
    try:
        raw = yaml.safe_load(text)
    # ValueError: YAML reads 2027-02-30 as a date itself and fails on it.
    except (yaml.YAMLError, ValueError) as exc:
        raise ActionError(
            "invalid_schedule", f"节假日安排文件格式无效或日期不是日期：{exc}", field="file"
        ) from None
    if not isinstance(raw, dict):
        raise ActionError(
            "invalid_schedule",
            "节假日安排文件应包含 year、source、holidays、workdays",
            field="file",
        )
    year = raw.get("year")
    if not isinstance(year, int):
        raise ActionError("invalid_schedule", "year 应为年份（如 2027）", field="year")
    return ScheduleInput(
        year=year,
        holidays=_dates(raw.get("holidays"), "holidays"),
        workdays=_dates(raw.get("workdays"), "workdays"),
        source=str(raw.get("source") or "").strip(),
    )
