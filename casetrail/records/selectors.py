"""Reads of records, through the case's access function."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from casetrail.cases.models import Case
from casetrail.records.catalogue import CATALOGUE, DocType
from casetrail.records.models import Record


def record_for_user(*, user: Any, record_id: int | str) -> Record:
    """The record if ``user`` may read its case; otherwise 404."""
    from casetrail.cases.selectors import case_for_user

    try:
        pk = int(record_id)
    except (TypeError, ValueError):
        raise Http404("记录不存在") from None
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
