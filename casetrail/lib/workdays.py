"""Chinese working days: statutory holidays and adjusted working weekends from the
`chinese-calendar` data, plus holidays an agency configures (for years the data does not cover
yet, or local arrangements).

行政处罚法第八十五条: the law's "二日、三日、五日、七日" are working days, holidays excluded; other
periods count calendar days.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import chinese_calendar


class Calendar:
    def __init__(self, holidays: Iterable[dt.date] = (), workdays: Iterable[dt.date] = ()) -> None:
        self.holidays = set(holidays)
        self.workdays = set(workdays)

    def is_workday(self, day: dt.date) -> bool:
        if day in self.holidays:
            return False
        if day in self.workdays:
            return True
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            # Beyond the published data: Monday to Friday (configure the year's holidays).
            return day.weekday() < 5

    def add_workdays(self, start: dt.date, days: int) -> dt.date:
        """The date ``days`` working days after ``start`` (the start day itself not counted)."""
        day, left = start, days
        while left > 0:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                left -= 1
        return day


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
