"""The case list: filters, search, and a fixed number of queries whatever the number of cases."""

from __future__ import annotations

import pytest
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


@pytest.mark.parametrize("many", [1000, 2])
def test_it_caps_the_count_of_a_long_list_and_still_pages_through_it(personas, monkeypatch, many):
    # Issue 18: past the cap the list says 「超过 N 件」 instead of counting every visible case;
    # its pages go on while they have cases. (A cap of 3 and pages of 2 stand for 1,000 and 30;
    # ``many`` 2: zhang counts as an officer on many cases, whose list reads the access filter
    # correlated to each case.)
    monkeypatch.setattr("casetrail.lib.paging.COUNT_CAP", 3)
    monkeypatch.setattr("casetrail.cases.selectors.MANY_CASES", many)
    monkeypatch.setattr("casetrail.cases.views.PER_PAGE", 2)
    titles = [f"养老机构检查第{i}号" for i in range(5)]
    for title in titles:
        start_ex_officio(personas, title=title)
    zhang = client_for("zhang")
    first = zhang.get("/cases/").content.decode()
    assert "超过 3 件" in first and "共 5 件" not in first and "page=2" in first
    assert titles[4] in first and titles[3] in first and titles[2] not in first
    last = zhang.get("/cases/?page=3").content.decode()
    assert titles[0] in last and titles[1] not in last
    assert "page=4" not in last and "page=2" in last
    # A page past the end: the first page, as Django's paginator answers.
    assert titles[4] in zhang.get("/cases/?page=9").content.decode()
    # Under the cap the exact total, as before.
    monkeypatch.setattr("casetrail.lib.paging.COUNT_CAP", 1000)
    page = zhang.get("/cases/").content.decode()
    assert "第 1 / 3 页，共 5 件" in page


def test_it_shows_the_latest_open_cases_on_the_worklist_with_the_total(personas, monkeypatch):
    monkeypatch.setattr("casetrail.cases.panels.MY_CASES_SHOWN", 2)
    for i in range(3):
        start_ex_officio(personas, title=f"养老机构检查第{i}号")
    page = client_for("zhang").get("/").content.decode()
    assert "养老机构检查第2号" in page and "养老机构检查第1号" in page
    assert "养老机构检查第0号" not in page
    assert "我办理中的全部案件（3 件，此处显示最近 2 件）" in page
    assert "?mine=1&amp;status=open" in page


def test_it_reads_the_same_visible_cases_in_both_shapes_of_the_access_filter(personas):
    # The long list's correlated EXISTS and the sets of ids elsewhere are one access function:
    # assigned, acted on in a chain, waiting for one's role, custodians' closed cases.
    from casetrail.cases.selectors import case_list, visible_cases

    approve_start(start_ex_officio(personas), personas)
    start_ex_officio(personas)  # waiting for 王审核's review
    for who, officer in personas.items():
        by_sets = set(visible_cases(officer=officer).values_list("pk", flat=True))
        by_exists = set(
            visible_cases(officer=officer, correlated=True).values_list("pk", flat=True)
        )
        assert by_sets == by_exists, who
        mine = set(case_list(officer=officer, mine=True).values_list("pk", flat=True))
        assert mine == set(
            case_list(officer=officer, mine=True, correlated=True).values_list("pk", flat=True)
        ), who
    assert visible_cases(officer=personas["wang"]).exists()  # the reviewer sees the waiting one


def test_it_shows_each_row_as_the_case_reads(personas):
    # The rows are computed once in Python (issue 18); they say what the case's fields say.
    from django.utils import timezone

    from casetrail.cases.writes import PartyInput

    case = start_ex_officio(
        personas,
        title="殡葬服务收费问题",
        emergency=True,
        parties=[PartyInput(kind="person", name="张三"), PartyInput(kind="person", name="李四")],
    )
    page = client_for("zhang").get("/cases/").content.decode()
    registered = timezone.localtime(case.created_at).strftime("%Y-%m-%d %H:%M")
    assert f'<a href="/cases/{case.pk}/">（未编号）</a>' in page
    assert '殡葬服务收费问题 <span class="tag warn">紧急</span>' in page
    assert '<td data-label="当事人">张三、李四</td>' in page
    assert f'<td data-label="启动方式">{case.get_start_mode_display()} · ' in page
    assert f'<span class="tag">{case.get_stage_display()}</span>' in page
    assert f'<td data-label="登记时间">{registered}</td>' in page


def test_it_reads_one_case_with_the_correlated_access_filter(personas):
    # One case's page tests that case alone (EXISTS probes), not every case a handler was ever
    # assigned gathered as a set of ids; still a 404 for an officer with no part in it.
    from django.http import Http404

    from casetrail.cases.selectors import case_for_user

    case = start_ex_officio(personas)
    with CaptureQueriesContext(connection) as ctx:
        assert case_for_user(user=personas["zhang"].user, case_id=case.pk) == case
    read = next(q["sql"] for q in ctx.captured_queries if 'FROM "cases_case"' in q["sql"])
    assert "EXISTS" in read and 'IN (SELECT U0."case_id"' not in read
    with pytest.raises(Http404):
        case_for_user(user=personas["liu"].user, case_id=case.pk)


# The case table's rows as the template's loop wrote them before they were written in Python
# (issue 18): the reference the rows' HTML must equal, character for character.
FORMER_LOOP = """{% for c in rows %}
    <tr>
      <td data-label="案件编号"><a href="{{ c.url }}">{{ c.number|default:"（未编号）" }}</a></td>
      <td data-label="案由">{{ c.title }}{% if c.is_major %} <span class="tag bad">重大</span>{% endif %}{% if c.emergency %} <span class="tag warn">紧急</span>{% endif %}</td>
      <td data-label="当事人">{{ c.parties|default:"—" }}</td>
      <td data-label="启动方式">{{ c.start }}</td>
      <td data-label="阶段"><span class="tag">{{ c.stage }}</span></td>
      <td data-label="登记时间">{{ c.registered }}</td>
    </tr>
  {% endfor %}"""


