"""The rows' links and times prepared once a page read exactly what ``{% url %}`` and ``|date``
write in a template."""

from __future__ import annotations

import datetime as dt

from django.template import engines
from django.urls import reverse
from django.utils import timezone

from casetrail.lib.listing import day, id_link, minute


def test_it_links_each_id_as_reverse_does() -> None:
    link = id_link("case-detail")
    for pk in (1, 7, 42, 918273645, 10**9):
        assert link(pk) == reverse("case-detail", args=[pk])


def test_it_writes_times_as_the_date_filter_does() -> None:
    render = engines["django"].from_string('{{ t|date:"Y-m-d H:i" }}|{{ t|date:"Y-m-d" }}').render
    for t in (
        dt.datetime(2026, 12, 31, 16, 30, tzinfo=dt.UTC),  # the next day in Beijing
        timezone.now(),
        timezone.make_aware(dt.datetime(2026, 1, 2, 0, 5)),
    ):
        assert render({"t": t}) == f"{minute(t)}|{day(t)}"
    assert day(dt.date(2026, 3, 4)) == "2026-03-04"
