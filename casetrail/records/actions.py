"""Writes of records. Records are insert-only; a correction is a new version naming the old one."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from casetrail.cases.models import Case
from casetrail.ledger.actions import ledger_append
from casetrail.ledger.facts import fact_of
from casetrail.lib.errors import ActionError
from casetrail.org.models import Officer
from casetrail.records.catalogue import clean_fields
from casetrail.records.models import Record


def add_record(
    *, case: Case, kind: str, officer: Officer, fields: dict[str, Any], now: dt.datetime
) -> Record:
    """Validate ``fields`` against the catalogue and insert the record. A building block of actions:
    it runs inside their transaction and their ledger entry carries the row."""
    values = clean_fields(kind, fields)
    return Record.objects.create(
        case=case, kind=kind, fields=values, created_by=officer, created_at=now
    )


def new_version(
    *, record: Record, officer: Officer, fields: dict[str, Any], reason: str, now: dt.datetime
) -> Record:
    """Insert a corrected version of ``record`` that names it and says why (第三十五条)."""
    if not reason.strip():
        raise ActionError("correction_reason_required", "更正记录须说明理由", field="reason")
    if record.replaced_by.exists():
        raise ActionError("record_superseded", "该记录已有更新的版本，请在最新版本上更正")
    merged = {**record.fields, **fields}
    values = clean_fields(record.kind, merged)
    return Record.objects.create(
        case=record.case,
        kind=record.kind,
        fields=values,
        created_by=officer,
        created_at=now,
        replaces=record,
        correction_reason=reason.strip(),
    )


def record_correct(
    *, record: Record, officer: Officer, fields: dict[str, Any], reason: str
) -> Record:
    """Correct a record of a case the officer handles: the original stays, the new version names it."""
    with transaction.atomic():
        case = record.case
        if not case.assignments.filter(officer=officer).exists():
            raise ActionError("not_assigned", "只有本案承办人员可以更正记录", status=403)
        if not case.is_open:
            raise ActionError("case_closed", "案件已结案，记录不能再更正")
        now = timezone.now()
        new = new_version(record=record, officer=officer, fields=fields, reason=reason, now=now)
        ledger_append(
            agency=case.agency,
            actor=officer,
            action="record.correct",
            subject=f"record:{new.pk}",
            payload={"case": case.pk, "rows": [fact_of(new)]},
            case_id=case.pk,
        )
        return new
