"""The API's input fields (DRF), one class per kind of value, each calling the same helper as the
forms (``casetrail.lib.form_fields``), the document catalogue and the actions:

* ``IntegerField`` — ASCII digits, within ±(2^53−1) (``casetrail.lib.numbers.parse_int``);
* ``MoneyField`` — yuan, finite, at most two places, the configured maximum (``parse_money``);
* ``TextField`` / ``NameField`` — a maximum length, no invisible characters (``casetrail.lib.text``);
* ``IdNumberField`` / ``CreditCodeField`` / ``PhoneField`` — normalised and checked
  (``casetrail.lib.identifiers``).

A refusal is a DRF ``ValidationError`` carrying the helper's code (``invalid_number``, ``too_long``
…); ``casetrail.lib.api.exception_handler`` answers it as ``{"code": that code, …}``. A test walks
every serializer of the apps and fails on a plain ``CharField`` or ``IntegerField``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from rest_framework import serializers

from casetrail.lib import identifiers, numbers, text
from casetrail.lib.errors import ActionError


def _checked(check: Callable[[], Any]) -> Any:
    try:
        return check()
    except ActionError as err:
        raise serializers.ValidationError(err.message, code=err.code) from None


class IntegerField(serializers.IntegerField):
    """An integer as JSON or ASCII digits, within ±(2^53−1) unless narrower bounds are given."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", -numbers.MAX_SAFE_INTEGER)
        kwargs.setdefault("max_value", numbers.MAX_SAFE_INTEGER)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> int:
        low = self.min_value if self.min_value is not None else -numbers.MAX_SAFE_INTEGER
        high = self.max_value if self.max_value is not None else numbers.MAX_SAFE_INTEGER
        return int(_checked(lambda: numbers.parse_int(data, minimum=low, maximum=high)))


class IdField(IntegerField):
    """The id of a row: a positive integer."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        super().__init__(**kwargs)


class MoneyField(serializers.DecimalField):
    """Yuan: a JSON number or text, finite, at most two decimal places; answered as text."""

    def __init__(self, *, negative: bool = False, **kwargs: Any) -> None:
        self.negative = negative
        kwargs.setdefault("max_digits", 20)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Decimal:
        value: Decimal = _checked(lambda: numbers.parse_money(data, negative=self.negative))
        return value


class TextField(serializers.CharField):
    """Free text: at most ``max_length`` characters (default ``TEXT_MAX``), no control character
    other than tab and line breaks, no bidirectional control."""

    name_like = False
    default_max_length = text.TEXT_MAX

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", self.default_max_length)
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        if isinstance(data, bool) or not isinstance(data, str | int):
            self.fail("invalid")
        value: str = _checked(
            lambda: text.clean_text(
                data, where=str(self.label or ""), limit=self.max_length or 0, name=self.name_like
            )
        )
        return value


class LineField(TextField):
    """One line of text: a title, a place (``LINE_MAX``)."""

    default_max_length = text.LINE_MAX


class NameField(TextField):
    """A name or an identifier typed by a person: one line, nothing invisible (``NAME_MAX``)."""

    name_like = True
    default_max_length = text.NAME_MAX


class _IdentifierField(NameField):
    """An identifier typed by a person, checked and stored in its normal form by ``cleaner``."""

    default_max_length = 30  # room for spaces typed between groups
    cleaner: Callable[[str], str] = staticmethod(identifiers.normalize_phone)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        return str(_checked(lambda: self.cleaner(value)))


class IdNumberField(_IdentifierField):
    """A 居民身份证号码 (GB 11643): full-width digits to ASCII, ``X`` upper-case."""

    cleaner = staticmethod(identifiers.clean_id_number)


class CreditCodeField(_IdentifierField):
    """A 统一社会信用代码 (GB 32100): upper-case ASCII."""

    cleaner = staticmethod(identifiers.clean_credit_code)


class PhoneField(_IdentifierField):
    cleaner = staticmethod(identifiers.clean_phone)
