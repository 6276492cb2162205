"""待我审批 at scale (issue 18): the chains waiting for an officer are read in SQL
(``waiting_for``) — the same rule ``why_cannot_act`` applies to one chain, held to the same chains
here for every persona — the worklist shows the first 20 (nearest deadline, then longest
waiting) with a total counted to 100 (「超过 100」), in a number of queries that does not grow
with the chains, and the full list behind its link is paged."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from casetrail.approvals.actions import approval_decide, approval_resubmit
from casetrail.approvals.models import Chain, ChainStatus
from casetrail.approvals.selectors import waiting_for, why_cannot_act
from casetrail.conftest import approve_start, case_input, client_for, start_ex_officio
from casetrail.demo.personas import DEMO_PASSWORD
from casetrail.org.actions import officer_create
from casetrail.org.models import Officer, Role, Unit
from casetrail.start.actions import case_start_ex_officio


def _officer(certificate: str, username: str, name: str, unit: Unit, roles: list[str]) -> Officer:
    today = timezone.localdate()
    return officer_create(
        unit=unit,
        username=username,
        name=name,
        password=DEMO_PASSWORD,
        roles=roles,
        certificate_no=certificate,
        valid_from=today - dt.timedelta(days=1),
        valid_to=today + dt.timedelta(days=365),
    )


def start_chain(case: Any) -> Chain:
    return Chain.objects.get(case=case, kind="case_start")


def test_it_finds_in_sql_the_chains_the_rule_lets_each_officer_act_on(personas: Any) -> None:
    zhang, wang, zhao = personas["zhang"], personas["wang"], personas["zhao"]
    legal = Unit.objects.get(agency=zhang.agency, kind=Unit.Kind.LEGAL)
    # 吕法制 handles a case and reviews legality (not of his own case, 行政处罚法第五十八条);
    # 吴股长 both reviews and approves (never twice in one round, 第六条).
    lv = _officer("14052400202", "lv", "吕法制", legal, [Role.HANDLER, Role.LEGAL_REVIEWER])
    wu = _officer("14052400125", "wu", "吴股长", zhang.unit, [Role.REVIEWER, Role.APPROVER])
    start_ex_officio(personas)  # waiting for the review
    approve_start(start_ex_officio(personas), personas)  # approved: waits for nobody
    reviewed = start_chain(start_ex_officio(personas))
    approval_decide(chain=reviewed, officer=wang, outcome="approve", opinion="同意")
    major = case_start_ex_officio(
        officer=zhang,
        data=case_input(personas, officers=[zhang, lv], is_major=True),
        reason="举报",
        party_facts="周某",
        opinion="建议立案",
    )
    approval_decide(chain=start_chain(major), officer=wang, outcome="approve", opinion="同意")
    assert start_chain(major).status == ChainStatus.PENDING_LEGAL
    by_wu = start_chain(start_ex_officio(personas))
    approval_decide(chain=by_wu, officer=wu, outcome="approve", opinion="同意")
    returned = start_chain(start_ex_officio(personas))
    approval_decide(chain=returned, officer=wang, outcome="return", opinion="请补充")
    again = start_chain(start_ex_officio(personas))
    approval_decide(chain=again, officer=wang, outcome="return", opinion="请补充")
    approval_resubmit(chain=again, officer=zhang, fields={}, opinion="已补充", reason="补充")
    officers = [*personas.values(), lv, wu]
    for officer in officers:
        chains = Chain.objects.select_related("case").prefetch_related("steps")
        expected = {c.pk for c in chains if why_cannot_act(officer=officer, chain=c) is None}
        assert set(waiting_for(officer=officer).values_list("pk", flat=True)) == expected, (
            officer.name
        )
    # What the cases above were built to show, said once more in the results.
    assert by_wu.pk not in waiting_for(officer=wu).values_list("pk", flat=True)
    assert by_wu.pk in waiting_for(officer=zhao).values_list("pk", flat=True)
    assert start_chain(major).pk not in waiting_for(officer=lv).values_list("pk", flat=True)
    assert start_chain(major).pk in waiting_for(officer=personas["chen"]).values_list(
        "pk", flat=True
    )
    assert again.pk in waiting_for(officer=wang).values_list("pk", flat=True)  # a new round
    assert list(waiting_for(officer=zhang).values_list("pk", flat=True)) == [returned.pk]


def test_it_shows_the_longest_waiting_with_a_capped_total_and_pages_the_rest(
    personas: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr("casetrail.lib.paging.WORKLIST_COUNT_CAP", 2)
    monkeypatch.setattr("casetrail.approvals.panels.WAITING_SHOWN", 1)
    cases = [start_ex_officio(personas, title=f"待审核第{i}号") for i in range(4)]
    page = client_for("wang").get("/").content.decode()
    # The one that waited longest, the total past the cap, the link to the full list.
    assert "待审核第0号" in page and "待审核第1号" not in page
    assert '待我审批 <span class="tag">超过 2</span>' in page
    assert "共 超过 2 项" in page and 'href="/approvals/"' in page
    monkeypatch.setattr("casetrail.lib.paging.COUNT_CAP", 3)
    monkeypatch.setattr("casetrail.approvals.views.WAITING_PER_PAGE", 3)
    wang = client_for("wang")
    first = wang.get("/approvals/").content.decode()
    titles = re.findall(r"待审核第(\d)号", first)
    assert titles == ["0", "1", "2"] and "超过 3 项" in first and "page=2" in first
    second = wang.get("/approvals/?page=2").content.decode()
    assert re.findall(r"待审核第(\d)号", second) == ["3"] and "page=3" not in second
    # Under the cap, the exact total; someone the chains do not wait for sees none of them.
    monkeypatch.setattr("casetrail.lib.paging.WORKLIST_COUNT_CAP", 100)
    assert '待我审批 <span class="tag">4</span>' in wang.get("/").content.decode()
    assert "待审核第" not in client_for("zhao").get("/approvals/").content.decode()
    assert "待审核第" not in client_for("liu").get("/approvals/").content.decode()
    assert len(cases) == 4


def _queries(who: str) -> int:
    client = client_for(who)
    client.get("/")  # warm: session, caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    return len(queries)


def test_it_reads_the_approvers_worklist_in_the_same_queries_for_one_chain_or_many(
    personas: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr("casetrail.lib.paging.WORKLIST_COUNT_CAP", 2)
    monkeypatch.setattr("casetrail.approvals.panels.WAITING_SHOWN", 1)
    start_ex_officio(personas)
    one = _queries("wang")
    for _ in range(3):
        start_ex_officio(personas)
    assert _queries("wang") == one
