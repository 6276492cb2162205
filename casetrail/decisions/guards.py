"""The guard on the 行政执法决定书 (registered with ``records.guards`` from
``DecisionsConfig.ready()``): in the ordinary procedure it is made only after the 处理决定审批 was
approved — not while it is proposed, under review or returned, not after a refusal (行政处罚法第五十八
条: 未经法制审核或者审核未通过的，不得作出决定), not when the approval lacks a step the law now
requires — and it carries the fine that was approved."""

from __future__ import annotations

from typing import Any

from casetrail.approvals.models import ChainStatus, StepRole
from casetrail.cases.models import Case
from casetrail.compliance.engine import CaseView
from casetrail.decisions.rules import REFUSED_BY
from casetrail.decisions.selectors import (
    PENALTY,
    chain_is_open,
    is_ordinary,
    latest_chain,
    missing_steps,
    refusing_step,
)
from casetrail.records.guards import Refusal

STEP_LABELS = {StepRole.LEGAL: "法制审核", StepRole.COLLECTIVE: "集体讨论"}


def decision_document_guard(case: Case, kind: str, fields: dict[str, Any]) -> Refusal | None:
    if kind != "administrative_decision" or not is_ordinary(case):
        return None
    view = CaseView(case)
    chain = latest_chain(view)
    if chain is None:
        return Refusal(
            "decision_not_proposed",
            "处理决定尚未提出和审批：请先“提出处理决定”，经审核人审核、（法制审核、集体讨论、）"
            "负责人批准后，再制作行政执法决定书（第六条；行政处罚法第五十七、五十八条）",
        )
    if chain_is_open(chain):
        return Refusal(
            "decision_chain_open",
            f"处理决定正在审批（{chain.get_status_display()}），审批通过前不得制作行政执法决定书"
            "（第六条；行政处罚法第五十八条）",
        )
    if chain.status == ChainStatus.REFUSED:
        step = refusing_step(chain)
        why = REFUSED_BY.get(StepRole(step.role), "未获批准") if step else "未获批准"
        return Refusal(
            "decision_refused",
            f"处理决定审批{why}，不得作出决定（行政处罚法第五十八条）；修改后重新提出处理决定，"
            "审批通过后方可制作行政执法决定书",
        )
    lacking = missing_steps(view, chain)
    if lacking:
        return Refusal(
            "decision_steps_missing",
            "经批准的处理决定未经"
            + "、".join(STEP_LABELS[StepRole(r)] for r in lacking)
            + "，而本案现须经过（行政处罚法第五十七、五十八条）：请重新提出处理决定",
        )
    approved = chain.record.fields
    fine = approved.get("proposed_fine") or ""
    amount = fields.get("penalty_amount") or ""
    if approved.get("decision_kind") != PENALTY and amount:
        return Refusal(
            "decision_differs_from_approval",
            "经批准的处理决定不是行政处罚，决定书不得载明罚款；变更的应重新提出处理决定并经审批",
        )
    if fine != amount:
        return Refusal(
            "decision_differs_from_approval",
            f"决定书的罚款金额（{amount or '无'}）应与经批准的处理决定（{fine or '无罚款'}）一致；"
            "变更的应重新提出处理决定并经审批（第六条）",
        )
    return None
