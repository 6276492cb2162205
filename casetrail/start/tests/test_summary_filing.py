"""备案 (第二十一条（五）; 行政处罚法第五十二条第三款): a decision made on the spot is filed with the
agency within the configured working days (R21b, counted as 行政处罚法第八十五条 counts 二日), by a
handler of the case through its step page or the API; closing waits for it."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo

import pytest
import time_machine
from django.utils import timezone

from casetrail.compliance.deadlines import deadlines_of
from casetrail.compliance.engine import RULES, CaseView
from casetrail.compliance.tests.builders import make
from casetrail.conftest import client_for
from casetrail.decisions.tests.other_chains.builders import close
from casetrail.ledger.models import LedgerEntry
from casetrail.lib.errors import ActionError
from casetrail.records.models import Record
from casetrail.start.actions import summary_file
from casetrail.start.tests.summary_builders import on_the_spot

pytestmark = pytest.mark.usefixtures("evidence_store")
BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")


def filing(case, **overrides):
    decision = case.records.get(kind="administrative_decision")
    return {
        "filed_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "filed_with": "陵川县民政局法制股",
        "decision": decision.pk,
        "contents": "当场行政处罚决定书\n简易程序记录\n送达回证",
        **overrides,
    }


def r21b(case):
    (deadline,) = [d for d in deadlines_of(case) if d.rule == "R21b"]
    return deadline


def test_it_files_the_decision_through_the_case_page(personas):
    case = on_the_spot(personas)
    zhang = client_for("zhang")
    act = f"/cases/{case.pk}/summary-filing/"
    assert act in zhang.get(f"/cases/{case.pk}/").content.decode()
    due = r21b(case)
    assert not due.done and "第五十二条" in due.basis and "2个工作日" in due.basis
    # Due within two working days: on the worklists of the handlers and the supervisor.
    for who in ("zhang", "li", "sun"):
        rows = client_for(who).get("/api/worklist/").json()["deadlines"]
        assert [r["rule"] for r in rows if r["case"] == case.pk] == ["R21b"], who
    assert "报所属行政机关备案（简易程序）" in zhang.get("/").content.decode()

    assert zhang.get(f"/cases/{case.pk}/summary-filing/").status_code == 200
    r = zhang.post(f"/cases/{case.pk}/summary-filing/", filing(case))
    assert r.status_code == 302, r.content.decode()[-2000:]
    record = Record.objects.get(case=case, kind="summary_filing_record")
    assert record.fields["filed_with"] == "陵川县民政局法制股"
    assert record.fields["contents"] == ["当场行政处罚决定书", "简易程序记录", "送达回证"]
    entry = LedgerEntry.objects.filter(case_ref=case.pk).order_by("-seq").first()
    assert entry.action == "summary.file"
    assert json.loads(entry.canonical)["actor"]["name"] == "张承办"
    assert r21b(case).done and list(RULES["R21b"].check(CaseView(case))) == []
    page = zhang.get(f"/cases/{case.pk}/").content.decode()
    deadlines = zhang.get(f"/cases/{case.pk}/section/deadlines/").content.decode()
    assert act not in page and "已完成" in deadlines  # the step is done, the deadline met


def test_it_files_over_the_api_once(personas):
    case = on_the_spot(personas)
    r = client_for("li").post(
        f"/api/cases/{case.pk}/summary-filing/",
        {"fields": filing(case, contents=["当场行政处罚决定书"])},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    before = Record.objects.count(), LedgerEntry.objects.count()
    r = client_for("zhang").post(
        f"/api/cases/{case.pk}/summary-filing/",
        {"fields": filing(case)},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["code"] == "summary_already_filed"
    assert (Record.objects.count(), LedgerEntry.objects.count()) == before


def test_it_refuses_a_filing_that_is_not_one(personas, open_case):
    case = on_the_spot(personas)
    decided = case.records.get(kind="administrative_decision").fields["decided_at"]
    before = Record.objects.count(), LedgerEntry.objects.count()
    early = dt.datetime.fromisoformat(decided) - dt.timedelta(minutes=30)
    with pytest.raises(ActionError) as err:
        summary_file(case=case, officer=personas["zhang"], fields=filing(case, filed_at=early))
    assert err.value.code == "filing_before_decision"
    with pytest.raises(ActionError) as err:
        summary_file(case=case, officer=personas["wang"], fields=filing(case))
    assert err.value.code == "not_a_handler" and err.value.status == 403
    with pytest.raises(ActionError) as err:
        summary_file(case=open_case, officer=personas["zhang"], fields={})
    assert err.value.code == "not_summary"
    assert (Record.objects.count(), LedgerEntry.objects.count()) == before


def test_it_counts_the_filing_period_in_working_days_across_a_holiday(personas, settings):
    """Decided on Wednesday 30 September 2026, the eve of 国庆: 1–7 October are days off, so the
    two working days are 8 and 9 October (行政处罚法第八十五条)."""
    with time_machine.travel(dt.datetime(2026, 9, 30, 10, 0, tzinfo=BEIJING), tick=False):
        case = on_the_spot(personas)
    deadline = r21b(case)
    assert deadline.due == dt.date(2026, 10, 9) and not deadline.estimated
    with time_machine.travel(dt.datetime(2026, 10, 9, 23, 0, tzinfo=BEIJING), tick=False):
        assert not r21b(case).overdue and r21b(case).is_due_soon(72)
    with time_machine.travel(dt.datetime(2026, 10, 10, 0, 30, tzinfo=BEIJING), tick=False):
        assert r21b(case).overdue
        rows = client_for("zhang").get("/api/worklist/").json()["deadlines"]
        assert [(r["rule"], r["overdue"]) for r in rows] == [("R21b", True)]
    # Three configured days: Saturday 10 October 2026 is an adjusted working day.
    settings.CASETRAIL_SUMMARY_FILING_DAYS = 3
    assert r21b(case).due == dt.date(2026, 10, 10)
    settings.CASETRAIL_SUMMARY_FILING_DAYS = 2

    with time_machine.travel(dt.datetime(2026, 10, 12, 9, 0, tzinfo=BEIJING), tick=False):
        with pytest.raises(ActionError) as err:
            summary_file(case=case, officer=personas["zhang"], fields=filing(case))
        assert err.value.code == "filing_late_reason_required"
        assert "2026年10月09日" in err.value.message
        summary_file(
            case=case,
            officer=personas["zhang"],
            fields=filing(case, late_reason="国庆假期后首个工作日执法人员外出，10月12日补报"),
        )
    assert r21b(case).done


def test_a_late_filing_made_as_a_plain_record_is_held_to_its_reason(personas):
    with time_machine.travel(dt.datetime(2026, 9, 30, 10, 0, tzinfo=BEIJING), tick=False):
        case = on_the_spot(personas)
    with time_machine.travel(dt.datetime(2026, 10, 12, 9, 0, tzinfo=BEIJING), tick=False):
        record = make(case, personas, "summary_filing_record", **filing(case))
    (missing,) = RULES["R21b"].check(CaseView(case))
    assert missing.subject == f"record:{record.pk}" and "逾期备案应说明原因" in missing.message
    assert r21b(case).done  # filed, late: the deadline is met, the record still owes its reason


def test_it_filed_on_the_last_working_day_needs_no_reason(personas):
    with time_machine.travel(dt.datetime(2026, 9, 30, 10, 0, tzinfo=BEIJING), tick=False):
        case = on_the_spot(personas)
    with time_machine.travel(dt.datetime(2026, 10, 9, 17, 0, tzinfo=BEIJING), tick=False):
        record = summary_file(case=case, officer=personas["zhang"], fields=filing(case))
    assert record.fields["late_reason"] == "" and r21b(case).done


def test_it_closes_a_summary_case_only_once_filed(personas):
    case = on_the_spot(personas)
    decision = case.records.get(kind="administrative_decision")
    make(case, personas, "performance_record", decision=decision.pk, status="full")
    with pytest.raises(ActionError) as err:  # the 结案审批 is refused while 备案 is missing
        close(case, personas)
    assert "R21b" in err.value.message and "备案" in err.value.message
    summary_file(case=case, officer=personas["zhang"], fields=filing(case))
    close(case, personas)
    assert case.stage == "closed"
    assert [f for r in RULES.values() for f in r.check(CaseView(case))] == []
