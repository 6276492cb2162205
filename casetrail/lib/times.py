"""Dates and times typed by people or sent by clients, read one way everywhere: ASCII digits
only, and a date that does not exist (2026-02-30) is refused as bad input — a 400 naming the
field, in the API exactly as in a form (Django's ``parse_date`` and ``parse_datetime`` raise
``ValueError`` for it, which was a 500 in the API and a 503 at the end of an upload)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from casetrail.lib.errors import ActionError


def _prefix(where: str) -> str:
    return f"{where}：" if where else ""


def parse_day(raw: object, *, where: str = "", field: str | None = None) -> dt.date:
    """A date as YYYY-MM-DD (or a ``date``)."""
    if isinstance(raw, dt.datetime):
        raise ActionError("invalid_date", f"{_prefix(where)}应为日期（YYYY-MM-DD）", field=field)
    if isinstance(raw, dt.date):
        return raw
    try:
        # ASCII only: the pattern behind parse_date takes any script's digits.
        day = parse_date(raw.strip()) if isinstance(raw, str) and raw.isascii() else None
    except ValueError:
        raise ActionError(
            "invalid_date", f"{_prefix(where)}{raw} 不是存在的日期", field=field
        ) from None
    if day is None:
        raise ActionError("invalid_date", f"{_prefix(where)}日期格式应为 YYYY-MM-DD", field=field)
    return day


def parse_moment(raw: object, *, where: str = "", field: str | None = None) -> dt.datetime:
    """A date and time (YYYY-MM-DDTHH:MM[:SS][offset], or a ``datetime``); without an offset it
    is the agency's local time. The date and the time may also be separated by a space."""
    moment: dt.datetime | None
    if isinstance(raw, dt.datetime):
        moment = raw
    else:
        text = raw.strip().replace(" ", "T", 1) if isinstance(raw, str) and raw.isascii() else ""
        try:
            moment = parse_datetime(text) if text else None
        except ValueError:
            raise ActionError(
                "invalid_datetime", f"{_prefix(where)}{raw} 不是存在的时间", field=field
            ) from None
    if moment is None:
        raise ActionError(
            "invalid_datetime", f"{_prefix(where)}时间格式应为 YYYY-MM-DDTHH:MM", field=field
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def moment_from_metadata(raw: str, *, where: str = "", field: str | None = None) -> None:
    """Check a time of upload metadata (empty: not given) the way the upload is finished with."""
    if raw.strip():
        parse_moment(raw, where=where, field=field)
