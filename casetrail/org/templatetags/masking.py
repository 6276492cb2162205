"""``{{ text|masked_unless:sees }}``: free text as a viewer may see it — whole when ``sees`` (the
viewer may read the case's personal data, ``may_read_marked``), otherwise with every ID and phone
number in it masked (``casetrail.lib.masking.mask_text``)."""

from __future__ import annotations

from typing import Any

from django import template

from casetrail.lib.masking import mask_texts

register = template.Library()


@register.filter
def masked_unless(value: Any, sees: bool) -> Any:
    return value if sees else mask_texts(value)
