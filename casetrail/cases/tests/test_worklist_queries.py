"""The worklist (the page after login) reads a fixed, small number of queries whatever the number
of cases and whoever looks (issue 18, pages at scale): each panel's lists bounded, their totals
counted with them, no query per row — for a handler, the supervisor, an approver with chains
waiting for them and the custodian."""

from __future__ import annotations

from typing import Any

import pytest

from casetrail.conftest import approve_start, client_for, start_ex_officio

# Session, then the login with its officer and their roles in one read (two fewer since
# casetrail.org.backends), then each panel's few reads: the evidence
# buttons and late uploads, the deadlines (marks, the officer's cases, both lists' ids and their
# rows), 待我审批 with the deadlines of its chains, 我的案件 (one read of the assignments for an
# officer on no case), the supervisor's findings.
MOST = {"zhang": 15, "sun": 14, "zhao": 13, "liu": 14}


@pytest.mark.parametrize("who", sorted(MOST))
def test_it_reads_the_worklist_in_a_bounded_number_of_queries(
    personas: Any, who: str, django_assert_max_num_queries: Any
) -> None:
    for _ in range(3):
        approve_start(start_ex_officio(personas), personas)
    start_ex_officio(personas)  # one waiting for its start approval
    client = client_for(who)
    client.get("/")  # warm: session, caches
    with django_assert_max_num_queries(MOST[who]):
        assert client.get("/").status_code == 200


def test_it_reads_an_officers_assignments_from_the_officers_side(personas: Any) -> None:
    """The assignments an officer's worklist and case list read (``officer_id = ?``) are a
    search of the covering (officer, case) index on both databases' planners, never a scan of
    the (case, officer) one — SQLite chose that scan at 10^5 cases (23 ms a worklist for 孙监督,
    on no case). On PostgreSQL the test tables are too small for a plan to mean anything."""
    from django.db import connection

    from casetrail.cases.models import CaseOfficer

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's plan; PostgreSQL plans these few rows by cost alone")
    for _ in range(3):
        approve_start(start_ex_officio(personas), personas)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the statistics the product keeps fresh (PRAGMA optimize)
    sql, params = (
        CaseOfficer.objects.filter(officer=personas["sun"])
        .order_by()
        .values_list("case_id", flat=True)[:1001]
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "caseofficer_by_officer" in plan, plan
