"""The records app's parts of a case (registered from ``RecordsConfig.ready()``): 制作文书 beside
the case's steps, the documents by stage, each record in the full record, and the ``records`` key
of the case API. Each record's fields are shown to the viewer with personal data masked unless
``may_see_personal_data`` lets them see it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse

from casetrail.cases.hooks import CaseAct, CasePage, Panel, TimelineItem
from casetrail.cases.models import Stage
from casetrail.cases.selectors import (
    page_marks,
    page_read_state,
    page_sees_personal,
    stage_changes_of,
)
from casetrail.lib.masking import mask_text
from casetrail.records.actions import material_mark
from casetrail.records.display import fields_for, withheld_for
from casetrail.records.forms import mark_form
from casetrail.records.links import record_links
from casetrail.records.models import Record
from casetrail.records.numbers import prefetch_numbers


def _records(page: CasePage) -> list[Record]:
    if "records" not in page.memo:
        page.memo["records"] = list(
            page.case.records.select_related("created_by", "replaces").prefetch_related(
                "signatures__blob", "attachments__blob", "attachments__item__device"
            )
        )
        # Their 文号 (issued documents) in one query, for every reference the page prints.
        memo = page.memo["records"]
        prefetch_numbers([*memo, *(r.replaces for r in memo if r.replaces is not None)])
    records: list[Record] = page.memo["records"]
    return records


def personal(page: CasePage) -> bool:
    """Whether the page's viewer sees the case's personal data unmasked (asked once a page)."""
    return page_sees_personal(page)


def mark_labels(page: CasePage, record: Record) -> list[str]:
    """What the record is marked (商业秘密, 个人隐私), read once a page for all records."""
    return [m.get_kind_display() for m in page_marks(page).get(f"record:{record.pk}", [])]


def withheld(page: CasePage, record: Record) -> str:
    """The stand-in for a marked record's content when the viewer may not read it, or has not
    yet given a reason (第三十三条); "" when the record is shown."""
    labels = mark_labels(page, record)
    return withheld_for(labels) if labels and not page_read_state(page).unlocked else ""


def may_record(page: CasePage) -> bool:
    case = page.case
    return page.is_assigned and case.is_open and case.stage != Stage.START


def links(page: CasePage) -> list[tuple[str, str]]:
    return [(reverse("record-choose", args=[page.case.pk]), "制作文书")] if may_record(page) else []


def stage_made_in(record: Record, changes: list[tuple[dt.datetime, str]]) -> str:
    """The stage the case was in when ``record`` was made (for documents of several stages)."""
    stage = Stage.START.value
    for at, to_stage in changes:
        if at <= record.created_at:
            stage = to_stage
    return stage


def corrected_by(page: CasePage) -> dict[int, Record]:
    """Each superseded record's id → the version that corrected it (已更正)."""
    return {r.replaces_id: r for r in _records(page) if r.replaces_id}


def by_stage(page: CasePage) -> dict[str, Any] | None:
    """The case's documents grouped by the stage they belong to (latest versions only), each
    with the links offered beside it (``records.links``: 打印, 上传签字件 … then 添加附件, 更正);
    a document of several stages under the one it was made in."""
    records = _records(page)
    superseded = corrected_by(page)
    editable = may_record(page)
    changes = [(c.at, c.to_stage) for c in stage_changes_of(page.case)]
    groups: dict[str, list[tuple[Record, list[tuple[str, str]]]]] = {v: [] for v in Stage.values}
    for r in records:
        doc = r.doc
        if r.pk in superseded or doc is None:
            continue
        links = record_links(r, page.officer)
        if editable and r.kind_is_catalogued:
            links += [
                (reverse("record-attach", args=[r.pk]), "添加附件"),
                (reverse("record-correct", args=[r.pk]), "更正"),
            ]
        made_in = stage_made_in(r, changes)
        groups[made_in if made_in in doc.stages else doc.stage].append((r, links))
    found = [(Stage(stage).label, items) for stage, items in groups.items() if items]
    return {"records_by_stage": found} if found else None


def timeline(page: CasePage) -> list[TimelineItem]:
    editable = may_record(page)
    sees = personal(page)
    superseded = corrected_by(page)
    names = {r.pk: r.reference for r in _records(page)}
    return [
        TimelineItem(
            record.created_at,
            0,
            "records/_timeline_record.html",
            record,
            page.ledger.get(f"records.Record:{record.pk}"),
            {
                # A superseded record offers no 更正: the current version is corrected instead.
                "may_record": editable and record.pk not in superseded,
                "corrected_by": superseded.get(record.pk),
                "fields": record.shown_fields(personal=sees, references=names),
                "sees": sees,  # free text (a correction's reason) masked unless
                "marks": mark_labels(page, record),
                "withheld": withheld(page, record),
                # 打印, 上传签字件 … offered by the apps above records (records.links).
                "links": record_links(record, page.officer),
            },
        )
        for record in _records(page)
    ]


def api(page: CasePage) -> list[dict[str, Any]]:
    sees = personal(page)
    return [
        {
            "id": r.pk,
            "kind": r.kind,
            "catalogue_version": r.version,
            "title": r.title,
            "fields": {} if withheld(page, r) else fields_for(r.doc, r.fields, personal=sees),
            "personal_masked": not sees,
            "marks": mark_labels(page, r),
            "withheld": withheld(page, r) or None,
            "created_by": r.created_by.name,
            "created_at": r.created_at,
            "replaces": r.replaces_id,
            "correction_reason": r.correction_reason if sees else mask_text(r.correction_reason),
            "ledger_seq": page.ledger.get(f"records.Record:{r.pk}"),
        }
        for r in _records(page)
    ]


PANEL = Panel("records", 60, "records/_panel_by_stage.html", by_stage, section="documents")


MARK = CaseAct(
    "标记涉密材料",
    mark_form,
    lambda case, officer, d: material_mark(officer=officer, **d),
    lambda case: case.is_open,
    order=96,
)
