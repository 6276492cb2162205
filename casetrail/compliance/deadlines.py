"""The deadline calendar of a case, computed from its records (DEADLINE rules R9b, R27, R30a and
the periods of 行政处罚法 and 行政强制法). Each deadline names its basis; due and overdue ones feed
the worklists of the handlers and the supervisor, and `casetrail check-deadlines`.

Periods of 2, 3, 5 or 7 days count working days (行政处罚法第八十五条); others calendar days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from casetrail.cases.models import Case, Stage, StartStatus
from casetrail.compliance.engine import CaseView
from casetrail.compliance.rules import SERVICE_RECORDS, ref
from casetrail.lib.workdays import Calendar, parse_dates


@cache
def calendar() -> Calendar:
    return Calendar(
        parse_dates(settings.CASETRAIL_HOLIDAYS), parse_dates(settings.CASETRAIL_WORKDAYS)
    )


@dataclass
class Deadline:
    case: Case
    title: str
    basis: str
    due: dt.date | dt.datetime
    done: bool = False
    info: bool = False  # a date to know (e.g. when a public notice takes effect), not a duty

    @property
    def due_at(self) -> dt.datetime:
        if isinstance(self.due, dt.datetime):
            return self.due
        return timezone.make_aware(dt.datetime.combine(self.due, dt.time(23, 59, 59)))

    @property
    def overdue(self) -> bool:
        return not self.done and not self.info and self.due_at < timezone.now()

    def is_due_soon(self, hours: int) -> bool:
        return (
            not self.done
            and not self.info
            and not self.overdue
            and (self.due_at <= timezone.now() + dt.timedelta(hours=hours))
        )


def _moment(record: Any, *names: str) -> dt.datetime | None:
    for name in names:
        value = record.fields.get(name)
        if value:
            moment = parse_datetime(value)  # also takes a bare date, as a naive midnight
            if moment is not None:
                return timezone.make_aware(moment) if timezone.is_naive(moment) else moment
            day = parse_date(value)
            if day is not None:
                return timezone.make_aware(dt.datetime.combine(day, dt.time()))
    return None


def effective_service_date(record: Any) -> dt.date | None:
    """When service took effect (第二十二至二十六条): direct/left/entrusted/transfer — the signing
    date; mail — the receipt date; 公告 — 30 days after publication (行政处罚法第六十一条 with
    民事诉讼法第九十五条); electronic or fax — arrival. A returned letter never took effect."""
    if record.kind == "mail_service_record":
        if record.fields.get("outcome") != "delivered":
            return None
        moment = _moment(record, "received_on")
    elif record.kind == "public_notice_service_record":
        published = _moment(record, "published_at")
        return (timezone.localdate(published) + dt.timedelta(days=30)) if published else None
    elif record.kind in ("electronic_service_record", "fax_service_record"):
        moment = _moment(record, "arrived_at")
    else:
        moment = _moment(record, "served_at")
    return timezone.localdate(moment) if moment else None


def served_on(view: CaseView, document: Any) -> dt.date | None:
    dates = [
        d
        for r in view.records_of(*SERVICE_RECORDS)
        if ref(r, "document") == document.pk and (d := effective_service_date(r))
    ]
    return min(dates) if dates else None


def deadlines_of(case: Case) -> list[Deadline]:
    view = CaseView(case)
    cal = calendar()
    out: list[Deadline] = []
    if case.emergency and case.approval_due_at:
        out.append(
            Deadline(
                case,
                "紧急启动事后补报审批",
                f"第九条：情况紧急的，可以事后补报（{settings.CASETRAIL_EMERGENCY_APPROVAL_HOURS}小时，参照行政强制法第十九条）",
                case.approval_due_at,
                done=case.start_status != StartStatus.PENDING,
            )
        )
    for register in view.records_of("evidence_register"):
        made = _moment(register, "made_at") or register.created_at
        handled = [
            r
            for r in view.records_of("evidence_hold_handling_decision")
            if ref(r, "register") == register.pk
        ]
        out.append(
            Deadline(
                case,
                f"先行登记保存证据的处理决定（#{register.pk}）",
                "行政处罚法第五十六条：先行登记保存的，应当在七日内（工作日）及时作出处理决定",
                cal.add_workdays(timezone.localdate(made), 7),
                done=bool(handled),
            )
        )
    if case.approved_at and case.procedure == "ordinary":
        out.append(
            Deadline(
                case,
                "作出行政处罚决定",
                "行政处罚法第六十条：自立案之日起九十日内作出行政处罚决定",
                timezone.localdate(case.approved_at) + dt.timedelta(days=90),
                done=view.has("administrative_decision"),
            )
        )
    for decision in view.records_of(
        "administrative_decision", "correction_order", "demand_notice", "enforcement_decision"
    ):
        decided = _moment(decision, "decided_at", "issued_at") or decision.created_at
        effective = served_on(view, decision)
        out.append(
            Deadline(
                case,
                f"送达{decision.title}（#{decision.pk}）",
                "行政处罚法第六十一条：行政处罚决定书应当在宣告后当场交付，或在七日内（工作日）送达"
                if decision.kind == "administrative_decision"
                else "第二十二至二十六条：执法文书及时送达并记录（参照决定书七个工作日）",
                cal.add_workdays(timezone.localdate(decided), 7),
                done=any(
                    ref(r, "document") == decision.pk for r in view.records_of(*SERVICE_RECORDS)
                ),
            )
        )
        for r in view.records_of("public_notice_service_record"):
            if ref(r, "document") == decision.pk and (day := effective_service_date(r)):
                out.append(
                    Deadline(
                        case,
                        f"公告送达生效（{decision.title}）",
                        "第二十五条；公告发出之日起经过三十日即视为送达",
                        day,
                        info=True,
                    )
                )
        if (
            decision.kind == "administrative_decision"
            and decision.fields.get("penalty_amount")
            and effective
        ):
            paid = any(
                r.fields.get("status") == "full"
                for r in view.records_of("performance_record")
                if ref(r, "decision") == decision.pk
            )
            out.append(
                Deadline(
                    case,
                    f"缴纳罚款（#{decision.pk}）",
                    "行政处罚法第六十七条：自收到行政处罚决定书之日起十五日内缴纳罚款",
                    effective + dt.timedelta(days=15),
                    done=paid,
                )
            )
        if decision.kind == "demand_notice" and effective:
            out.append(
                Deadline(
                    case,
                    "催告期满，可申请法院强制执行",
                    "行政强制法第五十四条：催告书送达十日后当事人仍未履行义务的，可以申请人民法院强制执行",
                    effective + dt.timedelta(days=10),
                    info=True,
                )
            )
    for order in view.records_of("correction_order"):
        due = parse_date(order.fields.get("due_date") or "")
        if due:
            checked = [
                r for r in view.records_of("correction_check_record") if ref(r, "order") == order.pk
            ]
            out.append(
                Deadline(
                    case,
                    f"责令改正复查（#{order.pk}）",
                    "第二十七条：依法应当责令改正的，应按期对改正情况进行核查并记录",
                    due,
                    done=bool(checked),
                )
            )
    if case.closed_at and case.start_status == StartStatus.APPROVED:
        out.append(
            Deadline(
                case,
                "立卷归档",
                "第三十条：行政执法行为终结之日起30日内形成案卷归档",
                timezone.localdate(case.closed_at) + dt.timedelta(days=30),
                done=case.stage == Stage.ARCHIVED,
            )
        )
    return sorted(out, key=lambda d: d.due_at)
