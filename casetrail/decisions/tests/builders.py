"""Test builders for the decision stage: the 事先告知 served and answered, the decision proposed,
each step of its chain taken by the persona who holds it, a case carried to 送达执行.

Other apps' tests use them to bring a case through the decision stage the way the law requires."""

from __future__ import annotations

from typing import Any

from casetrail.approvals.actions import approval_decide
from casetrail.approvals.checklists import LEGAL_REVIEW_ITEMS
from casetrail.approvals.models import OPEN_STATUSES, Chain, ChainStatus
from casetrail.cases.models import Case
from casetrail.compliance.tests.builders import advance, make
from casetrail.decisions.actions import decision_propose
from casetrail.org.models import Officer
from casetrail.records.models import Record


def leaders(personas: dict[str, Any]) -> list[Officer]:
    """赵局长 and the demo's 郑副局长 and 冯副局长: a 集体讨论 with the default quorum of three."""
    return [personas["zhao"], personas["zheng"], personas["feng"]]


def all_ok(**overrides: str) -> list[dict[str, str]]:
    """A finding on every item of the legal checklist: 符合, unless overridden (with a note)."""
    return [
        {
            "item": code,
            "finding": overrides.get(code, "ok"),
            "note": "存在问题" if overrides.get(code) == "issue" else "",
        }
        for code, _ in LEGAL_REVIEW_ITEMS
    ]


def notify(
    case: Case, personas: dict[str, Any], *, fine: str = "500.00", reply: str = "waiver"
) -> Record:
    """In 调查取证: the investigation's trace (an interview, R12) if it has none, then the
    事先告知书 made and served in person; the party answers (``reply``: waiver or hearing; ""
    leaves the period running). Returns the notice."""
    if not case.records.filter(kind="interview_record").exists():
        make(case, personas, "interview_record")
    notice = make(case, personas, "rights_notice", proposed_fine=fine, hearing_available=False)
    make(case, personas, "service_receipt", document=notice.pk)
    if reply:
        make(case, personas, "penalty_notice_reply", notice=notice.pk, reply=reply)
    return notice


def proposal(case: Case, **overrides: Any) -> dict[str, Any]:
    """The fields of a 处理决定审批表 proposing a fine of 500 yuan."""
    return {
        "party": case.parties.first().pk,
        "facts": "当事人未按规定备案擅自开展养老服务。",
        "evidence": ["现场检查笔录", "询问笔录"],
        "legal_basis": "《养老机构管理办法》第四十六条",
        "considerations": "初次违法，主动整改。",
        "decision_kind": "penalty",
        "proposal": "罚款人民币500元。",
        "proposed_fine": "500.00",
        **overrides,
    }


def propose(case: Case, personas: dict[str, Any], **overrides: Any) -> Chain:
    return decision_propose(
        case=case,
        officer=personas["zhang"],
        fields=proposal(case, **overrides),
        opinion="事实清楚，证据确凿，建议按上述意见处理。",
    )


def take_steps(chain: Chain, personas: dict[str, Any]) -> Chain:
    """Every remaining step approved by the persona who holds it: 王审核 reviews, 陈法制 reviews
    legality on the checklist, 郑副局长 chairs the 集体讨论 of three leaders, 赵局长 decides."""
    chain.refresh_from_db()
    while chain.status in OPEN_STATUSES:
        status = ChainStatus(chain.status)
        if status == ChainStatus.PENDING_REVIEW:
            approval_decide(
                chain=chain, officer=personas["wang"], outcome="approve", opinion="同意"
            )
        elif status == ChainStatus.PENDING_LEGAL:
            approval_decide(
                chain=chain,
                officer=personas["chen"],
                outcome="approve",
                opinion="合法",
                findings=all_ok(),
            )
        elif status == ChainStatus.PENDING_COLLECTIVE:
            people = leaders(personas)
            approval_decide(
                chain=chain,
                officer=people[1],
                outcome="approve",
                opinion="集体讨论同意",
                participants=[{"id": o.pk, "view": "同意"} for o in people],
            )
        elif status == ChainStatus.PENDING_DECISION:
            approval_decide(
                chain=chain, officer=personas["zhao"], outcome="approve", opinion="批准"
            )
        else:
            raise AssertionError(f"chain {chain.pk} is {chain.status}")
        chain.refresh_from_db()
    return chain


def decide(case: Case, personas: dict[str, Any], **overrides: Any) -> Chain:
    """In 审查决定: propose the decision and have it approved step by step."""
    return take_steps(propose(case, personas, **overrides), personas)


def to_service(case: Case, personas: dict[str, Any], *, fine: str = "500.00") -> Case:
    """From 调查取证 to 送达执行 as the law requires: the 事先告知 served and waived, the
    investigation report, the decision approved, the 行政执法决定书 with the fine approved. The
    investigation leaves its trace first (R12: an investigation record before 审查决定)."""
    notify(case, personas, fine=fine)
    advance(case, personas, "decision")
    make(case, personas, "investigation_final_report")
    decide(case, personas, proposed_fine=fine)
    make(case, personas, "administrative_decision", penalty_amount=fine)
    advance(case, personas, "service")
    return case
