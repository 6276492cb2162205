"""``{% idempotency_field %}``: the hidden Idempotency-Key of a web form (casetrail.org.idempotency).
A new key each time the form is shown, so a double-click sends the same key twice and gets one
record; registered as a template builtin, so every form template may use it without loading."""

from __future__ import annotations

import uuid

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.simple_tag
def idempotency_field() -> SafeString:
    return format_html('<input type="hidden" name="idempotency_key" value="{}">', uuid.uuid4().hex)
