"""The compliance app's parts of a case (registered from ``ComplianceConfig.ready()``): the case
page's 本阶段还需 (with the exemption proposals waiting for approval), warnings, deadlines and the
approved exemptions; the overdue and due deadlines on the worklist and in ``/api/worklist/``."""

from __future__ import annotations

from typing import Any

from casetrail.cases.hooks import CasePage, Panel, WorklistSection
from casetrail.compliance.deadlines import deadlines_for, deadlines_of
from casetrail.compliance.engine import checklist, warnings
from casetrail.compliance.selectors import pending_exemptions
from casetrail.org.models import Officer


def panel(page: CasePage) -> dict[str, Any]:
    case = page.case
    pending = pending_exemptions(case)
    items = checklist(case) if case.is_open else []
    return {
        # Each unmet item with the exemption proposal waiting for approval, if one is.
        "checklist": [(f, pending.get((f.rule.id, f.missing.subject))) for f in items],
        "warnings": warnings(case),
        "deadlines": deadlines_of(case),
        "exemptions": list(case.exemptions.select_related("officer")),
        "may_record": page.is_assigned and case.is_open and case.stage != "start",
    }


def worklist(officer: Officer) -> dict[str, Any]:
    deadlines = deadlines_for(officer=officer)
    return {
        "due": [d for d in deadlines if not d.overdue],
        "overdue": [d for d in deadlines if d.overdue],
    }


def worklist_api(officer: Officer) -> list[dict[str, Any]]:
    return [
        {
            "case": d.case.pk,
            "rule": d.rule,
            "title": d.title,
            "basis": d.basis,
            "due_at": d.due_at,
            "overdue": d.overdue,
            "estimated": d.estimated,
        }
        for d in deadlines_for(officer=officer)
    ]


PANEL = Panel("compliance", 20, "compliance/_panel_compliance.html", panel)
DEADLINES = WorklistSection(
    "deadlines", 10, "compliance/_worklist_deadlines.html", worklist, worklist_api
)
