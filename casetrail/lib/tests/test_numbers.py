"""One parser per number type (issue 10, items 8 and 9): ASCII digits only, integers within
±(2^53−1), money finite with at most two places; fuzzed with Hypothesis."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casetrail.lib.canonical_json import canonicalize
from casetrail.lib.errors import ActionError
from casetrail.lib.numbers import MAX_SAFE_INTEGER, parse_int, parse_money


@pytest.mark.parametrize(
    "raw", ["²", "１２", "١٢", "1_000", "12.0", "0x10", "", " ", "1e3", "+", True]
)
def test_it_refuses_what_python_would_take_for_an_integer(raw):
    with pytest.raises(ActionError) as err:
        parse_int(raw)
    assert err.value.code == "invalid_number"


@pytest.mark.parametrize("raw, value", [("12", 12), (" 7 ", 7), ("-3", -3), ("+4", 4), (5, 5)])
def test_it_reads_ascii_digits(raw, value):
    assert parse_int(raw) == value


@pytest.mark.parametrize("raw", [MAX_SAFE_INTEGER + 1, str(-MAX_SAFE_INTEGER - 1), "9" * 40])
def test_it_keeps_integers_within_what_a_ledger_entry_holds(raw):
    with pytest.raises(ActionError) as err:
        parse_int(raw)
    assert err.value.code == "number_out_of_range"
    assert parse_int(MAX_SAFE_INTEGER) == MAX_SAFE_INTEGER


def test_it_applies_narrower_bounds():
    with pytest.raises(ActionError):
        parse_int("-1", minimum=0)
    assert parse_int("0", minimum=0) == 0


@pytest.mark.parametrize(
    "raw",
    ["NaN", "nan", "Infinity", "-Infinity", "inf", math.nan, math.inf, Decimal("NaN"), "sNaN"],
)
def test_it_refuses_nan_and_infinity_as_money(raw):
    with pytest.raises(ActionError) as err:
        parse_money(raw)
    assert err.value.code == "invalid_money"


@pytest.mark.parametrize(
    "raw, value",
    [
        ("-0", "0.00"),
        ("-0.00", "0.00"),
        (-0.0, "0.00"),
        ("200", "200.00"),
        ("1,234.5", "1234.50"),
        (12.5, "12.50"),
        (3, "3.00"),
        (" 0.01 ", "0.01"),
    ],
)
def test_it_reads_money_with_two_places(raw, value):
    assert str(parse_money(raw)) == value


@pytest.mark.parametrize("raw", ["1.005", "１２", "1,23", "12元", "", "1e3", [1], None, True])
def test_it_refuses_money_that_is_not_a_plain_amount(raw):
    with pytest.raises(ActionError) as err:
        parse_money(raw)
    assert err.value.code == "invalid_money"


def test_it_refuses_negative_money_unless_the_field_allows_it():
    with pytest.raises(ActionError):
        parse_money("-5")
    assert str(parse_money("-5", negative=True)) == "-5.00"


def test_it_refuses_money_beyond_the_configured_maximum(settings):
    settings.CASETRAIL_MONEY_MAX = 1000
    assert str(parse_money("1000")) == "1000.00"
    with pytest.raises(ActionError) as err:
        parse_money("1000.01")
    assert err.value.code == "money_out_of_range"


# --- fuzzing ---------------------------------------------------------------------------------------


@given(st.one_of(st.text(max_size=30), st.integers(), st.floats(), st.booleans(), st.none()))
def test_it_never_fails_otherwise_than_by_refusing_an_integer(raw):
    try:
        number = parse_int(raw)
    except ActionError as err:
        assert err.code in ("invalid_number", "number_out_of_range")
    else:
        assert isinstance(number, int) and abs(number) <= MAX_SAFE_INTEGER
        canonicalize({"n": number})  # every accepted integer fits a ledger entry
        if isinstance(raw, str):
            assert raw.strip().lstrip("+-").isascii()


@given(st.integers(min_value=-MAX_SAFE_INTEGER, max_value=MAX_SAFE_INTEGER))
def test_it_reads_back_every_safe_integer_it_writes(number):
    assert parse_int(str(number)) == number


@given(st.one_of(st.text(max_size=30), st.floats(), st.integers(), st.decimals()))
def test_it_never_fails_otherwise_than_by_refusing_money(raw):
    try:
        amount = parse_money(raw)
    except ActionError as err:
        assert err.code in ("invalid_money", "money_out_of_range")
    else:
        assert amount.is_finite() and amount >= 0 and amount == amount.quantize(Decimal("0.01"))
        assert str(amount) != "-0.00"


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False))
def test_it_reads_back_every_amount_it_writes(amount):
    assert parse_money(str(amount)) == amount
