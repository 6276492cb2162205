"""Masking of personal data (ID numbers, phones, addresses) for viewers who may not see it."""

from __future__ import annotations


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
