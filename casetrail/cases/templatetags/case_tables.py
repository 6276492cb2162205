"""``cases|case_rows``: a table of cases rendered from rows computed once in Python."""

from __future__ import annotations

from typing import Any

from django import template

from casetrail.cases.selectors import CaseRow, case_table_rows

register = template.Library()


@register.filter
def case_rows(cases: Any) -> list[CaseRow]:
    return case_table_rows(cases)
