"""刘档案's 待立卷归档 at scale (issue 18): the most urgent closed cases from the stored 30-day
deadlines (R30a, 第三十条), earliest first, the total counted to 100 (「超过 100」) in the same read,
the full list paged on the archive's home page — in no more queries for many cases than for one."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from casetrail.archive.tests.builders import closed_case
from casetrail.compliance import stored
from casetrail.compliance.models import CaseDeadline
from casetrail.conftest import client_for
from casetrail.lib.paging import Chained
from casetrail.org.models import Officer


def listed(html: str) -> list[str]:
    return re.findall(r'href="/cases/(\d+)/archive/"', html)


def queries(who: str) -> int:
    client = client_for(who)
    client.get("/")  # warm: session, caches
    with CaptureQueriesContext(connection) as seen:
        assert client.get("/").status_code == 200
    return len(seen)


def test_it_lists_the_most_urgent_first_with_a_capped_total_and_pages_the_rest(
    personas: Any, evidence_store: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr("casetrail.lib.paging.WORKLIST_COUNT_CAP", 2)
    monkeypatch.setattr("casetrail.archive.panels.WAITING_SHOWN", 1)
    first = closed_case(personas, issue=False)
    one = queries("liu")
    cases = [first, closed_case(personas, issue=False), closed_case(personas, issue=False)]
    # Three closed cases cost no more than one (one fewer: past the cap no read of the cases
    # without a deadline).
    assert queries("liu") <= one
    stored.refresh_marked()
    # The 30-day deadlines as if the cases had closed on different days, the last one first.
    rows = {r.case_id: r for r in CaseDeadline.objects.filter(rule="R30a", watched=True)}
    base = rows[first.pk].due_at
    for days, case in zip((9, 5, 1), cases, strict=True):
        CaseDeadline.objects.filter(pk=rows[case.pk].pk).update(
            due_at=base + dt.timedelta(days=days)
        )
    urgent = [str(c.pk) for c in reversed(cases)]
    page = client_for("liu").get("/").content.decode()
    assert listed(page) == urgent[:1]
    assert '待立卷归档 <span class="tag warn">超过 2</span>' in page
    assert "仅列出期限最早的 1 件，共 超过 2 件。" in page and 'href="/archive/"' in page
    # The archive's home page: every one of them, earliest first, paged past the cap.
    monkeypatch.setattr("casetrail.lib.paging.COUNT_CAP", 2)
    monkeypatch.setattr("casetrail.archive.views.WAITING_PER_PAGE", 2)
    liu = client_for("liu")
    home = liu.get("/archive/").content.decode()
    assert listed(home) == urgent[:2] and "超过 2 件" in home and "page=2" in home
    last = liu.get("/archive/?page=2").content.decode()
    assert listed(last) == urgent[2:] and "page=3" not in last
    monkeypatch.setattr("casetrail.lib.paging.COUNT_CAP", 1000)
    monkeypatch.setattr("casetrail.archive.views.WAITING_PER_PAGE", 50)
    assert listed(liu.get("/archive/").content.decode()) == urgent
    # The API: the same order. Only the custodian has the list.
    assert [w["case"] for w in liu.get("/api/worklist/").json()["archive"]] == [
        c.pk for c in reversed(cases)
    ]
    assert listed(client_for("zhang").get("/archive/").content.decode()) == []
    assert "待立卷归档" not in client_for("sun").get("/").content.decode()


def test_it_lists_a_case_closed_a_moment_ago(personas: Any, evidence_store: Any) -> None:
    # Its 30-day deadline not stored yet (the case is marked): the custodian's reads refresh
    # the agency's closed cases first.
    case = closed_case(personas, issue=False)
    assert stored.CaseDeadlineDirty.objects.filter(pk=case.pk).exists()
    assert listed(client_for("liu").get("/").content.decode()) == [str(case.pk)]
    assert CaseDeadline.objects.filter(case=case, rule="R30a", watched=True).exists()


def test_it_pages_one_list_read_as_two(personas: Any) -> None:
    # ``Chained``: a list read as one ordered query then another (the dated cases, then the
    # cases the rule gives no deadline), sliced across the seam and counted to the cap.
    from casetrail.lib.paging import CappedPaginator

    ids = sorted(Officer.objects.values_list("pk", flat=True))
    assert len(ids) >= 5
    first = Officer.objects.filter(pk__in=ids[:3]).order_by("pk").values_list("pk", flat=True)
    then = Officer.objects.filter(pk__in=ids[3:]).order_by("pk").values_list("pk", flat=True)
    both = Chained(first, then)
    assert both[0:2] == ids[:2] and both[2:4] == ids[2:4] and both[3:5] == ids[3:5]
    assert both[4:] == ids[4:] and both[len(ids) : len(ids) + 2] == []
    pages = CappedPaginator(both, 2, cap=3)
    assert pages.capped and pages.page(2).object_list == ids[2:4] and pages.page(2).has_next()
    assert CappedPaginator(both, 2, cap=100).count == len(ids)
