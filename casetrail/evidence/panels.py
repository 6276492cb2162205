"""The evidence app's parts of a case and the worklist (registered from ``EvidenceConfig.ready()``):
the case page's 音像记录, and on 待办 the upload links, the inbox and the late uploads (第三十条)."""

from __future__ import annotations

from typing import Any

from casetrail.cases.hooks import CasePage, Panel, WorklistSection
from casetrail.cases.selectors import page_read_state
from casetrail.evidence.selectors import (
    as_seen,
    inbox_counts,
    items_of_case,
    late_recordings_for,
)
from casetrail.org.models import Officer, Role


def panel(page: CasePage) -> dict[str, Any]:
    return {
        "items": as_seen(
            officer=page.officer,
            items=items_of_case(case=page.case),
            states={page.case.pk: page_read_state(page)},
        ),
        "may_upload": page.is_assigned and page.case.is_open,
    }


def worklist(officer: Officer) -> dict[str, Any] | None:
    """Uploads, the inbox and late uploads: a handler's steps (or anyone's who has recordings
    waiting); left out of the other roles' 待办."""
    # The button shows how many are waiting: counted, not read (the inbox page lists them).
    inbox = inbox_counts(officer=officer)
    late = late_recordings_for(officer)
    if not officer.has_role(Role.HANDLER) and not (inbox["unlinked"] or inbox["pending"] or late):
        return None
    return {"inbox": inbox, "late_recordings": as_seen(officer=officer, items=late)}


PANEL = Panel("evidence", 50, "evidence/_panel_items.html", panel, section="media")
WORKLIST = WorklistSection("evidence", 5, "evidence/_worklist_evidence.html", worklist)
