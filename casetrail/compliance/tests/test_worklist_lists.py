"""The worklist's 已逾期 / 临近期限 at scale (issue 18): the first 20 and a total counted to 100
(「超过 100」) from one walk, the full list behind the section's link, earliest first, paged and
counted to 1,000 like the case list — each officer's own deadlines (a supervisor's: the agency's)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from casetrail.compliance import stored
from casetrail.conftest import approve_start, client_for, start_ex_officio


@pytest.fixture
def due_soon(settings: Any) -> None:
    # Every watched deadline of an open case counts as due soon (they are weeks away).
    settings.CASETRAIL_DUE_SOON_HOURS = 24 * 400


def times(html: str) -> list[str]:
    return re.findall(r"期限 (\d{4}-\d\d-\d\d \d\d:\d\d)", html)


def test_it_caps_the_worklists_deadline_totals_and_links_the_full_list(
    personas: Any, due_soon: None, monkeypatch: Any
) -> None:
    for i in range(5):
        approve_start(start_ex_officio(personas, title=f"期限检查第{i}号"), personas)
    watched = stored.due_ids(officer=personas["zhang"], overdue=False).count()
    assert watched > 3  # 第六十条's 90 days, one a case
    monkeypatch.setattr("casetrail.lib.paging.WORKLIST_COUNT_CAP", 3)
    monkeypatch.setattr("casetrail.compliance.panels.WORKLIST_SHOWN", 2)
    page = client_for("zhang").get("/").content.decode()
    assert '临近期限 <span class="tag warn">超过 3</span>' in page
    assert "仅列出最早到期的 2 项，共 超过 3 项。" in page
    assert 'href="/compliance/deadlines/?which=due"' in page
    shown = times(page)
    assert len(shown) == 2 and shown == sorted(shown)
    # Under the cap: the exact total, and no link when everything is shown.
    monkeypatch.setattr("casetrail.lib.paging.WORKLIST_COUNT_CAP", 100)
    monkeypatch.setattr("casetrail.compliance.panels.WORKLIST_SHOWN", 100)
    page = client_for("zhang").get("/").content.decode()
    assert f'临近期限 <span class="tag warn">{watched}</span>' in page
    assert "/compliance/deadlines/?which=due" not in page


def test_it_pages_the_full_list_earliest_first_for_whoever_may_see_it(
    personas: Any, other_agency: Any, due_soon: None, monkeypatch: Any
) -> None:
    for i in range(5):
        approve_start(start_ex_officio(personas, title=f"期限检查第{i}号"), personas)
    watched = stored.due_ids(officer=personas["zhang"], overdue=False).count()
    monkeypatch.setattr("casetrail.lib.paging.COUNT_CAP", watched - 1)
    monkeypatch.setattr("casetrail.compliance.views.DEADLINES_PER_PAGE", 2)
    zhang = client_for("zhang")
    pages, number = [], 1
    while True:
        html = zhang.get(f"/compliance/deadlines/?which=due&page={number}").content.decode()
        pages.append(html)
        if f"page={number + 1}" not in html:
            break
        number += 1
    assert f"超过 {watched - 1} 项" in pages[0]  # counted to the cap, not to the end
    every = [t for html in pages for t in times(html)]
    assert len(every) == watched and every == sorted(every)
    assert len(pages) == -(-watched // 2) > 2
    # Under the cap: the exact count and the page numbers.
    monkeypatch.setattr("casetrail.lib.paging.COUNT_CAP", 1000)
    assert f"共 {watched} 项" in zhang.get("/compliance/deadlines/?which=due").content.decode()
    # 孙监督 watches the agency's; a reviewer on no case and another agency's handler see none.
    sun = client_for("sun").get("/compliance/deadlines/?which=due").content.decode()
    assert "期限检查第0号" in sun
    for who in ("wang", "ma"):
        html = client_for(who).get("/compliance/deadlines/?which=due").content.decode()
        assert "期限检查" not in html and "没有临近期限的事项" in html
    # Nothing is overdue yet; an unknown list is the overdue one, as the case list's filters do.
    assert "没有逾期事项" in zhang.get("/compliance/deadlines/?which=x").content.decode()
    assert client_for(None).get("/compliance/deadlines/").status_code == 302
