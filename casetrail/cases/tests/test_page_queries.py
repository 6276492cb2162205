"""The pages measured at scale (issue 18, bench/pages.py) cost a fixed number of queries whatever
the number of cases: the worklist, the case list (default, by stage, searched by a party's name)
and a case's page, for a handler and for the supervisor."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casetrail.conftest import approve_start, client_for, start_ex_officio


def pages(case):
    return {
        "worklist": "/",
        "case list": "/cases/",
        "by stage": "/cases/?stage=investigation",
        "by party name": "/cases/?q=" + case.parties.first().name,
        "case page": f"/cases/{case.pk}/",
    }


def counts(who, case):
    client = client_for(who)
    out = {}
    for name, path in pages(case).items():
        client.get(path)  # warm: session, caches
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200, (who, name)
        out[name] = len(ctx.captured_queries)
    return out


@pytest.mark.parametrize("who", ["zhang", "sun"])
def test_it_reads_each_page_in_the_same_number_of_queries_for_more_cases(personas, who):
    case = approve_start(start_ex_officio(personas), personas)
    few = counts(who, case)
    for _ in range(4):
        approve_start(start_ex_officio(personas), personas)
    start_ex_officio(personas)  # one waiting for its start approval
    assert counts(who, case) == few


@pytest.mark.parametrize("who", ["zhang", "sun"])
def test_it_reads_a_case_page_in_at_most_19_queries(personas, who, django_assert_max_num_queries):
    # Issue 18: 31 before the officers, the chains with their steps and the rules' view of the
    # case were each read once a page (session and login included). A case just acted on (as
    # here) also asks whether it waits for its stored deadlines to be recomputed. 22 until the
    # ledger's index of the case was read only by the full record; 21 until the login, its
    # officer and their roles were read in one query (casetrail.org.backends).
    case = approve_start(start_ex_officio(personas), personas)
    client = client_for(who)
    client.get(f"/cases/{case.pk}/")  # warm: session, caches
    with django_assert_max_num_queries(19):
        assert client.get(f"/cases/{case.pk}/").status_code == 200


# Session, the login with its officer and their roles (one read since casetrail.org.backends:
# 7 and 6 before), then the list: whether the officer is on many
# cases (not asked for a supervisor's list, which has no access filter), the ids for the count
# and the page, the page's rows with their parties. Issue 18: 8 for both before the count and
# the page were read as one list of ids and the rows with their parties in one query.
CASE_LIST_QUERIES = {"zhang": 5, "sun": 4}


@pytest.mark.parametrize("who", sorted(CASE_LIST_QUERIES))
def test_it_reads_the_case_list_in_a_few_queries(personas, who, django_assert_max_num_queries):
    for _ in range(3):
        approve_start(start_ex_officio(personas), personas)
    client = client_for(who)
    for path in ("/cases/", "/cases/?stage=investigation"):
        client.get(path)  # warm: session, caches
        with django_assert_max_num_queries(CASE_LIST_QUERIES[who]):
            assert client.get(path).status_code == 200
