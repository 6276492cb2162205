"""Chinese working days and the end of legal periods.

Which days are working days: the State Council's annual schedule of statutory holidays and adjusted
working weekends — from the `chinese-calendar` data, from a schedule the administrator imported
(``schedules``), or from days an agency configures (``holidays`` / ``workdays``). For a year with no
published schedule the calendar falls back to Monday–Friday without the fixed-date statutory
holidays (全国年节及纪念日放假办法: 元旦 1月1日, 劳动节 5月1日, 国庆节 10月1日至3日), and every
period whose count touches such a year is marked ``estimated`` ("节假日安排未公布，期限为估算").

How periods are counted (each deadline names its rule beside it):
- working days (``add_workdays``): 行政处罚法第八十五条 ("二日、三日、五日、七日" are working days) and
  行政强制法第六十九条 (periods of ten days or less are working days);
- calendar days (``period_end``): the period ends ``days`` days after the start day; when its last
  day is not a working day it ends on the next working day (民法典第二百零三条, and the same rule in
  民事诉讼法第八十五条 and 行政诉讼法第八十二条).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import chinese_calendar

FIXED_HOLIDAYS = frozenset({(1, 1), (5, 1), (10, 1), (10, 2), (10, 3)})


@dataclass(frozen=True)
class YearSchedule:
    """One year's State Council schedule: days off (including weekends that are holidays) and
    weekends that are working days."""

    year: int
    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()


@dataclass(frozen=True)
class Due:
    """The last day of a period, and whether its count relied on a year whose holidays are not
    published yet."""

    day: dt.date
    estimated: bool = False


@dataclass
class Calendar:
    holidays: Iterable[dt.date] = ()
    workdays: Iterable[dt.date] = ()
    schedules: Mapping[int, YearSchedule] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.holidays = frozenset(self.holidays)
        self.workdays = frozenset(self.workdays)

    def published(self, year: int) -> bool:
        """Whether the holidays of ``year`` are known (imported, or in the chinese-calendar data)."""
        return year in self.schedules or _library_workday(dt.date(year, 6, 1)) is not None

    def is_workday(self, day: dt.date) -> bool:
        if day in self.holidays:
            return False
        if day in self.workdays:
            return True
        schedule = self.schedules.get(day.year)
        if schedule is not None:
            if day in schedule.holidays:
                return False
            return day in schedule.workdays or day.weekday() < 5
        known = _library_workday(day)
        if known is None:
            # Not published yet: Monday to Friday without the fixed-date statutory holidays.
            return day.weekday() < 5 and (day.month, day.day) not in FIXED_HOLIDAYS
        return known

    def add_workdays(self, start: dt.date, days: int) -> Due:
        """The day ``days`` working days after ``start`` (the start day itself not counted)."""
        day, left, estimated = start, days, False
        while left > 0:
            day += dt.timedelta(days=1)
            estimated = estimated or not self.published(day.year)
            if self.is_workday(day):
                left -= 1
        return Due(day, estimated)

    def period_end(self, start: dt.date, days: int) -> Due:
        """The last day of a period of ``days`` calendar days from ``start`` (the start day not
        counted), moved to the next working day when it falls on a holiday or rest day."""
        day = start + dt.timedelta(days=days)
        estimated = not self.published(day.year)
        while not self.is_workday(day):
            day += dt.timedelta(days=1)
            estimated = estimated or not self.published(day.year)
        return Due(day, estimated)


@functools.lru_cache(maxsize=8192)
def _library_workday(day: dt.date) -> bool | None:
    """The chinese-calendar data's answer for ``day``, None for a year it does not cover. Cached:
    the data is fixed for the process's life, and every deadline asks about the same few hundred
    days (each question validates the date and searches the tables: 70 µs, a third of the cost of
    computing a case's deadlines)."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return None


def parse_dates(text: str) -> list[dt.date]:
    """Comma-separated ISO dates from a setting; a bad one raises ValueError naming it."""
    out = []
    for part in (p.strip() for p in text.split(",")):
        if part:
            try:
                out.append(dt.date.fromisoformat(part))
            except ValueError:
                raise ValueError(f"{part!r} is not a date (YYYY-MM-DD)") from None
    return out
