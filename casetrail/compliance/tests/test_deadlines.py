"""The deadline calendar: each deadline from its records with its basis, working days where the
law counts them, effective service dates per method, and the worklists."""

from __future__ import annotations

import datetime as dt
from unittest import mock

from django.core.management import call_command
from django.utils import timezone

from casetrail.compliance.deadlines import deadlines_of
from casetrail.compliance.holidays import calendar
from casetrail.compliance.service import effective_service_date
from casetrail.compliance.tests.builders import advance, make
from casetrail.conftest import client_for


def titled(case, prefix):
    return [d for d in deadlines_of(case) if d.title.startswith(prefix)]


def later(days):
    return mock.patch(
        "django.utils.timezone.now", return_value=timezone.now() + dt.timedelta(days=days)
    )


def days_after_due(d):
    """How many days from now until the day after ``d`` is due."""
    return (d.due - timezone.localdate()).days + 1


def test_it_gives_a_decision_90_days_from_filing(investigating):
    (d,) = titled(investigating, "作出行政处罚决定")
    filed = timezone.localdate(investigating.approved_at)
    # 90 calendar days; a last day off moves to the next working day (民法典第二百零三条).
    assert d.due == calendar().period_end(filed, 90).day
    assert dt.timedelta(days=90) <= d.due - filed <= dt.timedelta(days=100)
    assert calendar().is_workday(d.due)
    assert "第六十条" in d.basis and not d.done and not d.overdue
    with later(days_after_due(d)):
        assert d.overdue


def test_it_counts_the_seven_days_of_register_and_hold_in_working_days(investigating, personas):
    from casetrail.decisions.tests.other_chains.builders import preserve

    decision = preserve(investigating, personas).record
    register = make(investigating, personas, "evidence_register", preservation_decision=decision.pk)
    (d,) = titled(investigating, "先行登记保存")
    made = timezone.localdate()
    assert d.due >= made + dt.timedelta(days=7)  # weekends and holidays do not count
    workdays = sum(
        1
        for i in range(1, (d.due - made).days + 1)
        if calendar().is_workday(made + dt.timedelta(days=i))
    )
    assert workdays == 7
    make(investigating, personas, "evidence_hold_handling_decision", register=register.pk)
    assert titled(investigating, "先行登记保存")[0].done


def test_it_tracks_service_payment_and_public_notice(serving, personas):
    decision = serving.records.get(kind="administrative_decision")
    (service,) = titled(serving, "送达行政执法决定书")
    assert "第六十一条" in service.basis and not service.done
    assert not titled(serving, "缴纳罚款")  # no effective service yet
    receipt = make(serving, personas, "service_receipt", document=decision.pk)
    assert titled(serving, "送达行政执法决定书")[0].done
    (payment,) = titled(serving, "缴纳罚款")
    assert payment.due == calendar().period_end(effective_service_date(receipt), 15).day
    with later(days_after_due(payment)):
        assert payment.overdue
    make(serving, personas, "performance_record", decision=decision.pk, status="full")
    assert titled(serving, "缴纳罚款")[0].done
    notice = make(serving, personas, "public_notice_service_record", document=decision.pk)
    (effective,) = titled(serving, "公告送达生效")
    assert effective.info and effective.due == effective_service_date(notice)
    assert effective_service_date(notice) == calendar().period_end(timezone.localdate(), 30).day


def test_effective_dates_per_method(serving, personas):
    decision = serving.records.get(kind="administrative_decision")
    mail = make(serving, personas, "mail_service_record", document=decision.pk, outcome="returned")
    assert effective_service_date(mail) is None
    delivered = make(
        serving,
        personas,
        "mail_service_record",
        document=decision.pk,
        outcome="delivered",
        received_on=timezone.localdate().isoformat(),
    )
    assert effective_service_date(delivered) == timezone.localdate()
    electronic = make(serving, personas, "electronic_service_record", document=decision.pk)
    assert effective_service_date(electronic) == timezone.localdate(
        __import__("django.utils.dateparse", fromlist=["x"]).parse_datetime(
            electronic.fields["arrived_at"]
        )
    )


def test_it_tracks_the_correction_check_and_archiving(serving, personas):
    decision = serving.records.get(kind="administrative_decision")
    order = make(serving, personas, "correction_order", decision=decision.pk)
    (check,) = titled(serving, "责令改正复查")
    assert "第二十七条" in check.basis and not check.done
    make(serving, personas, "correction_check_record", order=order.pk)
    assert titled(serving, "责令改正复查")[0].done
    make(serving, personas, "service_receipt", document=decision.pk)
    make(serving, personas, "service_receipt", document=order.pk)
    make(serving, personas, "performance_record", decision=decision.pk, status="full")
    advance(serving, personas, "closed")
    (archive,) = titled(serving, "立卷归档")
    assert archive.due == calendar().period_end(timezone.localdate(serving.closed_at), 30).day


def test_overdue_deadlines_show_on_worklists_and_in_the_command(investigating, personas, capsys):
    (d,) = titled(investigating, "作出行政处罚决定")
    with later(days_after_due(d)):
        for who in ("zhang", "sun"):
            page = client_for(who).get("/").content.decode()
            assert "作出行政处罚决定" in page and "已逾期" in page
        assert "作出行政处罚决定" not in client_for("wang").get("/").content.decode()
        call_command("check_deadlines")
    out = capsys.readouterr().out
    assert "已逾期" in out and "第六十条" in out and "check-deadlines: 1 项已逾期" in out
