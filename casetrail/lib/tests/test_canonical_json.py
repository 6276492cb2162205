"""RFC 8785 canonical JSON: ordering, escaping and the refused values."""

from __future__ import annotations

import enum

import pytest

from casetrail.lib.canonical_json import (
    MAX_SAFE_INTEGER,
    CanonicalJSONError,
    canonicalize,
    canonicalize_str,
    is_canonical,
    loads_strict,
)


def test_it_sorts_keys_by_utf16_code_units_as_in_rfc8785_3_2_3() -> None:
    # The RFC 8785 §3.2.3 sorting example.
    value = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    expected = (
        '{"\\r":"Carriage Return","1":"One","\u0080":"Control",'
        '"\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign",'
        '"\U0001f600":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}'
    )
    assert canonicalize(value) == expected.encode("utf-8")


def test_it_puts_a_non_bmp_key_before_a_higher_bmp_key() -> None:
    # U+1F600 is D83D DE00 in UTF-16, which sorts before FB33 although its code point is higher.
    assert canonicalize({"\ufb33": 1, "\U0001f600": 2}) == '{"\U0001f600":2,"\ufb33":1}'.encode()


def test_it_escapes_strings_as_in_rfc8785_3_2_2_2() -> None:
    # The RFC 8785 §3.2.2.2 example, without the "numbers" member (floats are refused here).
    source = b'{"string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}'
    expected = '{"literals":[null,true,false],"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    assert canonicalize(loads_strict(source)) == expected.encode("utf-8")


def test_it_uses_short_escapes_and_lowercase_hex_for_controls() -> None:
    value = '\b\f\n\r\t\x00\x1f\x7f\u2028 "\\/é'
    assert canonicalize_str(value) == '"\\b\\f\\n\\r\\t\\u0000\\u001f\x7f\u2028 \\"\\\\/é"'


def test_it_serialises_literals_integers_and_arrays() -> None:
    value = {"b": [True, False, None], "a": (1, -2, 0), "c": {}, "d": []}
    assert canonicalize(value) == b'{"a":[1,-2,0],"b":[true,false,null],"c":{},"d":[]}'


def test_it_writes_int_subclasses_as_plain_numbers() -> None:
    class Level(enum.IntEnum):
        HIGH = 3

    assert canonicalize({"level": Level.HIGH}) == b'{"level":3}'


def test_it_accepts_the_largest_safe_integers() -> None:
    value = [MAX_SAFE_INTEGER, -MAX_SAFE_INTEGER]
    assert canonicalize(value) == b"[9007199254740991,-9007199254740991]"


def test_it_rejects_floats_naming_the_path() -> None:
    with pytest.raises(CanonicalJSONError) as info:
        canonicalize({"amount": 1.5}, name="payload")
    assert str(info.value) == "payload.amount: floats are not allowed; use a string or integer"


def test_it_names_nested_paths_in_errors() -> None:
    with pytest.raises(CanonicalJSONError, match=r'^value\.items\[1\]\["unit price"\]: floats'):
        canonicalize({"items": [{}, {"unit price": 2.0}]})


def test_it_rejects_big_integers() -> None:
    with pytest.raises(CanonicalJSONError, match="pass it as a string"):
        canonicalize({"n": 2**53})
    with pytest.raises(CanonicalJSONError, match="pass it as a string"):
        canonicalize([-(2**53)])


def test_it_rejects_lone_surrogates_in_values_and_keys() -> None:
    with pytest.raises(CanonicalJSONError, match="lone surrogate U\\+D800"):
        canonicalize({"a": "x\ud800"})
    with pytest.raises(CanonicalJSONError, match="non-UTF-8"):
        canonicalize({"\udfff": 1})


def test_it_rejects_non_string_keys_and_other_types() -> None:
    with pytest.raises(CanonicalJSONError, match="object keys must be strings"):
        canonicalize({1: "a"})
    with pytest.raises(CanonicalJSONError, match="type bytes"):
        canonicalize({"a": b"x"})
    with pytest.raises(CanonicalJSONError, match="type set"):
        canonicalize({"a": {1}})


def test_it_parses_strictly() -> None:
    assert loads_strict(b' {"a": [1, "\\u00e9", null]} ') == {"a": [1, "é", None]}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'{"a": 1.0}', "floats are not allowed"),
        (b'{"a": 1e3}', "floats are not allowed"),
        (b'{"a": NaN}', "NaN is not valid JSON"),
        (b'{"a": 1, "a": 2}', "duplicate object key 'a'"),
        (b'{"a": 9007199254740992}', "pass it as a string"),
        (b'["\\ud800"]', "lone surrogate"),
        (b'{"x": {"y": ["\\udc00"]}}', "lone surrogate"),
        (b'{"\\ud800": 1}', "lone surrogate"),
        (b'"\xff"', "not valid UTF-8"),
        (b'\xef\xbb\xbf{"a": 1}', "byte order mark"),
        (b'{"a": }', "invalid JSON"),
        (b"[" * 100000 + b"]" * 100000, "nested too deeply"),
    ],
)
def test_it_refuses_bad_input_when_parsing(data: bytes, message: str) -> None:
    with pytest.raises(CanonicalJSONError, match=message):
        loads_strict(data)


def test_it_tells_canonical_bytes_apart() -> None:
    assert is_canonical(b'{"a":1,"b":[true]}')
    assert not is_canonical(b'{"b":[true],"a":1}')
    assert not is_canonical(b'{"a": 1}')
    assert not is_canonical(b'{"a":1.0}')


def test_it_round_trips_through_the_strict_parser() -> None:
    value = {"名称": "案件", "z": [1, {"y": None}], "\U0001f600": "😀"}
    data = canonicalize(value)
    assert loads_strict(data) == value
    assert is_canonical(data)
