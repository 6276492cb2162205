"""The shared identifier validators: GB 11643 check digits and phone characters."""

from __future__ import annotations

import pytest

from casetrail.lib.identifiers import valid_id_number, valid_phone


@pytest.mark.parametrize(
    "value, ok",
    [
        ("110101199003074514", True),
        ("11010119900307451x", False),  # wrong check digit
        ("110101199003074515", False),
        ("11010519491231002X", True),  # X as the check digit, either case
        ("11010519491231002x", True),
        ("1101011990030745", False),  # too short
        ("11010119900307451A", False),
    ],
)
def test_it_checks_the_gb_11643_check_digit(value, ok):
    assert valid_id_number(value) is ok


@pytest.mark.parametrize(
    "value, ok",
    [("13903561234", True), ("0356-6201234", True), ("+86 139 0356 1234", True), ("电话", False)],
)
def test_it_accepts_phone_numbers_as_written(value, ok):
    assert valid_phone(value) is ok
