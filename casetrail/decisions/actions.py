"""The decision on the case (处理决定审批, 第六条、第十五至十九条; 行政处罚法第五十七、五十八条): the
handler proposes it with the 处理决定审批表 and the 承办人初审意见, which opens its approval chain —
审核人 → 法制审核 (where 行政处罚法第五十八条 requires it) → 集体讨论 (重大, 第十八条) → 负责人
(第十九条). The steps themselves are taken with ``approvals.actions.approval_decide``; a returned
proposal is revised with ``approval_resubmit``; a refused one may be proposed again (a new chain).

Every public function is a ledgered action (``casetrail.lib.ledgered``).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from casetrail.approvals.models import Chain, StepRole
from casetrail.approvals.writes import open_chain
from casetrail.cases.models import Case
from casetrail.cases.writes import locked, require_assigned, require_handler
from casetrail.compliance.engine import CaseView
from casetrail.decisions.selectors import (
    DECISION,
    PENALTY,
    legal_review_grounds,
    notice_problems,
    why_no_proposal,
)
from casetrail.lib.errors import ActionError
from casetrail.lib.ledgered import Act, ActionName, action
from casetrail.org.models import Officer
from casetrail.records.catalogue import doc_type
from casetrail.records.validation import clean_fields
from casetrail.records.writes import add_record


class DecisionAction(ActionName):
    PROPOSE = "decision.propose"


@action(DecisionAction.PROPOSE)
def decision_propose(
    act: Act, /, *, case: Case, officer: Officer, fields: dict[str, Any], opinion: str
) -> Chain:
    """The handler proposes the decision on the case (第十五条: facts, evidence, basis,
    considerations, the proposal; 第六条: with the 承办人初审意见和理由). Its plan is fixed now:
    法制审核 for each ground of 行政处罚法第五十八条 (重大; a hearing; the handler's 疑难复杂 or 多个法律
    关系; a category the agency configured) — the reviewer may still add it — and 集体讨论 for a
    重大 case. A penalty is proposed only after the 事先告知书 was served and its period ran or the
    party answered, every statement reviewed, a requested hearing held, and the fine not above the
    one notified (行政处罚法第四十四、四十五、六十四条)."""
    now = timezone.now()
    case = locked(case)
    require_handler(officer, timezone.localdate(now))
    require_assigned(case, officer)
    view = CaseView(case, now=now)
    reason = why_no_proposal(view)
    if reason:
        raise ActionError("decision_not_proposable", reason)
    values = clean_fields(doc_type("decision_approval_form"), fields, case=case, now=now)
    if values["decision_kind"] == PENALTY:
        problems = notice_problems(
            view,
            at=now,
            party=values["party"]["id"],
            fine=values.get("proposed_fine") or None,
        )
        if problems:
            raise ActionError(
                problems[0].code,
                "暂不能提出行政处罚决定：" + "；".join(p.message for p in problems),
                details=[p.message for p in problems],
            )
    grounds = legal_review_grounds(view, fields=values)
    record = add_record(
        case=case, kind="decision_approval_form", officer=officer, fields=fields, now=now
    )
    chain, first = open_chain(
        case=case,
        kind=DECISION,
        record=record,
        proposer=officer,
        opinion=opinion,
        requires_legal=bool(grounds),
        now=now,
        plan=[
            StepRole.REVIEW,
            *([StepRole.LEGAL] if grounds else []),
            *([StepRole.COLLECTIVE] if case.is_major else []),
            StepRole.DECIDE,
        ],
    )
    act.record(
        agency=case.agency_id,
        actor=officer,
        subject=f"case:{case.pk}",
        rows=[record, chain, first],
        case=case.pk,
        legal_review_grounds=[g.code for g in grounds],
    )
    return chain
