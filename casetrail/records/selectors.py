"""Reads of records, through the case's access function."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from casetrail.cases.models import Case, Mark
from casetrail.evidence.selectors import ITEM_TEXTS
from casetrail.lib.numbers import id_or_none
from casetrail.records.catalogue import CATALOGUE, DocType
from casetrail.records.display import withheld_for
from casetrail.records.models import Record


def record_for_user(*, user: Any, record_id: int | str) -> Record:
    """The record if ``user`` may read its case; otherwise 404."""
    from casetrail.cases.selectors import case_for_user

    pk = id_or_none(record_id)
    if pk is None:
        raise Http404("记录不存在")
    case_id = Record.objects.filter(pk=pk).values_list("case_id", flat=True).first()
    if case_id is None:
        raise Http404("记录不存在")
    case = case_for_user(user=user, case_id=case_id)
    record = Record.objects.select_related("created_by").get(pk=pk)
    record.case = case
    return record


def documents_for(case: Case) -> list[DocType]:
    """The document types that can be made in the case's current stage and procedure (a
    document of several stages in each of them) through 制作文书: not those made by proposing a
    decision or by a step of its approval chain (``made_by``)."""
    return [
        d
        for d in CATALOGUE.values()
        if case.stage in d.stages
        and "start" not in d.stages
        and d.made_by == "handler"
        and (not d.procedure or d.procedure == case.procedure)
    ]


# The tables whose rows a mark withholds on the masked ledger entry page, and the ledger subject
# prefix of each (a Mark's target).
MARKED_TABLES = {"records.Record": "record", "evidence.Item": "evidence"}


def withhold_marked_row(row: dict[str, Any]) -> dict[str, Any]:
    """A ledger masker (registered from ``RecordsConfig.ready()``): the row of a marked record or
    media item with its content withheld (第三十三条) — the fields of a record, the free text of
    an item — so the masked entry page says it exists and is withheld."""
    prefix = MARKED_TABLES.get(str(row.get("table")))
    if prefix is None or "id" not in row:
        return row
    marks = Mark.objects.filter(target=f"{prefix}:{row['id']}")
    labels = [m.get_kind_display() for m in marks]
    if not labels:
        return row
    text = withheld_for(labels)
    if prefix == "record":
        return {**row, "fields": text}
    return {**row, **{k: text for k in ITEM_TEXTS if row.get(k)}}
