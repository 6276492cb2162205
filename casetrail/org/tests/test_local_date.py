"""Certificates are judged on the agency's local date (行政处罚法第四十二条), never the UTC date:
at 01:00 Beijing time on 1 December the UTC date is still 30 November."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.utils import timezone

from casetrail.cases.models import Case
from casetrail.conftest import api_start, client_for
from casetrail.org.actions import officer_certificate_record

BEIJING = ZoneInfo("Asia/Shanghai")
EVE = dt.datetime(2026, 11, 30, 12, 0, tzinfo=BEIJING)
SMALL_HOURS = dt.datetime(2026, 12, 1, 1, 0, tzinfo=BEIJING)  # = 2026-11-30T17:00Z


def renew(personas, valid_from: dt.date, valid_to: dt.date) -> None:
    li = personas["li"]
    officer_certificate_record(
        by=personas["admin"],
        officer=li,
        certificate_no=li.certificate_no,
        valid_from=valid_from,
        valid_to=valid_to,
    )


def test_it_refuses_at_1am_a_certificate_that_expired_yesterday(personas):
    with time_machine.travel(EVE, tick=False):
        renew(personas, dt.date(2025, 12, 1), dt.date(2026, 11, 30))
    with time_machine.travel(SMALL_HOURS, tick=False):
        assert timezone.now().astimezone(dt.UTC).date() == dt.date(2026, 11, 30)
        assert timezone.localdate() == dt.date(2026, 12, 1)
        before = Case.objects.count()
        r = api_start(personas)
        assert r.status_code == 400 and r.json()["code"] == "certificate_invalid", r.content
        assert "李承办" in r.json()["message"]
        assert Case.objects.count() == before


def test_it_accepts_at_1am_a_certificate_valid_from_today(personas):
    with time_machine.travel(SMALL_HOURS, tick=False):
        # Recording it is no "range already over" either: the range starts on the local today.
        renew(personas, dt.date(2026, 12, 1), dt.date(2027, 11, 30))
        r = api_start(personas)
        assert r.status_code == 201, r.content
        case = Case.objects.get(pk=r.json()["id"])
        assert case.assignments.filter(officer=personas["li"]).exists()


def test_it_refuses_at_1am_to_record_a_certificate_that_ended_yesterday(personas):
    li = personas["li"]
    with time_machine.travel(SMALL_HOURS, tick=False):
        r = client_for("admin").post(
            f"/api/officers/{li.pk}/certificate/",
            {"certificate_no": "X1", "valid_from": "2025-12-01", "valid_to": "2026-11-30"},
            content_type="application/json",
        )
        assert r.status_code == 400 and r.json()["code"] == "certificate_expired"
