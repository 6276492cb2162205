"""How a database row is written into a ledger payload, so the entry holds the full fact.

One generic rule for every model: its concrete fields by column name, times in UTC ISO 8601, foreign
keys as ids. The ledger issue's `verify` compares rows against exactly this form.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

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


# Every ledgered model, with the path from it to its agency id (to scope `verify --agency`).
# `verify` reports a row of these tables that no ledger entry recorded. Apps add their own.
LEDGERED_MODELS: dict[str, str] = {
    "org.Agency": "id",
    "org.Unit": "agency_id",
    "org.Officer": "agency_id",
    "org.OfficerRole": "officer__agency_id",
    "cases.Case": "agency_id",
    "cases.CaseNumberCounter": "agency_id",
    "cases.CaseOfficer": "case__agency_id",
    "cases.Party": "case__agency_id",
    "cases.StageChange": "case__agency_id",
    "records.Record": "case__agency_id",
    "records.RecordSignature": "record__case__agency_id",
    "records.RecordAttachment": "record__case__agency_id",
    "approvals.Chain": "case__agency_id",
    "approvals.Step": "chain__case__agency_id",
    "org.Device": "agency_id",
    "compliance.Exemption": "case__agency_id",
    "evidence.Blob": "agency_id",
    "evidence.Item": "agency_id",
    "evidence.ItemLink": "item__agency_id",
    "evidence.AccessLog": "item__agency_id",
}
