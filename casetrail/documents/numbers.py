"""The 文号 as the rest of the system reads it (registered with ``records.numbers`` and
``records.guards`` from ``DocumentsConfig.ready()``): the issued document's number is the record's
number; a number is never typed into a record (issue 11 item 3).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from casetrail.cases.models import Case
from casetrail.documents.families import NUMBERED, family_of
from casetrail.documents.models import IssuedDocument
from casetrail.records.guards import Refusal

#: The field of 行政执法决定书 (version 3) that holds the number printed on an on-the-spot
#: decision's pre-printed, numbered form (行政处罚法第五十二条); only 当场处罚 writes it.
SPOT_FORM_NO = "spot_form_no"


def issued_numbers(records: Sequence[Any]) -> dict[int, str]:
    """{record id: 文号} of the records issued with a number; one query, none when no record is
    of a numbered family."""
    ids = [r.pk for r in records if family_of(r.kind) in NUMBERED]
    if not ids:
        return {}
    rows = IssuedDocument.objects.filter(record_id__in=ids, doc_no__isnull=False)
    return {
        record_id: doc_no or "" for record_id, doc_no in rows.values_list("record_id", "doc_no")
    }


def no_typed_number(case: Case, kind: str, fields: dict[str, Any]) -> Refusal | None:
    """制作文书 and 更正 take no 文号: it is drawn from the register when the document is issued
    (a typed number let two cases share one). The pre-printed form's number is recorded by
    当场处罚 itself, which writes the decision without this guard."""
    if fields.get(SPOT_FORM_NO):
        return Refusal(
            "typed_doc_no",
            "文号不能填写：签发文书时由本机关的文号登记自动取号；当场处罚决定书的编号由“当场处罚”记入",
        )
    return None
