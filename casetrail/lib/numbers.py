"""Numbers from outside — headers, query strings, form fields, JSON bodies, the document catalogue —
parsed by one helper per type, so every place refuses the same inputs with the same code:

* **integers**: ASCII digits only, with an optional sign. ``str.isdigit()`` and ``int()`` accept
  far more (``'²'.isdigit()`` is true and ``int('²')`` raises; ``int('１２')``, ``int('١٢')`` and
  ``int('1_000')`` all give numbers), so neither is used on input. Within ±(2^53−1), the integers a
  ledger entry can hold exactly (RFC 8785 §3.2.2.3), unless a narrower range is asked for.
* **money** (yuan): a finite decimal with at most two places, ``-0`` is ``0.00``; not negative
  unless the field says so; at most ``CASETRAIL_MONEY_MAX`` yuan. NaN and Infinity (as text or as
  a float) are refused like any other bad input — a 400 with a code, never a 500.

A refusal is an ``ActionError`` (400) naming the field: ``invalid_number`` / ``number_out_of_range``
for integers, ``invalid_money`` / ``money_out_of_range`` for money.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation

from django.conf import settings

from casetrail.lib.errors import ActionError

MAX_SAFE_INTEGER = 2**53 - 1
_INTEGER = re.compile(r"[+-]?[0-9]{1,16}")  # 16 digits cover 2^53; longer is out of range anyway
_LONG_INTEGER = re.compile(r"[+-]?[0-9]+")
_MONEY = re.compile(r"[+-]?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]{1,2})?")
_CENT = Decimal("0.01")
# Whitespace a person or a client may leave around a number: ASCII only.
_ASCII_SPACE = " \t\r\n"


def _prefix(where: str) -> str:
    return f"{where}：" if where else ""


def parse_int(
    raw: object,
    *,
    where: str = "",
    field: str | None = None,
    minimum: int = -MAX_SAFE_INTEGER,
    maximum: int = MAX_SAFE_INTEGER,
    digits_only: bool = False,
) -> int:
    """An integer from text of ASCII digits (optionally signed) or from a JSON integer; within
    ``minimum``..``maximum`` (never beyond ±(2^53−1)). ``digits_only``: no sign either, as HTTP
    wants its numbers (``Content-Length = 1*DIGIT``; tus' ``Upload-Length`` and
    ``Upload-Offset``)."""
    minimum, maximum = max(minimum, -MAX_SAFE_INTEGER), min(maximum, MAX_SAFE_INTEGER)
    if isinstance(raw, bool):
        number = None  # True is not 1 here
    elif isinstance(raw, int):
        number = raw
    elif isinstance(raw, str):
        text = raw.strip(_ASCII_SPACE)
        if digits_only and text[:1] in ("+", "-"):
            number = None
        elif _INTEGER.fullmatch(text):
            number = int(text)
        elif _LONG_INTEGER.fullmatch(text):
            number = MAX_SAFE_INTEGER + 1 if text[0] != "-" else -MAX_SAFE_INTEGER - 1
        else:
            number = None
    else:
        number = None  # floats (3.0 too), lists, None: not an integer as typed
    if number is None:
        raise ActionError(
            "invalid_number", f"{_prefix(where)}应为整数（半角数字 0-9）", field=field
        )
    if not minimum <= number <= maximum:
        raise ActionError(
            "number_out_of_range",
            f"{_prefix(where)}应在 {minimum} 至 {maximum} 之间",
            field=field,
        )
    return number


def parse_optional_int(raw: object, **kwargs: object) -> int | None:
    """``parse_int`` where an absent value (None or empty text) means None."""
    if raw is None or (isinstance(raw, str) and not raw.strip(_ASCII_SPACE)):
        return None
    return parse_int(raw, **kwargs)  # type: ignore[arg-type]


def money_max() -> Decimal:
    return Decimal(settings.CASETRAIL_MONEY_MAX)


def parse_money(
    raw: object,
    *,
    where: str = "",
    field: str | None = None,
    negative: bool = False,
    maximum: Decimal | None = None,
) -> Decimal:
    """An amount in yuan: text like ``1234.5`` / ``1,234.50`` (ASCII digits, at most two decimal
    places), a JSON integer, or a finite JSON number with at most two places. Returns the amount
    with exactly two places; ``-0`` gives ``0.00``."""
    bad = ActionError(
        "invalid_money",
        f"{_prefix(where)}金额格式不正确：应为数字（元），最多两位小数",
        field=field,
    )
    amount: Decimal
    if isinstance(raw, bool):
        raise bad
    if isinstance(raw, int):
        amount = Decimal(raw)
    elif isinstance(raw, float):
        if not math.isfinite(raw):
            raise bad
        amount = Decimal(repr(raw))  # the shortest text of the float, as the client wrote it
    elif isinstance(raw, Decimal):
        if not raw.is_finite():
            raise bad
        amount = raw
    elif isinstance(raw, str):
        text = raw.strip(_ASCII_SPACE)
        if not _MONEY.fullmatch(text):
            raise bad
        amount = Decimal(text.replace(",", ""))
    else:
        raise bad
    try:
        cents = amount.quantize(_CENT)
    except InvalidOperation:
        raise bad from None  # too many digits to quantize: out of any range anyway
    if cents != amount:
        raise bad
    if cents == 0:
        return Decimal("0.00")  # -0 and 0 alike
    if cents < 0 and not negative:
        raise ActionError("invalid_money", f"{_prefix(where)}金额不能为负数", field=field)
    limit = money_max() if maximum is None else maximum
    if abs(cents) > limit:
        raise ActionError(
            "money_out_of_range",
            f"{_prefix(where)}金额不能超过 {limit:,} 元",
            field=field,
        )
    return cents


def id_or_none(raw: object) -> int | None:
    """A row id from a URL, a query string or a form (ASCII digits, 1..2^53−1), or None: the
    ``*_for_user`` selectors answer 404 for anything else, as for an id that does not exist."""
    try:
        return parse_int(raw, minimum=1, digits_only=True)
    except ActionError:
        return None