def test_it_writes_the_case_rows_as_the_template_loop_wrote_them():
    from django.template import Context, Template

    from casetrail.cases.selectors import CaseRow
    from casetrail.cases.templatetags.case_tables import case_table_body

    rows = [
        CaseRow(
            pk=7,
            url="/cases/7/",
            number="",
            title="<script>alert('x')</script> & \"引号\"",
            is_major=True,
            emergency=True,
            parties="",
            start="依职权 · 待审批",
            stage="立案",
            registered="2026-12-01 09:30",
        ),
        CaseRow(
            pk=8,
            url="/cases/8/",
            number="陵民罚〔2026〕8号",
            title="殡葬服务收费问题",
            is_major=False,
            emergency=False,
            parties="张三、<李四>",
            start="依申请 · 已批准立案",
            stage="调查取证",
            registered="2026-12-01 10:00",
        ),
    ]
    written = case_table_body(rows)
    assert written == Template(FORMER_LOOP).render(Context({"rows": rows}))
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;" in written
    assert case_table_body([]) == ""


def test_it_reads_the_access_filter_once_for_the_count_and_the_page(personas, monkeypatch):
    # Issue 18: the ids read once, in the list's order, give the count and the page; the rows
    # are then read by id. Before, a count and a page each compiled the access filter.
    monkeypatch.setattr("casetrail.cases.views.PER_PAGE", 2)
    for i in range(3):
        start_ex_officio(personas, title=f"养老机构检查第{i}号")
    zhang = client_for("zhang")
    with CaptureQueriesContext(connection) as ctx:
        page = zhang.get("/cases/").content.decode()
    filtered = [q["sql"] for q in ctx.captured_queries if '"cases_caseofficer"' in q["sql"]]
    listed = [sql for sql in filtered if 'FROM "cases_case"' in sql]
    assert len(listed) == 1 and "COUNT" not in listed[0]
    assert "第 1 / 2 页，共 3 件" in page and "养老机构检查第2号" in page
    assert "养老机构检查第0号" not in page


def _results(client, url):
    # The list's part of the page (htmx): no CSRF or idempotency token to tell two reads apart.
    answer = client.get(url, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200
    return answer.content.decode()


def test_it_pages_a_handlers_long_list_past_the_cap_without_walking_it(
    personas, other_agency, monkeypatch
):
    # Issue 18: an officer assigned to more than MANY_CASES cases holds each of them in a list no
    # filter narrows, so it is past the cap unread (no read of cap + 1 ids); each page reads its
    # own slice and shows what the walk to cap + 1 showed. (MANY_CASES 3, a cap of 2, pages of
    # 1: zhang is on 4 cases.)
    from casetrail.cases.writes import CaseInput, PartyInput
    from casetrail.start.actions import case_start_ex_officio

    monkeypatch.setattr("casetrail.lib.paging.COUNT_CAP", 2)
    monkeypatch.setattr("casetrail.cases.selectors.MANY_CASES", 3)
    monkeypatch.setattr("casetrail.cases.views.PER_PAGE", 1)
    titles = [f"养老机构检查第{i}号" for i in range(4)]
    for title in titles:
        start_ex_officio(personas, title=title)
    ma, niu = other_agency["ma"], other_agency["niu"]
    case_start_ex_officio(  # the newest case of all, in another agency
        officer=ma,
        data=CaseInput(
            unit=ma.unit,
            title="另一机关的案件",
            category="elderly",
            officers=[ma, niu],
            parties=[PartyInput(kind="person", name="吴某")],
        ),
        reason="举报",
        party_facts="吴某",
        opinion="建议立案",
    )
    zhang = client_for("zhang")
    pages = [f"/cases/?page={n}" for n in (1, 2, 3, 4)]
    urls = [*pages, "/cases/?page=9", "/cases/?mine=1"]
    known = {}
    for url in urls:
        with CaptureQueriesContext(connection) as ctx:
            known[url] = _results(zhang, url)
        assert not any("LIMIT 3" in q["sql"] for q in ctx.captured_queries), url
    first = known[pages[0]]
    assert "超过 2 件" in first and "page=2" in first and titles[3] in first
    assert [sum(known[url].count(title) for url in pages) for title in titles] == [1, 1, 1, 1]
    assert "page=5" not in known[pages[3]] and titles[0] in known[pages[3]]
    assert "另一机关的案件" not in "".join(known.values())
    # The same HTML as the list walked to cap + 1 to count it.
    monkeypatch.setattr("casetrail.cases.views.known_length", lambda **filters: 0)
    assert {url: _results(zhang, url) for url in urls} == known


def test_it_counts_a_handlers_long_list_a_filter_narrows(personas, monkeypatch):
    # A stage (or a search, a status, a mode) may hold fewer of the officer's cases than the
    # cap: that list is counted, whatever their assignments.
    monkeypatch.setattr("casetrail.lib.paging.COUNT_CAP", 3)
    monkeypatch.setattr("casetrail.cases.selectors.MANY_CASES", 3)
    monkeypatch.setattr("casetrail.cases.views.PER_PAGE", 1)
    for i in range(4):
        case = start_ex_officio(personas, title=f"养老机构检查第{i}号")
        if i < 2:
            approve_start(case, personas)
    zhang = client_for("zhang")
    assert "第 1 / 2 页，共 2 件" in _results(zhang, "/cases/?stage=investigation")
    assert "超过 3 件" in _results(zhang, "/cases/")
