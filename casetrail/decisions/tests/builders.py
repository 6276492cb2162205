"""Test builders for the internal decisions: take a chain through its plan as the personas who
hold each step, and the proposals with plausible fields."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from casetrail.approvals.actions import approval_decide
from casetrail.approvals.checklists import LEGAL_REVIEW_ITEMS
from casetrail.approvals.models import Chain, ChainStatus
from casetrail.approvals.selectors import ROLE_FOR_STATUS
from casetrail.cases.models import Case
from casetrail.decisions import actions

WHO = {"review": "wang", "legal": "chen", "decide": "zhao"}
ALL_OK = [{"item": code, "finding": "ok"} for code, _ in LEGAL_REVIEW_ITEMS]


def decide_all(chain: Chain, personas: dict[str, Any], outcome: str = "approve") -> Chain:
    """Approve every step of the plan (the last one with ``outcome``) as 王审核, 陈法制, 赵局长."""
    chain.refresh_from_db()
    while chain.status in ROLE_FOR_STATUS:
        role, _ = ROLE_FOR_STATUS[ChainStatus(chain.status)]
        last = chain.role_after(role) is None
        approval_decide(
            chain=chain,
            officer=personas[WHO[role]],
            outcome=outcome if last else "approve",
            opinion="同意" if outcome == "approve" or not last else "不同意",
            findings=ALL_OK if role == "legal" else None,
        )
        chain.refresh_from_db()
    return chain


def close(case: Case, personas: dict[str, Any]) -> Chain:
    """结案审批 proposed by 张承办 and approved by 王审核 and 赵局长."""
    chain = actions.closing_propose(
        case=case,
        officer=personas["zhang"],
        fields={"ground": "performed", "course": "依法调查、决定、送达", "outcome": "已履行完毕"},
        opinion="案件已执行完毕，建议结案",
    )
    decide_all(chain, personas)
    case.refresh_from_db()
    return chain


def preserve(
    case: Case, personas: dict[str, Any], outcome: str = "approve", **fields: Any
) -> Chain:
    values = {
        "reason": "证据可能灭失",
        "initiated": "ex_officio",
        "object": "销售台账一册",
        "form": "register_hold",
        "legal_basis": "《中华人民共和国行政处罚法》第五十六条",
        **fields,
    }
    chain = actions.preservation_propose(
        case=case, officer=personas["zhang"], fields=values, opinion="建议先行登记保存"
    )
    return decide_all(chain, personas, outcome)


def yesterday() -> str:
    return (timezone.localdate() - dt.timedelta(days=1)).isoformat()


def enforcement_fields(decision: Any, demand: Any, party: Any) -> dict[str, Any]:
    return {
        "party": party.pk,
        "decision": decision.pk,
        "demand_notice": demand.pk,
        "nonperformance": "经催告逾期仍未缴纳罚款",
        "statements": "未陈述申辩",
        "reasons": "当事人经催告逾期仍不履行",
        "legal_basis": "《中华人民共和国行政强制法》第三十七条",
        "manner": "加处罚款",
        "execution_on": timezone.localdate().isoformat(),
    }


def court_fields(decision: Any, demand: Any, party: Any) -> dict[str, Any]:
    return {
        "party": party.pk,
        "decision": decision.pk,
        "demand_notice": demand.pk,
        "no_remedy_sought": True,
        "nonperformance": "经催告逾期仍未缴纳罚款",
        "court": "陵川县人民法院",
        "documents": ["强制执行申请书"],
    }
