"""Paging a long list without counting all of it (issue 18: an exact COUNT over 10^5 visible cases
cost more than the page itself).

``CappedPaginator`` is Django's Paginator whose ``count`` stops at ``cap``: it reads the list's
first ``cap + 1`` items once, in the list's order (a list of ids: a few thousand bytes), and past
the cap says so (``capped``; the page shows 「超过 1000 件」) instead of the total. The count and
every page within those items come from that one read: a count then a page compiled the list's
filter twice (the case list's access filter with its ``EXISTS`` subqueries, ≈ 1 ms of Python
each, issue 18), for the same index walk the ordered read does once — where the page needs a
sort, the sort was the page query's already. Pages beyond the cap are still served: their number
is accepted as long as the page is not empty, read with the list's own slice, and ``has_next`` is
read from one item more than the page holds, never from the count. A caller that knows the list
holds more than ``cap`` items without reading it (``at_least``: a handler's case list, which
holds each of their more than 1,000 assignments) skips that read: each page is its own slice.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import EmptyPage, Page, Paginator

# Above this many rows a list gives no exact total.
COUNT_CAP = 1000
# The worklist's sections count to this many (「超过 100」), the full count (to ``COUNT_CAP``) being
# one click away on the section's list: each total is read in the same index walk as the rows
# shown, and walking to 1,001 for a badge was most of a large handler's worklist (issue 18).
WORKLIST_COUNT_CAP = 100


def counted(n: int, cap: int) -> str:
    """A total as shown: past ``cap`` it was not counted to the end (``n`` is then ``cap + 1``)."""
    return f"超过 {cap}" if n > cap else str(n)


class CappedPaginator(Paginator):
    """A Paginator over a QuerySet counting at most ``cap`` + 1 rows (see the module).
    ``at_least``: how many items the caller knows the list holds (a lower bound)."""

    def __init__(
        self, object_list: Any, per_page: int, cap: int | None = None, at_least: int = 0
    ) -> None:
        super().__init__(object_list, per_page)
        self.cap = COUNT_CAP if cap is None else cap
        # Past the cap by what the caller knows: the first ``cap + 1`` items are never read.
        self.known_capped = at_least > self.cap

    @cached_property
    def head(self) -> list[Any]:
        """The list's first ``cap + 1`` items in its order: one query (``Chained``: its parts')."""
        return list(self.object_list[: self.cap + 1])

    @cached_property
    def count(self) -> int:
        """The rows, or ``cap + 1`` when there are more than ``cap`` (``capped``)."""
        return self.cap + 1 if self.known_capped else len(self.head)

    @property
    def capped(self) -> bool:
        """Whether there are more than ``cap`` rows (the total is then not known)."""
        return self.count > self.cap

    def validate_number(self, number: Any) -> int:
        if not self.capped:
            return int(super().validate_number(number))
        try:
            value = int(number)
        except (TypeError, ValueError):
            value = 1
        if value < 1:
            raise EmptyPage("页码小于 1")
        return value

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if not self.capped:  # every row is in ``head``
            return Page(self.head[bottom:top], number, self)
        # One row more than the page shows: whether there is a next page.
        if not self.known_capped and top < len(self.head):
            rows = self.head[bottom : top + 1]
        else:
            rows = list(self.object_list[bottom : top + 1])
        if not rows and number > 1:
            raise EmptyPage("该页没有内容")
        return CappedPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)

    def get_page(self, number: Any) -> Page:
        try:
            return self.page(self.validate_number(number))
        except EmptyPage:
            return self.page(1)


class CappedPage(Page):
    """A page past the paginator's cap: ``has_next`` from the extra row read."""

    def __init__(self, object_list: Any, number: int, paginator: Any, *, more: bool) -> None:
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more

    def has_other_pages(self) -> bool:
        return self.more or self.number > 1


class Chained:
    """One list read as ``first`` then ``then`` (two ordered QuerySets, e.g. of ids), for
    ``CappedPaginator``: each part read through its own index, ``then`` only where ``first`` ran
    out (a slice of this is a list)."""

    ordered = True

    def __init__(self, first: Any, then: Any) -> None:
        self.first, self.then = first, then

    def __getitem__(self, bounds: slice) -> list[Any]:
        start, stop = bounds.start or 0, bounds.stop
        rows = list(self.first[start:stop])
        if stop is not None and len(rows) == stop - start:
            return rows
        # ``first`` ended inside the slice or before it: its length places ``then``.
        length = start + len(rows) if rows else int(self.first[:start].count())
        offset = max(start - length, 0)
        end = None if stop is None else offset + (stop - start - len(rows))
        return rows + list(self.then[offset:end])
