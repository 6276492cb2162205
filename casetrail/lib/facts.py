"""How a database row is written into a ledger payload, so the entry holds the full fact.

One generic rule for every model: its concrete fields by column name, times in UTC ISO 8601, foreign
keys as ids. ``casetrail verify`` compares rows against exactly this form.

A model whose rows are recorded facts says so with ``RECORDED_AGENCY``: the lookup path from it to
its agency id (``"case__agency_id"``). ``recorded_models()`` finds them all, so `verify` knows which
tables to compare and the test suite knows which tables only actions may write — without the lower
apps naming the higher ones.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.db import models


def _value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def fact_of(instance: models.Model) -> dict[str, Any]:
    """The row as a JSON-ready dict: {"table": "app.Model", "id": …, column: value, …}."""
    data: dict[str, Any] = {"table": instance._meta.label, "id": instance.pk}
    for f in instance._meta.concrete_fields:
        if f.primary_key:
            continue
        data[f.attname] = _value(getattr(instance, f.attname))
    return data


def recorded_models() -> dict[str, tuple[type[models.Model], str]]:
    """Every model of recorded facts: label → (model, lookup path to its agency id)."""
    out: dict[str, tuple[type[models.Model], str]] = {}
    for model in apps.get_models():
        path = getattr(model, "RECORDED_AGENCY", None)
        if path:
            out[model._meta.label] = (model, path)
    return out
