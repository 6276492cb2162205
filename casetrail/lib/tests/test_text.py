"""Free text and names (issue 10, item 11): a maximum length everywhere; control, zero-width and
bidirectional-override characters refused in names, controls and bidi overrides in free text."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from casetrail.lib.canonical_json import canonicalize
from casetrail.lib.errors import ActionError
from casetrail.lib.text import (
    BIDI_CONTROLS,
    TEXT_MAX,
    ZERO_WIDTH,
    clean_name,
    clean_text,
    odd_character,
)


def test_it_refuses_a_two_mebibyte_reason():
    with pytest.raises(ActionError) as err:
        clean_text("理" * (2 * 1024 * 1024), where="理由", field="reason")
    assert err.value.code == "too_long" and err.value.field == "reason"
    assert f"不得超过{TEXT_MAX}字" in err.value.message


@pytest.mark.parametrize(
    "name",
    ["张\u200b三", "张\u200d三", "\u202e三张", "张\u2066三", "张\x00三", "张\n三", "\ufeff张三"],
)
def test_it_refuses_invisible_characters_in_names(name):
    with pytest.raises(ActionError) as err:
        clean_name(name, where="姓名")
    assert err.value.code == "invalid_characters" and "U+" in err.value.message


@pytest.mark.parametrize("text", ["a\u202eb", "a\x00b", "a\x07b", "a\ud800b"])
def test_it_refuses_controls_and_bidi_overrides_in_free_text(text):
    with pytest.raises(ActionError) as err:
        clean_text(text, where="理由")
    assert err.value.code == "invalid_characters"


def test_it_keeps_line_breaks_and_tabs_in_free_text():
    assert clean_text("第一行\n\t第二行\r\n", where="理由") == "第一行\n\t第二行"


@given(st.text(max_size=200))
def test_it_accepts_only_text_a_ledger_entry_can_hold(text):
    try:
        clean = clean_text(text, where="x")
    except ActionError as err:
        assert err.code == "invalid_characters"
    else:
        canonicalize({"t": clean})  # never a lone surrogate


def _refused_by_category(ch: str, *, name: bool) -> bool:
    """The rule of the module's docstring, character by character (the regex is built from it)."""
    category = unicodedata.category(ch)
    if category == "Cs" or ch in BIDI_CONTROLS:
        return True
    if category == "Cc":
        return name or ch not in "\t\n\r"
    return name and (category in ("Cf", "Zl", "Zp") or ch in ZERO_WIDTH)


def test_it_refuses_exactly_the_characters_the_rule_names_in_one_pass():
    # Every code point of the planes that hold controls and format characters (0, 1, 14), and
    # every 61st of the others: the one character class refuses exactly what the rule names.
    codes = [*range(0x20000), *range(0xE0000, 0xF0000), *range(0x20000, 0x110000, 61)]
    for name in (False, True):
        wrong = [
            f"U+{code:04X}"
            for code in codes
            if (odd_character(f"文{chr(code)}字", name=name) is not None)
            != _refused_by_category(chr(code), name=name)
        ]
        assert wrong == [], (name, wrong[:10])
    # The first refused character is named, in the text's order.
    assert odd_character("检查\u200b记录\u202e", name=True) == "U+200B"
    assert odd_character("检查\u200b记录\u202e", name=False) == "U+202E"
