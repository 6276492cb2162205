"""What the archive adds to the case page and the worklist: the 案卷 line of the overview, the
archive panel, and the custodian's 待立卷归档 section with each case's 30-day deadline (第三十条)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from casetrail.archive.selectors import (
    current_file_of,
    due_for_appraisal,
    fixity_failures,
    is_custodian,
    waiting_for_custodian,
)
from casetrail.cases.hooks import CasePage, Glance, WorklistSection
from casetrail.cases.models import Stage
from casetrail.lib import paging
from casetrail.org.models import Officer


def glance(page: CasePage) -> list[Glance]:
    case = page.case
    if case.stage not in (Stage.CLOSED, Stage.ARCHIVED):
        return []
    f = current_file_of(case)
    text = f"{f.archive_code}（{f.get_status_display()}）" if f else "未立卷"
    tone = "ok" if case.stage == Stage.ARCHIVED else "warn"
    return [Glance(35, "案卷", text, reverse("archive-case", args=[case.pk]), tone)]


def links(page: CasePage) -> list[tuple[str, str]]:
    if page.case.stage not in (Stage.CLOSED, Stage.ARCHIVED):
        return []
    return [(reverse("archive-case", args=[page.case.pk]), "案卷与归档")]


# 待立卷归档 on the worklist: the most urgent cases, the rest on the archive's home page (paged).
WAITING_SHOWN = 20
# /api/worklist/'s "archive" lists at most this many (earliest deadline first), as its deadlines.
WAITING_API_LIMIT = 500


def worklist(officer: Officer) -> dict[str, Any] | None:
    if not is_custodian(officer):
        return None
    waiting, total = waiting_for_custodian(officer, WAITING_SHOWN)
    return {
        "waiting": waiting,
        "total": total,
        "total_shown": paging.counted(total, paging.WORKLIST_COUNT_CAP),
        "fixity": fixity_failures(officer),
        "appraisal": due_for_appraisal(officer),
    }


def worklist_api(officer: Officer) -> list[dict[str, Any]]:
    if not is_custodian(officer):
        return []
    waiting, _ = waiting_for_custodian(officer, WAITING_API_LIMIT)
    return [
        {
            "case": w.case.pk,
            "number": w.case.number,
            "title": w.case.title,
            "state": w.state,
            "due_at": w.deadline.due_at if w.deadline else None,
            "overdue": bool(w.deadline and w.deadline.overdue),
        }
        for w in waiting
    ]


WORKLIST = WorklistSection("archive", 15, "archive/_worklist.html", worklist, worklist_api)
