"""Validators of Chinese identifiers shared by the apps: the 居民身份证号码 check digit (GB 11643)
and the characters a phone number may hold. Parties (cases) and persons named in documents
(records) are checked by the same rules."""

from __future__ import annotations

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def valid_id_number(value: str) -> bool:
    """GB 11643 check digit of an 18-digit 居民身份证号码."""
    v = value.strip().upper()
    if len(v) != 18 or not v[:17].isdigit() or not (v[17].isdigit() or v[17] == "X"):
        return False
    total = sum(int(d) * w for d, w in zip(v[:17], _WEIGHTS, strict=True))
    return "10X98765432"[total % 11] == v[17]


def valid_phone(value: str) -> bool:
    """A phone number as people write it: digits with - + and spaces."""
    return all(c.isdigit() or c in "-+ " for c in value)
