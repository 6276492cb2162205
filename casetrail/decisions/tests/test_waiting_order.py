"""待我审批 nearest deadline first (issue 18, pages at scale, item 5): 王审核's waiting 处理决定审批
are listed by the 90 days of 行政处罚法第六十条 (CF60, the deadline shown beside each), the case
filed first on top even when its proposal came later; a chain with no deadline (a 程序启动审批)
after them however long it waited — on the worklist, its API and the full list /approvals/."""

from __future__ import annotations

import datetime as dt
import re

import time_machine
from django.utils import timezone

from casetrail.approvals.models import Chain
from casetrail.conftest import approve_start, client_for, start_ex_officio
from casetrail.decisions.tests.conftest import api, ready
from casetrail.decisions.tests.test_chain import propose_over_http


def test_it_lists_the_chains_waiting_for_the_reviewer_nearest_deadline_first(
    open_case, personas, evidence_store
):
    filed_first = open_case  # its start approved today: its 90 days end 30 days before the other's
    with time_machine.travel(timezone.now() + dt.timedelta(days=30), tick=True):
        # Waits longest, and has no deadline.
        unnumbered = start_ex_officio(personas, title="尚待审核的立案")
        filed_later = approve_start(start_ex_officio(personas, title="后立案的案件"), personas)
        ready(filed_later, personas)
        ready(filed_first, personas)
        # The later-filed case's proposal first: it waits longer, its deadline comes later.
        assert propose_over_http(filed_later).status_code == 201
        assert propose_over_http(filed_first).status_code == 201
        later = Chain.objects.get(case=filed_later, kind="case_decision")
        first = Chain.objects.get(case=filed_first, kind="case_decision")
        start = Chain.objects.get(case=unnumbered, kind="case_start")
        assert start.created_at < later.created_at < first.created_at

        body = api("wang", "/api/worklist/").json()["approvals_waiting"]
        assert [c["id"] for c in body] == [first.pk, later.pk, start.pk]
        dues = [c["due"] and c["due"]["due_at"] for c in body]
        assert dues[0] < dues[1] and dues[2] is None

        wang = client_for("wang")
        titles = [filed_first.title, filed_later.title, unnumbered.title]
        for page in (wang.get("/").content.decode(), wang.get("/approvals/").content.decode()):
            shown = [t for t in re.findall("|".join(map(re.escape, titles)), page) if t]
            assert list(dict.fromkeys(shown)) == titles
