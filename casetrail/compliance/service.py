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


# 电子、传真送达 from catalogue version 3 on: the outcomes that mean the document arrived. Records of
# version 2 have no outcome; their arrival time was required, so they arrived.
ARRIVED = {"electronic_service_record": "arrived", "fax_service_record": "confirmed"}
# 留置送达 (第二十四条) and 公告送达 (第二十五条): the service itself is filmed, and the clip is kept
# with the record of that service. The time field the service happened at, by record kind.
FILMED_SERVICE = {
    "left_service_record": "served_at",
    "public_notice_service_record": "published_at",
}
# A clip counts for a service when its recorded time overlaps this window around the service's
# recorded time (typed to the minute; the filming runs from arrival to leaving).
SERVICE_EVENT_MARGIN = dt.timedelta(hours=1)


def effective_service_date(record: Any) -> dt.date | None:
    """When service took effect (第二十二至二十六条): direct/left/entrusted/transfer — the signing
    date; mail — the receipt date; 公告 — 30 days after publication (行政处罚法第六十一条 with
    民事诉讼法第九十五条; a last day off moves to the next working day, 第八十五条); electronic or
    fax — arrival. Service that did not happen never took effect: a returned letter, an e-mail or
    fax whose arrival is not confirmed or that failed, a record without its date."""
    if record.kind == "mail_service_record":
        if record.fields.get("outcome") != "delivered":
            return None
        when = moment(record, "received_on")
    elif record.kind == "public_notice_service_record":
        published = moment(record, "published_at")
        return calendar().period_end(timezone.localdate(published), 30).day if published else None
    elif record.kind in ARRIVED:
        outcome = record.fields.get("outcome")
        if outcome is not None and outcome != ARRIVED[record.kind]:
            return None
        when = moment(record, "arrived_at")
    else:
        when = moment(record, "served_at")
    return timezone.localdate(when) if when else None


def why_not_served(record: Any) -> str:
    """Why a service record did not take effect (for a record whose date is empty)."""
    if record.kind == "mail_service_record":
        return "邮件被退回" if record.fields.get("outcome") == "returned" else "未取得回执签收日期"
    if record.kind in ARRIVED and record.fields.get("outcome") not in (None, ARRIVED[record.kind]):
        return "未能确认送达到达" if record.fields.get("outcome") == "unconfirmed" else "发送失败"
    return "未记载送达日期"


def services_of(view: CaseView, document: Any) -> list[Any]:
    """The service records of ``document``, whether or not service took effect."""
    return [r for r in view.records_of(*SERVICE_RECORDS) if ref(r, "document") == document.pk]


def effective_services_of(view: CaseView, document: Any) -> list[Any]:
    """The service records of ``document`` by which service took effect."""
    return [r for r in services_of(view, document) if effective_service_date(r)]


def served_on(view: CaseView, document: Any) -> dt.date | None:
    """The earliest date on which service of ``document`` took effect, if it has."""
    dates = [d for r in services_of(view, document) if (d := effective_service_date(r))]
    return min(dates) if dates else None


def filmed_at(record: Any) -> dt.datetime | None:
    """The time of a service that must be filmed (留置 on its own record or on the 送达回证,
    公告), or None for a service that need not be."""
    if record.kind in FILMED_SERVICE:
        return moment(record, FILMED_SERVICE[record.kind])
    if record.kind == "service_receipt" and record.fields.get("method") == "left":
        return moment(record, "served_at")
    return None


def service_clip_problems(record: Any, at: dt.datetime) -> list[str]:
    """What is wrong with the audio/video of a filmed service (第二十四、二十五条): none attached to
    the record itself, or none whose trusted time overlaps the service (``at`` ± an hour). Empty
    when one fits."""
    clips = [a.item for a in record.attachments.all() if a.kind == "av" and a.item is not None]
    if not clips:
        return ["未附送达过程的音像记录（应附在本送达记录上）"]
    start, end = at - SERVICE_EVENT_MARGIN, at + SERVICE_EVENT_MARGIN
    fitting = [
        c for c in clips if (c.recorded_start or c.recorded_end) <= end and c.recorded_end >= start
    ]
    if any(c.time_trusted for c in fitting):
        return []
    if fitting:
        ids = "、".join(f"#{c.pk}" for c in fitting)
        return [f"所附音像记录{ids}的时间为人工填写且未说明理由，不能证明送达过程"]
    ids = "、".join(f"#{c.pk}" for c in clips)
    local = timezone.localtime(at)
    return [f"所附音像记录{ids}的记录时间不在本次送达（{local:%Y-%m-%d %H:%M}前后一小时）内"]
