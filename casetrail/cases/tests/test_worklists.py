"""待办 fits the role: each officer sees the sections that are their steps; 我的案件 lists open cases
first and the closed ones behind a link to the case list filtered on them."""

from __future__ import annotations

from casetrail.conftest import client_for
from casetrail.records.tests.conftest import interview, to_closed, to_service


def sections(who: str) -> str:
    r = client_for(who).get("/")
    assert r.status_code == 200
    return r.content.decode()


def test_each_role_sees_its_own_sections(open_case, personas):
    zhang = sections("zhang")
    assert "我的案件" in zhang and open_case.title in zhang and "上传音像记录" in zhang
    wang = sections("wang")  # reviewer: approvals, no uploads, no 我的案件
    assert "待我审批" in wang and "上传音像记录" not in wang and "我的案件" not in wang
    liu = sections("liu")  # custodian: none of the handlers' or the deciders' sections
    assert "待我审批" not in liu and "上传音像记录" not in liu and "临近期限" not in liu
    sun = sections("sun")  # supervisor: the deadlines he watches
    assert "临近期限" in sun and "上传音像记录" not in sun


def test_my_cases_shows_open_first_and_closed_behind_a_filter(open_case, personas, evidence_store):
    interview(open_case, personas)
    to_closed(to_service(open_case, personas), personas)
    page = sections("zhang")
    assert "您没有办理中的案件" in page
    assert "我办理的已结案案件（1 件）" in page and "/cases/?mine=1&amp;status=closed" in page
    listed = client_for("zhang").get("/cases/?mine=1&status=closed").content.decode()
    assert open_case.title in listed
    assert open_case.title not in client_for("zhang").get("/cases/?status=open").content.decode()
    assert (
        open_case.title not in client_for("li").get("/cases/?mine=1&status=open").content.decode()
    )
