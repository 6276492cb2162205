"""The pattern set that finds personal numbers in free text (casetrail.lib.masking.mask_text):
ID numbers with a right check digit and a real birth date, mobiles in the mobile ranges,
landlines with a long-distance prefix — and nothing else that looks like them."""

from __future__ import annotations

import pytest

from casetrail.lib.masking import mask_text, mask_texts, personal_spans

VALID_ID = "110101199003074514"


@pytest.mark.parametrize(
    "text, masked",
    [
        (f"身份证号{VALID_ID}，", "身份证号1101**********4514，"),
        ("身份证号11010119900307451x", "身份证号11010119900307451x"),  # wrong check digit
        ("１１０１０１１９９００３０７４５１４", "１１０１**********４５１４"),  # full-width
        ("电话13912345678。", "电话139****5678。"),
        ("手机 139-1234-5678", "手机 139******5678"),
        ("+86 13912345678", "+86********5678"),
        ("座机0356-6201234", "座机035*****1234"),
        ("座机03566201234", "座机035****1234"),
        ("（0356）6201234", "（03******1234"),
        ("(010)62012345", "(01******2345"),
    ],
)
def test_it_masks_what_the_patterns_define(text: str, masked: str) -> None:
    assert mask_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "执法证号14052400123",  # 140 is not a mobile range: an officer's certificate number
        "文号陵民罚〔2026〕3号，罚款人民币30000元",
        "统一社会信用代码11140524MB1234567X",
        "sha256 a110101199003074514b13912345678c",  # digits inside a longer code
        "记录时间20261130143511",
        "19900307451400",  # 14 digits: not an ID, not a phone
        "110101189912314514",  # birth date before 1900
    ],
)
def test_it_leaves_other_numbers_alone(text: str) -> None:
    assert mask_text(text) == text
    assert personal_spans(text) == []


def test_it_masks_every_string_inside_a_value() -> None:
    value = {"a": [f"证{VALID_ID}", 3, None], "b": {"c": "13912345678"}}
    assert mask_texts(value) == {
        "a": ["证1101**********4514", 3, None],
        "b": {"c": "139****5678"},
    }
