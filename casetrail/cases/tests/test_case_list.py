"""The case list: filters, search, and a fixed number of queries whatever the number of cases."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from casetrail.conftest import approve_start, client_for, start_ex_officio


def queries_for(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_it_lists_cases_in_a_constant_number_of_queries(personas, django_assert_num_queries):
    zhang = client_for("zhang")
    start_ex_officio(personas)
    one = queries_for(zhang, "/cases/")
    for _ in range(5):
        start_ex_officio(personas)
    with django_assert_num_queries(one):
        zhang.get("/cases/")
    api_one = queries_for(zhang, "/api/cases/")
    start_ex_officio(personas)
    with django_assert_num_queries(api_one):
        zhang.get("/api/cases/")


def test_it_filters_by_stage_and_searches_by_number_and_party(personas):
    opened = approve_start(start_ex_officio(personas, title="养老院消防问题"), personas)
    start_ex_officio(
        personas,
        title="殡葬服务收费问题",
        parties=[
            __import__("casetrail.cases.writes", fromlist=["PartyInput"]).PartyInput(
                kind="organisation", name="陵川县某殡仪服务部"
            )
        ],
    )
    zhang = client_for("zhang")
    ids = lambda url: [c["id"] for c in zhang.get(url).json()["results"]]  # noqa: E731
    assert ids("/api/cases/?stage=investigation") == [opened.pk]
    assert len(ids("/api/cases/?stage=start")) == 1
    assert ids(f"/api/cases/?q={opened.number}") == [opened.pk]
    assert len(ids("/api/cases/?q=殡仪服务部")) == 1
    page = zhang.get("/cases/?q=殡仪服务部").content.decode()
    assert "殡葬服务收费问题" in page and "养老院消防问题" not in page
    # htmx requests get only the results partial.
    partial = zhang.get("/cases/?stage=investigation", HTTP_HX_REQUEST="true").content.decode()
    assert "养老院消防问题" in partial and "<html" not in partial
