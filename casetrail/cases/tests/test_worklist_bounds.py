"""The worklist's sections stay one screen and a fixed number of queries whatever the number of
cases (issue 18): 我的案件 shows the newest 20 open cases and counts to 100 (「超过 100」) in the
walk that reads them, the full counts being on the case list behind its links; the page reads as
many queries for one case as for many."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casetrail.conftest import approve_start, client_for, start_ex_officio


@pytest.mark.parametrize("many", [1000, 2])
def test_it_counts_my_open_cases_to_the_cap_and_links_the_full_count(
    personas: Any, monkeypatch: Any, many: int
) -> None:
    # ``many`` 2: zhang counts as an officer on many cases (the access filter correlated).
    monkeypatch.setattr("casetrail.cases.selectors.MANY_CASES", many)
    monkeypatch.setattr("casetrail.lib.paging.WORKLIST_COUNT_CAP", 2)
    monkeypatch.setattr("casetrail.cases.panels.MY_CASES_SHOWN", 1)
    for i in range(3):
        start_ex_officio(personas, title=f"养老机构检查第{i}号")
    page = client_for("zhang").get("/").content.decode()
    assert '我的案件 <span class="tag">超过 2</span>' in page
    assert "我办理中的全部案件（超过 2 件，此处显示最近 1 件）" in page
    assert "养老机构检查第2号" in page and "养老机构检查第1号" not in page  # the newest
    # The case list behind the link counts them all (to 1,000).
    listed = client_for("zhang").get("/cases/?mine=1&status=open").content.decode()
    assert all(f"养老机构检查第{i}号" in listed for i in range(3))
    # Under the cap, the exact number; 李承办 (assigned as well) sees the same, 王审核 none.
    monkeypatch.setattr("casetrail.lib.paging.WORKLIST_COUNT_CAP", 3)
    assert '我的案件 <span class="tag">3</span>' in client_for("zhang").get("/").content.decode()
    assert "我的案件" not in client_for("wang").get("/").content.decode()


def queries(who: str) -> int:
    client = client_for(who)
    client.get("/")  # warm: session, caches
    with CaptureQueriesContext(connection) as seen:
        assert client.get("/").status_code == 200
    return len(seen)


def test_it_reads_the_worklist_in_as_many_queries_for_one_case_as_for_many(
    personas: Any, monkeypatch: Any
) -> None:
    # Caps of 2 and lists of 1 stand for 100 and 20: "many" is past both.
    monkeypatch.setattr("casetrail.lib.paging.WORKLIST_COUNT_CAP", 2)
    monkeypatch.setattr("casetrail.cases.panels.MY_CASES_SHOWN", 1)
    monkeypatch.setattr("casetrail.compliance.panels.WORKLIST_SHOWN", 1)
    monkeypatch.setattr("casetrail.approvals.panels.WAITING_SHOWN", 1)
    approve_start(start_ex_officio(personas), personas)
    start_ex_officio(personas)  # one waiting for its start approval
    one = {who: queries(who) for who in ("zhang", "sun", "wang", "zhao")}
    for _ in range(3):
        approve_start(start_ex_officio(personas), personas)
        start_ex_officio(personas)
    assert {who: queries(who) for who in one} == one
