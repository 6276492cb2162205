"""Service of documents (第二十二至二十六条) as the rules and deadlines read it: which documents are
served, which records prove service, and when service took effect."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from casetrail.compliance.engine import CaseView, ref
from casetrail.compliance.holidays import calendar

SERVICE_DOCS = (
    "administrative_decision",
    "correction_order",
    "demand_notice",
    "statement_review_opinion",
    "enforcement_decision",
)
# CaseView.records_of also finds records under retired codes of these documents (a 送达回证 of the
# investigation stored as investigation_service_receipt under catalogue version 1).
SERVICE_RECORDS = (
    "service_receipt",
    "direct_service_record",
    "mail_service_record",
    "left_service_record",
    "public_notice_service_record",
    "electronic_service_record",
    "fax_service_record",
    "entrusted_service_record",
    "transfer_service_record",
)


def moment(record: Any, *names: str) -> dt.datetime | None:
    """The first of the record's fields ``names`` that holds a date or time, as an aware time."""
    for name in names:
        value = record.fields.get(name)
        if value:
            parsed = parse_datetime(value)  # also takes a bare date, as a naive midnight
            if parsed is not None:
                return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed
            day = parse_date(value)
            if day is not None:
                return timezone.make_aware(dt.datetime.combine(day, dt.time()))
    return None


def effective_service_date(record: Any) -> dt.date | None:
    """When service took effect (第二十二至二十六条): direct/left/entrusted/transfer — the signing
    date; mail — the receipt date; 公告 — 30 days after publication (行政处罚法第六十一条 with
    民事诉讼法第九十五条; a last day off moves to the next working day, 第八十五条); electronic or
    fax — arrival. A returned letter never took effect."""
    if record.kind == "mail_service_record":
        if record.fields.get("outcome") != "delivered":
            return None
        when = moment(record, "received_on")
    elif record.kind == "public_notice_service_record":
        published = moment(record, "published_at")
        return calendar().period_end(timezone.localdate(published), 30).day if published else None
    elif record.kind in ("electronic_service_record", "fax_service_record"):
        when = moment(record, "arrived_at")
    else:
        when = moment(record, "served_at")
    return timezone.localdate(when) if when else None


def services_of(view: CaseView, document: Any) -> list[Any]:
    """The service records of ``document``."""
    return [r for r in view.records_of(*SERVICE_RECORDS) if ref(r, "document") == document.pk]


def served_on(view: CaseView, document: Any) -> dt.date | None:
    """The earliest date on which service of ``document`` took effect, if it has."""
    dates = [d for r in services_of(view, document) if (d := effective_service_date(r))]
    return min(dates) if dates else None
