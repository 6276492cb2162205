"""What each row of a long list shows, prepared once a page instead of once a row in the template:
a link to the row's page and its time as text. On the worklist's 40 deadline cards, ``{% url %}``
and ``|date`` took about 6 ms each per page (issue 18, pages at scale): the route is reversed
once here, and the time formatted with ``strftime``, not Django's general date formatter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.urls import reverse
from django.utils import timezone

# An id no row has, reversed in place of a row's id: the route's text around it is the same for
# every id (the routes take ``<int:…>``, whose text is the number itself).
_PLACEHOLDER = 918273645


def id_link(name: str) -> Callable[[int], str]:
    """``reverse(name, args=[pk])`` for many ids of one route, reversing it once."""
    head, found, tail = reverse(name, args=[_PLACEHOLDER]).partition(str(_PLACEHOLDER))
    if not found:  # a route that does not put the id in the path as written
        return lambda pk: reverse(name, args=[pk])
    return lambda pk: f"{head}{int(pk)}{tail}"


def minute(at: dt.datetime, tz: dt.tzinfo | None = None) -> str:
    """``at`` in the current time zone as the templates' ``|date:"Y-m-d H:i"`` writes it;
    ``tz``: that zone, when a caller formatting many times read it once
    (``timezone.get_current_timezone()``, a thread-local lookup)."""
    return timezone.localtime(at, tz).strftime("%Y-%m-%d %H:%M")


def day(at: dt.datetime | dt.date) -> str:
    """``at`` as ``|date:"Y-m-d"`` writes it (a moment in the current time zone)."""
    if isinstance(at, dt.datetime):
        at = timezone.localtime(at)
    return at.strftime("%Y-%m-%d")
