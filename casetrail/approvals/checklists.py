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
# 行政处罚法第五十八条第一款第三项: what a reviewer may find that calls for 法制审核 even where the
# plan did not foresee it (the legal step is then added to the chain's plan).
LEGAL_REVIEW_GROUNDS: tuple[tuple[str, str], ...] = (
    ("complex", "案情疑难复杂"),
    ("multiple_relations", "涉及多个法律关系"),
)


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


def clean_legal_grounds(raw: Any) -> list[str]:
    """The reviewer's grounds for 法制审核, as known codes, each once. Raises ActionError."""
    known = dict(LEGAL_REVIEW_GROUNDS)
    values = raw if isinstance(raw, list) else [raw]
    unknown = [str(v) for v in values if v not in known]
    if unknown:
        raise ActionError(
            "invalid_legal_ground",
            "提请法制审核的理由应为：" + "、".join(known.values()),
            field="legal_grounds",
        )
    return [code for code in known if code in values]


def has_issue(findings: list[dict[str, str]]) -> bool:
    return any(f["finding"] == "issue" for f in findings)


def collective_quorum() -> int:
    """How many of the agency's leaders a 集体讨论 needs (CASETRAIL_COLLECTIVE_QUORUM)."""
    return int(settings.CASETRAIL_COLLECTIVE_QUORUM)


def labelled(step: Any) -> Any:
    """The step with its findings (and a reviewer's grounds for 法制审核) labelled for display (the
    stored form keeps only codes)."""
    labels = dict(LEGAL_REVIEW_ITEMS)
    grounds = dict(LEGAL_REVIEW_GROUNDS)
    step.legal_ground_labels = [grounds.get(g, g) for g in step.legal_grounds or []]
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
