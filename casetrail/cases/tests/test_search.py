"""The case list's search through the index of the cases' text (``casetrail.cases.search``, issue
18): the triggers keep it equal to what the facts give, and a search answers exactly what the plain
substring test answers, for 1- and 2-character Chinese queries too, within the visible cases only."""

from __future__ import annotations

import pytest
from django.db.models import Exists, OuterRef, Q

from casetrail.cases.models import Party, SearchGram
from casetrail.cases.search import grams_from_facts
from casetrail.cases.writes import CaseInput, PartyInput
from casetrail.conftest import approve_start, client_for, start_ex_officio
from casetrail.start.actions import case_start_ex_officio


def person(name: str) -> PartyInput:
    return PartyInput(kind="person", name=name)


def expected_grams() -> set[tuple[int, str, int]]:
    return grams_from_facts()


def stored_grams() -> set[tuple[int, str, int]]:
    return set(SearchGram.objects.values_list("agency_id", "gram", "case_id"))


def plain(officer, q: str) -> set[int]:
    """What the list answered before the index: the substring test over every visible case."""
    from casetrail.cases.selectors import visible_cases

    return set(
        visible_cases(officer=officer)
        .filter(
            Q(number__icontains=q)
            | Q(title__icontains=q)
            | Q(Exists(Party.objects.filter(case_id=OuterRef("pk"), name__icontains=q)))
        )
        .values_list("pk", flat=True)
    )


@pytest.fixture
def cases(personas):
    made = [
        approve_start(start_ex_officio(personas, title="养老院消防问题"), personas),
        start_ex_officio(
            personas, title="殡葬服务收费问题", parties=[person("张三"), person("李四")]
        ),
        start_ex_officio(personas, title="ABC Care Home 未备案", parties=[person("王五")]),
        start_ex_officio(personas, title="社会组织年检", parties=[person("欧阳三丰")]),
    ]
    return made


def test_it_keeps_the_index_equal_to_what_the_cases_and_parties_hold(personas, cases):
    # The number given at 立案 (an UPDATE of the case) is indexed as well as the title and parties.
    assert cases[0].number
    assert stored_grams() == expected_grams()
    assert (cases[0].agency_id, "消防", cases[0].pk) in stored_grams()
    assert (cases[2].agency_id, "ab", cases[2].pk) in stored_grams()  # ASCII in lower case


QUERIES = [
    "张三",
    "张",
    "三丰",
    "欧阳三丰",
    "三李",
    "李四",
    "殡葬",
    "消防问题",
    "abc",
    "CARE",
    "e h",
    "周某",
    "某",
    "无此人",
    "Ä",
    "号",
    "〔",
]


@pytest.mark.parametrize("sparse", [2000, 0])
def test_it_finds_what_the_substring_test_finds(personas, cases, monkeypatch, sparse):
    # ``sparse`` 0: every posting list counts as long, so the list is walked in its order and
    # each case tested (the path of a common query at 10^5 cases).
    monkeypatch.setattr("casetrail.cases.search.SPARSE", sparse)
    from casetrail.cases.selectors import case_list

    queries = [*QUERIES, cases[0].number, cases[0].number[-4:]]
    for who in ["zhang", "sun"]:
        officer = personas[who]
        for q in queries:
            found = set(case_list(officer=officer, q=q).values_list("pk", flat=True))
            assert found == plain(officer, q), (who, q)
    # Two parties' names side by side are not one name: 张三 and 李四 do not give "三李".
    assert not set(case_list(officer=personas["zhang"], q="三李"))
    assert {c.pk for c in case_list(officer=personas["sun"], q="三")} == {cases[1].pk, cases[3].pk}


def test_it_searches_only_the_cases_the_officer_may_see(personas, other_agency, cases):
    ma = other_agency["ma"]
    theirs = case_start_ex_officio(
        officer=ma,
        data=CaseInput(
            unit=ma.unit,
            title="另一机关的案件",
            category="elderly",
            officers=[ma, other_agency["niu"]],
            parties=[person("张三")],
        ),
        reason="举报",
        party_facts="张三",
        opinion="建议立案",
    )
    for who in ["zhang", "sun"]:
        page = client_for(who).get("/cases/?q=张三").content.decode()
        assert "殡葬服务收费问题" in page and "另一机关的案件" not in page
    page = client_for("ma").get("/cases/?q=张三").content.decode()
    assert "另一机关的案件" in page and "殡葬服务收费问题" not in page
    assert (ma.agency_id, "张三", theirs.pk) in stored_grams()
    assert stored_grams() == expected_grams()
