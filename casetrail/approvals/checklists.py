"""What the legal reviewer examines (第十六条; 行政处罚法第五十八条) and who takes part in a
集体讨论 (第十八条), as data.

Each item of the legal review gets a finding — 符合 (ok), 存在问题 (issue, with a note saying what),
不适用 (na) — recorded on the reviewer's step. A review that finds an issue cannot pass (同意): it is
returned for correction or refused.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from casetrail.lib.errors import ActionError
from casetrail.lib.text import clean_text

LEGAL_REVIEW_ITEMS: tuple[tuple[str, str], ...] = (
    ("subject", "执法主体是否合法"),
    ("officers", "执法人员是否具备执法资格"),
    ("jurisdiction", "是否超越法定权限（管辖）"),
    ("procedure", "程序是否合法"),
    ("facts", "事实是否清楚，证据是否确凿充分"),
    ("law", "适用法律、法规、规章是否准确"),
    ("discretion", "裁量基准运用是否适当"),
    ("documents", "执法文书是否完备、规范"),
    ("crime", "是否涉嫌犯罪需移送司法机关"),
)
FINDINGS = {"ok": "符合", "issue": "存在问题", "na": "不适用"}


def clean_findings(raw: Any) -> list[dict[str, str]]:
    """Every checklist item with its finding; an issue needs a note. Raises ActionError."""
    given = {}
    for entry in raw if isinstance(raw, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("item"), str):
            given[entry["item"]] = entry
    out = []
    for code, label in LEGAL_REVIEW_ITEMS:
        entry = given.get(code)
        finding = entry.get("finding") if entry else None
        if finding not in FINDINGS:
            raise ActionError(
                "legal_findings_required",
                f"法制审核须逐项填写审核意见：“{label}”未填写（符合 / 存在问题 / 不适用）",
                field="findings",
            )
        note = clean_text(
            (entry or {}).get("note") or "", where=f"{label}·说明", field="findings", limit=500
        )
        if finding == "issue" and not note:
            raise ActionError(
                "legal_finding_note_required",
                f"“{label}”存在问题的，请写明问题所在",
                field="findings",
            )
        out.append({"item": code, "finding": str(finding), "note": note})
    return out


def has_issue(findings: list[dict[str, str]]) -> bool:
    return any(f["finding"] == "issue" for f in findings)


def collective_quorum() -> int:
    """How many of the agency's leaders a 集体讨论 needs (CASETRAIL_COLLECTIVE_QUORUM)."""
    return int(settings.CASETRAIL_COLLECTIVE_QUORUM)


def labelled(step: Any) -> Any:
    """The step with its findings labelled for display (the stored form keeps only codes)."""
    labels = dict(LEGAL_REVIEW_ITEMS)
    if step.findings:
        step.findings = [
            {
                **f,
                "label": labels.get(f["item"], f["item"]),
                "finding_label": FINDINGS.get(f["finding"], f["finding"]),
            }
            for f in step.findings
        ]
    return step
