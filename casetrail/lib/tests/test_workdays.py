import datetime as dt

import pytest

from casetrail.lib.workdays import Calendar, parse_dates


def test_it_skips_the_national_day_holiday():
    cal = Calendar()
    # 2026-09-30 (Wed) + 7 working days: 10-01..10-07 are holidays, 10-10 (Sat) is an adjusted workday.
    assert not cal.is_workday(dt.date(2026, 10, 1))
    assert cal.add_workdays(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)


def test_it_falls_back_to_weekdays_and_configured_holidays_beyond_the_data():
    cal = Calendar(holidays=[dt.date(2027, 1, 1)])
    assert not cal.is_workday(dt.date(2027, 1, 1))  # configured
    assert cal.is_workday(dt.date(2027, 1, 4))  # Monday
    assert not cal.is_workday(dt.date(2027, 1, 2))  # Saturday
    assert cal.add_workdays(dt.date(2026, 12, 31), 1) == dt.date(2027, 1, 4)


def test_it_parses_configured_dates_strictly():
    assert parse_dates("2027-01-01, 2027-02-05") == [dt.date(2027, 1, 1), dt.date(2027, 2, 5)]
    with pytest.raises(ValueError, match="2027-13-01"):
        parse_dates("2027-13-01")
