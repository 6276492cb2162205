"""The evidence app's parts of a case and the worklist (registered from ``EvidenceConfig.ready()``):
the case page's 音像记录, and on 待办 the upload links, the inbox and the late uploads (第三十条)."""

from __future__ import annotations

from typing import Any

from casetrail.cases.hooks import CasePage, Panel, WorklistSection
from casetrail.evidence.selectors import inbox_for, items_of_case, late_recordings_for
from casetrail.org.models import Officer


def panel(page: CasePage) -> dict[str, Any]:
    return {
        "items": items_of_case(case=page.case),
        "may_upload": page.is_assigned and page.case.is_open,
    }


def worklist(officer: Officer) -> dict[str, Any]:
    return {"inbox": inbox_for(officer=officer), "late_recordings": late_recordings_for(officer)}


PANEL = Panel("evidence", 50, "evidence/_panel_items.html", panel)
WORKLIST = WorklistSection("evidence", 5, "evidence/_worklist_evidence.html", worklist)
