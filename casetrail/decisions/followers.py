"""The documents that follow an approved decision (第六条), guarded in ``records`` (registered with
``records.guards.register_document_guard`` from ``DecisionsConfig.ready()``): each is made only
under the approved version of its decision — a refused or pending one lets nothing follow."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from casetrail.cases.models import Case
from casetrail.decisions import enforcement, preservation
from casetrail.records.guards import Refusal

FOLLOWERS: dict[str, Callable[[Case, dict[str, Any]], Refusal | None]] = {
    # 先行登记保存 (行政处罚法第五十六条)
    "evidence_register": preservation.register_follows_approval,
    # 强制执行决定书 (第二十八条; 行政强制法第三十七条)
    "enforcement_decision": enforcement.enforcement_decision_follows_approval,
    # 申请人民法院强制执行记录 (第二十九条; 行政强制法第五十三至五十五条)
    "court_enforcement_record": enforcement.court_record_follows_approval,
}


def follows_its_decision(case: Case, kind: str, fields: dict[str, Any]) -> Refusal | None:
    guard = FOLLOWERS.get(kind)
    return guard(case, fields) if guard is not None else None
