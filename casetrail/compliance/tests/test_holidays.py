"""Legal periods beyond the published holiday data: estimated and marked as such until an
administrator imports the year's schedule (ledgered); then counted on it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from casetrail.compliance.deadlines import deadlines_of
from casetrail.compliance.holidays import calendar, forget_calendar
from casetrail.compliance.models import HolidaySchedule
from casetrail.conftest import client_for
from casetrail.ledger.models import LedgerEntry
from casetrail.ledger.verify import verify

SCHEDULE_2027 = """
year: 2027
source: 国务院办公厅关于2027年部分节假日安排的通知（测试用）
holidays: [2027-01-01, 2027-01-02, 2027-01-03, 2027-02-05, 2027-02-06, 2027-02-07, 2027-02-08,
           2027-02-09, 2027-02-10, 2027-02-11, 2027-02-12]
workdays: [2027-01-30, 2027-02-20]
"""


@pytest.fixture(autouse=True)
def _fresh_calendar():
    forget_calendar()
    yield
    forget_calendar()


def decision_deadline(case):
    return next(d for d in deadlines_of(case) if d.rule == "CF60")


def test_it_marks_a_period_counted_on_unpublished_holidays(investigating, personas):
    d = decision_deadline(investigating)
    assert d.estimated == (not calendar().published(d.due.year))
    page = client_for("zhang").get(f"/cases/{investigating.pk}/section/deadlines/").content.decode()
    assert ("节假日安排未公布，期限为估算" in page) == d.estimated


def test_an_admin_imports_a_year_from_the_command_line_and_it_is_ledgered(
    personas, tmp_path, capsys
):
    path = tmp_path / "2027.yaml"
    path.write_text(SCHEDULE_2027, encoding="utf-8")
    call_command("import_holidays", str(path), "--by", "admin")
    assert "已导入 2027 年节假日安排" in capsys.readouterr().out
    row = HolidaySchedule.objects.get(year=2027)
    assert "2027-02-10" in row.holidays and row.workdays == ["2027-01-30", "2027-02-20"]
    entry = LedgerEntry.objects.order_by("-seq").first()
    assert entry.action == "compliance.holiday_schedule" and entry.subject == "holidays:2027"
    cal = calendar()
    assert cal.published(2027) and not cal.is_workday(dt.date(2027, 2, 10))
    assert cal.is_workday(dt.date(2027, 1, 30))  # a Saturday worked
    assert verify().intact


def test_only_an_admin_imports_and_bad_files_are_refused(personas, tmp_path):
    path = tmp_path / "2027.yaml"
    path.write_text(SCHEDULE_2027, encoding="utf-8")
    with pytest.raises(CommandError, match="只有系统管理员"):
        call_command("import_holidays", str(path), "--by", "zhang")
    for text, message in [
        ("year: 2027\nsource: x\nholidays: [2026-12-31]", "不在 2027 年内"),
        ("year: 2027\nsource: x\nholidays: [2027-01-01]\nworkdays: [2027-01-01]", "既放假又调休"),
        ("year: 2027\nsource: x\nholidays: [2027-01-01]\nworkdays: [2027-01-04]", "应为周末"),
        ("year: 2027\nholidays: [2027-01-01]", "依据"),
        ("year: 2027\nsource: x\nholidays: [2027-02-30]", "不是日期"),
        ("year: 2027\nsource: x\nholidays: ['2027-02-30']", "不是日期"),
        ("- just a list", "应包含"),
    ]:
        path.write_text(text, encoding="utf-8")
        with pytest.raises(CommandError, match=message):
            call_command("import_holidays", str(path), "--by", "admin")
    assert not HolidaySchedule.objects.exists()


def test_the_holiday_page_and_api(personas):
    page = client_for("zhang").get("/compliance/holidays/")
    assert page.status_code == 200 and "导入" not in page.content.decode().split("</table>")[1]
    assert (
        client_for("zhang").post("/api/holidays/", {}, content_type="application/json").status_code
        == 400
    )
    body = {
        "year": 2027,
        "source": "国办发明电（测试）",
        "holidays": ["2027-01-01", "2027-10-01"],
        "workdays": [],
    }
    refused = client_for("zhang").post("/api/holidays/", body, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "not_an_admin"
    made = client_for("admin").post("/api/holidays/", body, content_type="application/json")
    assert made.status_code == 201 and made.json()["year"] == 2027
    listed = client_for("zhang").get("/api/holidays/").json()
    assert [s["year"] for s in listed] == [2027]
    assert "已导入" in client_for("admin").get("/compliance/holidays/").content.decode()
