"""GB 11643 居民身份证号码 and GB 32100 统一社会信用代码: normalised, then checked (issue 10, items 6
and 7), with Hypothesis fuzzing of both parsers."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from casetrail.lib.errors import ActionError
from casetrail.lib.identifiers import (
    CREDIT_CODE_CHARACTERS,
    clean_credit_code,
    clean_id_number,
    credit_code_problem,
    id_number_problem,
    valid_credit_code,
    valid_id_number,
    valid_phone,
)

FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


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


def test_it_stores_the_normal_form_of_a_lower_case_x():
    # The example: 14052419800101008x is a valid number typed with a lower-case x.
    assert clean_id_number("14052419800101008x") == "14052419800101008X"


def test_it_normalises_seventeen_full_width_digits_and_an_ascii_check_digit():
    typed = "11010119900307451".translate(FULL_WIDTH_DIGITS) + "4"
    assert clean_id_number(typed) == "110101199003074514"


def test_it_normalises_a_full_width_x_and_spaces_between_groups():
    assert clean_id_number("110105 19491231 002ｘ") == "11010519491231002X"
    assert clean_id_number("11010519491231002Ｘ") == "11010519491231002X"


def test_it_refuses_a_birth_date_that_does_not_exist():
    # 1990-02-30 with a check digit that matches: only the date is wrong.
    body = "11010119900230451"
    number = body + ric.calc_check_digit(body + "0")
    with pytest.raises(ActionError) as err:
        clean_id_number(number)
    assert err.value.code == "invalid_id_number" and "19900230" in err.value.message


def test_it_refuses_a_birth_date_in_the_future():
    body = "11010120990101451"
    number = body + ric.calc_check_digit(body + "0")
    assert "不可能" in (id_number_problem(number, today=dt.date(2026, 1, 1)) or "")


@pytest.mark.parametrize("digit", ["²", "١", "߁", "𝟙"])
def test_it_refuses_digits_that_only_look_like_digits(digit):
    assert not valid_id_number("11010119900307451" + digit)
    assert not valid_id_number(digit + "10101199003074514"[1:])


@pytest.mark.parametrize(
    "value, ok",
    [
        ("91110000600037341L", True),  # the example of GB 32100's Wikipedia page
        ("11140524MB1234567J", True),
        ("91140524IOZSV00000", False),  # the example: I, O, Z, S, V are not in the set
        ("91110000600037341M", False),  # wrong check character
        ("A1110000600037341L", False),
        ("Q1110000600037341L", False),  # Q is no registration authority
        ("94110000600037341L", False),  # 工商 has no category 4
        ("911100006000373", False),
    ],
)
def test_it_checks_the_gb_32100_credit_code(value, ok):
    assert valid_credit_code(value) is ok


def test_it_names_the_characters_a_credit_code_may_not_hold():
    with pytest.raises(ActionError) as err:
        clean_credit_code("91140524IOZSV00000")
    assert err.value.code == "invalid_credit_code"
    assert all(c in err.value.message for c in "IOSVZ")


def test_it_stores_a_credit_code_upper_case_and_in_ascii():
    assert clean_credit_code("91110000600037341l") == "91110000600037341L"
    assert clean_credit_code("９１１１００００６０００３７３４１Ｌ") == "91110000600037341L"


@pytest.mark.parametrize(
    "value, ok",
    [
        ("13903561234", True),
        ("0356-6201234", True),
        ("+86 139 0356 1234", True),
        ("电话", False),
        ("139²", False),
    ],
)
def test_it_accepts_phone_numbers_as_written(value, ok):
    assert valid_phone(value) is ok


# --- fuzzing ---------------------------------------------------------------------------------------


@given(st.text(max_size=40))
def test_it_never_fails_otherwise_than_by_refusing_an_id_number(text):
    try:
        normal = clean_id_number(text)
    except ActionError as err:
        assert err.code == "invalid_id_number"
    else:
        # What is accepted is stored as 18 ASCII characters that stdnum agrees on.
        assert len(normal) == 18 and normal.isascii() and normal[-1] == ric.calc_check_digit(normal)


@given(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)),
    st.integers(min_value=110000, max_value=659999),
    st.integers(min_value=0, max_value=999),
)
def test_it_accepts_every_well_formed_id_number(born, region, serial):
    body = f"{region}{born:%Y%m%d}{serial:03d}"
    number = body + ric.calc_check_digit(body + "0")
    assert clean_id_number(number.lower()) == number
    assert clean_id_number(number.translate(FULL_WIDTH_DIGITS)) == number


@given(st.text(max_size=40))
def test_it_never_fails_otherwise_than_by_refusing_a_credit_code(text):
    try:
        normal = clean_credit_code(text)
    except ActionError as err:
        assert err.code == "invalid_credit_code"
    else:
        assert credit_code_problem(normal) is None and uscc.is_valid(normal)


@given(
    st.sampled_from(["11", "12", "51", "52", "53", "91", "92", "93", "Y1", "N2"]),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=CREDIT_CODE_CHARACTERS, min_size=9, max_size=9),
)
def test_it_accepts_every_well_formed_credit_code(head, region, body):
    code = head + region + body
    code += uscc.calc_check_digit(code)
    assert clean_credit_code(code.lower()) == code
