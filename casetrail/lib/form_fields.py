"""The web forms' input fields, one class per kind of value, calling the same helpers as the API's
fields (``casetrail.lib.api_fields``): the same input is refused with the same message on a page
and over the API. Django's own ``IntegerField`` and ``DecimalField`` accept full-width and other
Unicode digits (``int('１２')``), and its ``CharField`` has no length unless one is given."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms

from casetrail.lib import identifiers, numbers, text
from casetrail.lib.errors import ActionError


def _checked(check: Callable[[], Any]) -> Any:
    try:
        return check()
    except ActionError as err:
        raise forms.ValidationError(err.message, code=err.code) from None


class IntegerField(forms.IntegerField):
    """An integer of ASCII digits within ±(2^53−1) (narrower with ``min_value``/``max_value``)."""

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        low = self.min_value if self.min_value is not None else -numbers.MAX_SAFE_INTEGER
        high = self.max_value if self.max_value is not None else numbers.MAX_SAFE_INTEGER
        return int(_checked(lambda: numbers.parse_int(value, minimum=low, maximum=high)))


class MoneyField(forms.DecimalField):
    """Yuan, finite, at most two places, within the configured maximum; negative only if asked."""

    def __init__(self, *, negative: bool = False, **kwargs: Any) -> None:
        self.negative = negative
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", None if negative else Decimal("0"))
        super().__init__(**kwargs)

    # Any: django-stubs has DecimalField extend IntegerField, whose to_python returns int.
    def to_python(self, value: Any) -> Any:
        if value in self.empty_values:
            return None
        amount: Decimal = _checked(lambda: numbers.parse_money(value, negative=self.negative))
        return amount

    def validate(self, value: Any) -> None:
        forms.Field.validate(self, value)  # parse_money checked the rest


class TextField(forms.CharField):
    """Free text with a maximum length (``TEXT_MAX`` unless given) and no invisible controls."""

    name_like = False
    default_max_length = text.TEXT_MAX

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", self.default_max_length)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        value = super().to_python(value)
        if value in self.empty_values:
            return str(value)
        return str(
            _checked(
                lambda: text.clean_text(
                    value, where="", limit=self.max_length or 0, name=self.name_like
                )
            )
        )


class LineField(TextField):
    default_max_length = text.LINE_MAX


class NameField(TextField):
    """A name or an identifier: one line, nothing invisible (``NAME_MAX`` unless given)."""

    name_like = True
    default_max_length = text.NAME_MAX


class _IdentifierField(NameField):
    """An identifier typed by a person, checked and normalised by ``cleaner`` (as in the API)."""

    default_max_length = 30
    cleaner: Callable[[str], str] = staticmethod(identifiers.normalize_phone)

    def to_python(self, value: Any) -> str:
        value = super().to_python(value)
        return str(_checked(lambda: self.cleaner(value))) if value else value


class IdNumberField(_IdentifierField):
    cleaner = staticmethod(identifiers.clean_id_number)


class CreditCodeField(_IdentifierField):
    cleaner = staticmethod(identifiers.clean_credit_code)


class PhoneField(_IdentifierField):
    cleaner = staticmethod(identifiers.clean_phone)
