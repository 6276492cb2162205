import datetime as dt

import pytest

from casetrail.lib.workdays import Calendar, Due, YearSchedule, parse_dates

D = dt.date


def test_it_skips_the_national_day_holiday():
    cal = Calendar()
    # 2026-09-30 (Wed) + 1 working day: 10-01..10-07 are holidays.
    assert not cal.is_workday(D(2026, 10, 1))
    assert cal.add_workdays(D(2026, 9, 30), 1) == Due(D(2026, 10, 8))


def test_it_counts_ten_working_days_under_the_administrative_compulsion_law():
    # 行政强制法第六十九条: a 催告书 served on Monday 2026-11-30 — ten working days end 2026-12-14.
    assert Calendar().add_workdays(D(2026, 11, 30), 10) == Due(D(2026, 12, 14))


def test_it_moves_the_end_of_a_calendar_period_off_a_holiday():
    cal = Calendar()
    # 民法典第二百零三条: 2026-09-16 + 15 days = 10-01 (国庆) → the first working day after, 10-08.
    assert cal.period_end(D(2026, 9, 16), 15) == Due(D(2026, 10, 8))
    # A last day that is a working day stays.
    assert cal.period_end(D(2026, 11, 2), 15) == Due(D(2026, 11, 17))
    # A Saturday moves to Monday.
    assert cal.period_end(D(2026, 11, 6), 15) == Due(D(2026, 11, 23))


def test_it_keeps_the_fixed_statutory_holidays_beyond_the_data_and_says_it_estimates():
    cal = Calendar()
    assert not cal.published(2027) and cal.published(2026)
    assert not cal.is_workday(D(2027, 1, 1))  # 元旦, a Friday
    assert not cal.is_workday(D(2027, 5, 1)) and not cal.is_workday(D(2027, 10, 1))
    # 7 working days from 2026-12-28 (Mon): 29,30,31, (1-1 元旦), 4,5,6,7 → 2027-01-07, estimated.
    assert cal.add_workdays(D(2026, 12, 28), 7) == Due(D(2027, 1, 7), estimated=True)
    assert cal.add_workdays(D(2026, 12, 1), 7) == Due(D(2026, 12, 10), estimated=False)


def test_an_imported_schedule_replaces_the_estimate():
    schedule = YearSchedule(
        2027,
        holidays=frozenset({D(2027, 1, 1), D(2027, 1, 2), D(2027, 1, 3), D(2027, 2, 10)}),
        workdays=frozenset({D(2027, 2, 6)}),
    )
    cal = Calendar(schedules={2027: schedule})
    assert cal.published(2027)
    assert not cal.is_workday(D(2027, 2, 10)) and cal.is_workday(D(2027, 2, 6))  # Saturday worked
    assert cal.add_workdays(D(2026, 12, 28), 7) == Due(D(2027, 1, 7), estimated=False)


def test_configured_days_win_over_the_data():
    cal = Calendar(holidays=[D(2026, 12, 31)], workdays=[D(2026, 12, 26)])
    assert not cal.is_workday(D(2026, 12, 31)) and cal.is_workday(D(2026, 12, 26))


def test_it_parses_configured_dates_strictly():
    assert parse_dates("2027-01-01, 2027-02-05") == [D(2027, 1, 1), D(2027, 2, 5)]
    with pytest.raises(ValueError, match="2027-13-01"):
        parse_dates("2027-13-01")
