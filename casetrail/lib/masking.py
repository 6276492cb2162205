"""Masking of personal data (ID numbers, phones, addresses) for viewers who may not see it."""

from __future__ import annotations

import re
from typing import Any


def mask_middle(value: str, keep_start: int, keep_end: int) -> str:
    """Keep the first and last characters and star out the rest, length preserved."""
    if not value:
        return value
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    hidden = len(value) - keep_start - keep_end
    return value[:keep_start] + "*" * hidden + (value[-keep_end:] if keep_end else "")


def mask_id_number(value: str) -> str:
    # 居民身份证号: region prefix and check digits stay, birth date and sequence are hidden.
    return mask_middle(value, 4, 4)


def mask_phone(value: str) -> str:
    return mask_middle(value, 3, 4)


def mask_address(value: str) -> str:
    # Keep the administrative area (first six characters), hide street and number.
    return mask_middle(value, 6, 0)


# Personal numbers inside free text (a 询问笔录's "身份证号1405…，电话139…", a description, an
# opinion), found by one well-defined pattern set and masked wherever free text is shown to a
# viewer who may not see personal data:
# - 居民身份证号码: 18 characters, 17 digits and a digit or X, whose birth date is real and whose
#   GB 11643 check digit is right (so a 文号's or a hash's run of digits is left alone);
# - 手机号码: 11 digits in the mobile ranges 13x, 145–149, 15x (not 154), 162/165–167, 170–178,
#   18x, 19x (not 194) — an officer's 执法证件编号 such as 14052400123 is not one — optionally
#   grouped 3-4-4 by a space or hyphen, optionally after +86;
# - 固定电话: a long-distance prefix (010, 02x, or 0 + three digits from 03xx to 09xx) with an
#   optional hyphen, space or (half- or full-width) parentheses, then a 7- or 8-digit local number not starting 0 or 1.
# A number must not touch another letter or digit, so a run inside a longer code is not cut.
_EDGE_BEFORE = r"(?<![0-9A-Za-z])"
_EDGE_AFTER = r"(?![0-9A-Za-z])"
ID_NUMBER_PATTERN = re.compile(_EDGE_BEFORE + r"\d{17}[\dXx]" + _EDGE_AFTER)
MOBILE_PATTERN = re.compile(
    _EDGE_BEFORE
    + r"(?:\+86[- ]?)?1(?:3\d|4[5-9]|5[0-35-9]|6[25-7]|7[0-8]|8\d|9[0-35-9])[- ]?\d{4}[- ]?\d{4}"
    + _EDGE_AFTER
)
LANDLINE_PATTERN = re.compile(
    _EDGE_BEFORE
    + r"(?:[(（]0(?:10|2\d|[3-9]\d\d)[)）]|0(?:10|2\d|[3-9]\d\d))[- ]?[2-9]\d{6,7}"
    + _EDGE_AFTER
)
# Full-width digits (a Chinese input method in full-width mode) are found as their ASCII forms.
_FULL_WIDTH_DIGITS = {0xFF10 + i: ord("0") + i for i in range(10)} | {0xFF38: ord("X")}


def _valid_id(candidate: str) -> bool:
    from casetrail.lib.identifiers import id_number_problem

    return id_number_problem(candidate.upper()) is None


def personal_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of each ID number, mobile and landline number in ``text``; kind is
    "id_number" or "phone". Spans do not overlap."""
    ascii_text = text.translate(_FULL_WIDTH_DIGITS)
    spans: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for m in ID_NUMBER_PATTERN.finditer(ascii_text):
        if _valid_id(m.group()):
            spans.append((m.start(), m.end(), "id_number"))
            taken.append(m.span())
    for pattern in (MOBILE_PATTERN, LANDLINE_PATTERN):
        for m in pattern.finditer(ascii_text):
            if free(*m.span()):
                spans.append((m.start(), m.end(), "phone"))
                taken.append(m.span())
    return sorted(spans)


def mask_text(text: str) -> str:
    """``text`` with every personal number in it masked in place (length kept, the rest as is)."""
    if not text or not any(c.isdigit() for c in text):
        return text
    out, last = [], 0
    for start, end, kind in personal_spans(text):
        out.append(text[last:start])
        found = text[start:end]
        out.append(mask_id_number(found) if kind == "id_number" else mask_phone(found))
        last = end
    out.append(text[last:])
    return "".join(out)


def mask_texts(value: Any) -> Any:
    """Every string inside ``value`` (dicts, lists) passed through ``mask_text``."""
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, dict):
        return {k: mask_texts(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_texts(v) for v in value]
    return value


def withheld_text(labels: list[str]) -> str:
    """What stands for marked material withheld from a viewer (第三十三条): that it exists, what
    it is marked, and that it is withheld — e.g. "〔商业秘密，已隐去〕"."""
    return f"〔{'、'.join(labels)}，已隐去〕"
