"""One locked yearly counter: the gapless numbers the agency hands out (case numbers, 文号, the
archive's 件号) all come from a counter row keyed by some fields and a year, locked with
``SELECT … FOR UPDATE`` and advanced inside the action's transaction, so an action that rolls back
gives its number back and two concurrent actions never draw the same one.

Generic over the model: any model with the key fields, ``year`` and ``last`` (an integer starting
at 0) and a unique constraint on the key fields plus ``year``.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import models

from casetrail.lib.ledgered import step

M = TypeVar("M", bound=models.Model)


@step
def next_in_year(model: type[M], *, year: int, **key: Any) -> M:
    """Lock the counter row of (``key``…, ``year``), creating it at 0 if missing, advance ``last``
    by one and return the row (``row.last`` is the number drawn). Runs only inside an action."""
    model._default_manager.get_or_create(year=year, **key)
    counter = model._default_manager.select_for_update(no_key=True).get(year=year, **key)
    counter.last += 1  # type: ignore[attr-defined]
    counter.save(update_fields=["last"])
    return counter
