"""Free text and names as people type them: every text input has a maximum length, and characters
that cannot be seen or that reorder what is seen are refused.

Two kinds:

* **names and identifiers** (a person's or an organisation's name, a serial, a certificate number,
  a username): one line, no control character, no format character (zero-width space and joiners,
  the bidirectional embeddings, overrides and isolates, the byte-order mark, the soft hyphen), no
  line or paragraph separator. Two names that look the same must be the same string, and a name
  must read in the order it is stored;
* **free text** (a reason, an opinion, a statement, a place): tabs and line breaks allowed; other
  control characters, the bidirectional embeddings, overrides and isolates (which make a record
  read differently from how it is stored — "Trojan Source", CVE-2021-42574) and lone surrogates
  (which no ledger entry can hold, RFC 8785) are refused.

Every refusal is an ``ActionError`` (400) with ``too_long`` or ``invalid_characters`` and the
field it names; the API fields (``casetrail.lib.api_fields``), the form fields
(``casetrail.lib.form_fields``), the document catalogue and the actions all call these.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata

from casetrail.lib.errors import ActionError

# The maximum lengths, in characters (not bytes). A column's max_length must not be below its
# input's limit, or PostgreSQL refuses the row after validation passed.
NAME_MAX = 100  # a person's or an organisation's name
LINE_MAX = 500  # one line of text: a title, a place, a list item, a short text field
TEXT_MAX = 5000  # a reason, an opinion, a note, a finding
DOCUMENT_MAX = 50000  # the body of a document (a 笔录's statement, a report's text)

# Bidirectional embeddings, overrides and isolates (Unicode 15, UAX #9): they reorder display.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Invisible characters that join or separate without showing anything.
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e")
TEXT_WHITESPACE = frozenset("\t\n\r")


def _prefix(where: str) -> str:
    return f"{where}：" if where else ""


@functools.cache
def _refused() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The characters refused in free text and in names, each as one character class.

    Built once a process from the Unicode categories (one pass over every code point, ≈ 0.2 s):
    a text is then checked in one regular-expression pass. Checked character by character, a
    250-character Chinese text took ≈ 50 µs, on every text field of every action (issue 18)."""
    text: list[int] = []
    name: list[int] = []
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        category = unicodedata.category(ch)
        if category == "Cs" or ch in BIDI_CONTROLS:
            text.append(code)
            name.append(code)
        elif category == "Cc":
            name.append(code)
            if ch not in TEXT_WHITESPACE:
                text.append(code)
        elif category in ("Cf", "Zl", "Zp") or ch in ZERO_WIDTH:
            name.append(code)
    return re.compile(_char_class(text)), re.compile(_char_class(name))


def _char_class(codes: list[int]) -> str:
    """``[…]`` matching exactly ``codes`` (ascending), written as ranges of escapes."""
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "[" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in ranges) + "]"


def odd_character(value: str, *, name: bool) -> str | None:
    """The first character ``value`` may not hold (as ``U+XXXX``), or None."""
    found = _refused()[name].search(value)
    return f"U+{ord(found.group()):04X}" if found else None


def clean_text(
    value: object,
    *,
    where: str,
    field: str | None = None,
    limit: int = TEXT_MAX,
    name: bool = False,
) -> str:
    """``value`` stripped, checked for length and characters; ``where`` names it in the message
    (e.g. ``第1个当事人·姓名``). ``name``: a name or identifier (one line, nothing invisible)."""
    text = value if isinstance(value, str) else str(value if value is not None else "")
    text = text.strip()
    if len(text) > limit:
        raise ActionError(
            "too_long", f"{_prefix(where)}不得超过{limit}字（现为{len(text)}字）", field=field
        )
    bad = odd_character(text, name=name)
    if bad is not None:
        what = "控制字符、零宽字符或双向文字控制字符" if name else "控制字符或双向文字控制字符"
        raise ActionError(
            "invalid_characters",
            f"{_prefix(where)}含有不可见的{what}（{bad}），请删除后重新输入",
            field=field,
        )
    return text


def clean_name(
    value: object, *, where: str, field: str | None = None, limit: int = NAME_MAX
) -> str:
    """A name or an identifier: one line, at most ``limit`` characters, nothing invisible."""
    return clean_text(value, where=where, field=field, limit=limit, name=True)
