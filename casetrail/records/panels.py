"""The records app's parts of a case (registered from ``RecordsConfig.ready()``): 制作文书 beside
the case's steps, the documents by stage, each record in the full record, and the ``records`` key
of the case API."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from casetrail.cases.hooks import CasePage, Panel, TimelineItem
from casetrail.cases.models import Stage
from casetrail.records.catalogue import CATALOGUE
from casetrail.records.models import Record


def _records(page: CasePage) -> list[Record]:
    if "records" not in page.memo:
        page.memo["records"] = list(
            page.case.records.select_related("created_by", "replaces").prefetch_related(
                "signatures__blob", "attachments__blob"
            )
        )
    records: list[Record] = page.memo["records"]
    return records


def may_record(page: CasePage) -> bool:
    case = page.case
    return page.is_assigned and case.is_open and case.stage != Stage.START


def links(page: CasePage) -> list[tuple[str, str]]:
    return [(reverse("record-choose", args=[page.case.pk]), "制作文书")] if may_record(page) else []


def by_stage(page: CasePage) -> dict[str, Any] | None:
    """The case's documents grouped by the stage they belong to (latest versions only)."""
    records = _records(page)
    superseded = {r.replaces_id for r in records if r.replaces_id}
    groups: dict[str, list[Record]] = {value: [] for value in Stage.values}
    for r in records:
        doc = CATALOGUE.get(r.kind)
        if r.pk not in superseded and doc is not None:
            groups[doc.stage].append(r)
    found = [(Stage(stage).label, items) for stage, items in groups.items() if items]
    return {"records_by_stage": found} if found else None


def timeline(page: CasePage) -> list[TimelineItem]:
    editable = may_record(page)
    return [
        TimelineItem(
            record.created_at,
            0,
            "records/_timeline_record.html",
            record,
            page.ledger.get(f"records.Record:{record.pk}"),
            {"may_record": editable},
        )
        for record in _records(page)
    ]


def api(page: CasePage) -> list[dict[str, Any]]:
    return [
        {
            "id": r.pk,
            "kind": r.kind,
            "title": r.title,
            "fields": r.fields,
            "created_by": r.created_by.name,
            "created_at": r.created_at,
            "replaces": r.replaces_id,
            "correction_reason": r.correction_reason,
            "ledger_seq": page.ledger.get(f"records.Record:{r.pk}"),
        }
        for r in _records(page)
    ]


PANEL = Panel("records", 60, "records/_panel_by_stage.html", by_stage)
