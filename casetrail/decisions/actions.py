"""Writes of the internal decisions after the start (第六条). Every public function is a ledgered
action (``casetrail.lib.ledgered``); each decision is proposed here and taken through its approval
chain (``casetrail.approvals``), whose effect (registered from ``DecisionsConfig.ready()``) makes it
take effect when the last person of the plan approves; a returned proposal is revised with
``approval_resubmit``, a refused one may be proposed again (a new chain).

- The decision on the case (处理决定审批, 第六条、第十五至十九条; 行政处罚法第五十七、五十八条): the
  handler proposes it with the 处理决定审批表 and the 承办人初审意见 — 审核人 → 法制审核 (where
  行政处罚法第五十八条 requires it) → 集体讨论 (重大, 第十八条) → 负责人 (第十九条).
- The other decisions: 证据保全 / 先行登记保存, 强制执行决定, 申请人民法院强制执行, 结案, 延期, and
  the 重大 flag raised (at once) or lowered (a decision).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from casetrail.approvals.models import Chain, StepRole
from casetrail.approvals.writes import open_chain
from casetrail.cases.models import Case
from casetrail.cases.writes import locked, require_assigned, require_handler
from casetrail.compliance.engine import CaseView
from casetrail.decisions import closing, enforcement, extension, flags, preservation
from casetrail.decisions.chains import chain_plan, require_proposer, require_stage
from casetrail.decisions.kinds import DecisionChain
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
from casetrail.records.models import Record
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


# --- 证据保全、强制执行、申请法院强制执行、结案、延期、重大复杂案件认定 --------------------------------


class OtherDecisionAction(ActionName):
    PROPOSE_PRESERVATION = "preservation.propose"
    PROPOSE_ENFORCEMENT = "enforcement.propose"
    PROPOSE_COURT_ENFORCEMENT = "court.propose_enforcement"
    PROPOSE_CLOSING = "closing.propose"
    PROPOSE_EXTENSION = "extension.propose"
    RAISE_MAJOR = "major.raise"
    PROPOSE_LOWER_MAJOR = "major.propose_lower"
    PROPOSE_CONFIDENTIALITY = "confidentiality.propose"


Check = Callable[[Case, dict[str, Any]], None]


def _proposed(
    act: Act,
    *,
    case: Case,
    officer: Officer,
    kind: str,
    chain_kind: str,
    fields: dict[str, Any],
    opinion: str,
    plan: list[str],
    check: Check | None = None,
) -> Chain:
    """Write the proposal document and open its chain with ``plan`` (第六条), check what the law
    asks of the proposal against its cleaned fields, and record both in the one ledger entry."""
    now = timezone.now()
    record = add_record(case=case, kind=kind, officer=officer, fields=fields, now=now)
    if check is not None:
        check(case, record.fields)
    chain, first = open_chain(
        case=case,
        kind=chain_kind,
        record=record,
        proposer=officer,
        opinion=opinion,
        requires_legal=StepRole.LEGAL in plan,
        plan=plan,
        now=now,
    )
    act.record(
        agency=case.agency_id,
        actor=officer,
        subject=f"chain:{chain.pk}",
        rows=[record, chain, first],
        case=case.pk,
    )
    return chain


@dataclass(frozen=True)
class Proposal:
    """What a proposal made in its document's stage is: the document, the chain kind, whether a
    重大 case adds the 法制审核, and what the law asks before it may be proposed."""

    kind: str
    chain_kind: str
    legal_when_major: bool = False
    check: Check | None = None


PRESERVATION = Proposal(preservation.PROPOSAL, DecisionChain.EVIDENCE_PRESERVATION)
ENFORCEMENT = Proposal(
    enforcement.ENFORCEMENT_FORM,
    DecisionChain.ENFORCEMENT_DECISION,
    legal_when_major=True,
    check=enforcement.check_enforcement,
)
COURT_ENFORCEMENT = Proposal(
    enforcement.COURT_FORM,
    DecisionChain.COURT_ENFORCEMENT,
    legal_when_major=True,
    check=enforcement.check_court_application,
)
EXTENSION = Proposal(
    extension.PROPOSAL, DecisionChain.PERIOD_EXTENSION, check=extension.check_proposal
)


def _in_stage(
    act: Act,
    proposal: Proposal,
    *,
    case: Case,
    officer: Officer,
    fields: dict[str, Any],
    opinion: str,
) -> Chain:
    """A proposal a handler of the case makes in the stage its document belongs to."""
    case = locked(case)
    require_proposer(case, officer)
    require_stage(case, proposal.kind)
    return _proposed(
        act,
        case=case,
        officer=officer,
        kind=proposal.kind,
        chain_kind=proposal.chain_kind,
        fields=fields,
        opinion=opinion,
        plan=chain_plan(case, legal_when_major=proposal.legal_when_major),
        check=proposal.check,
    )


@action(OtherDecisionAction.PROPOSE_PRESERVATION)
def preservation_propose(
    act: Act, /, *, case: Case, officer: Officer, fields: dict[str, Any], opinion: str
) -> Chain:
    """证据保全 (第十四条) — 先行登记保存 among its forms (行政处罚法第五十六条: with the 负责人's
    approval): the handler proposes; 审核人 reviews, 负责人 decides. The 证据登记保存清单 of a
    先行登记保存 may be made once it is approved."""
    return _in_stage(act, PRESERVATION, case=case, officer=officer, fields=fields, opinion=opinion)


@action(OtherDecisionAction.PROPOSE_ENFORCEMENT)
def enforcement_propose(
    act: Act, /, *, case: Case, officer: Officer, fields: dict[str, Any], opinion: str
) -> Chain:
    """强制执行决定 (第二十八条; 行政强制法第三十五至三十七条): only after the 催告书 was served, its
    period ran and the party's statements were reviewed; 审核人 → 法制审核 (重大) → 负责人."""
    return _in_stage(act, ENFORCEMENT, case=case, officer=officer, fields=fields, opinion=opinion)


@action(OtherDecisionAction.PROPOSE_COURT_ENFORCEMENT)
def court_enforcement_propose(
    act: Act, /, *, case: Case, officer: Officer, fields: dict[str, Any], opinion: str
) -> Chain:
    """申请人民法院强制执行 (第二十九条; 行政强制法第五十三至五十五条): only after a served 催告书;
    审核人 → 法制审核 (重大) → 负责人, who signs the application."""
    return _in_stage(
        act, COURT_ENFORCEMENT, case=case, officer=officer, fields=fields, opinion=opinion
    )


@action(OtherDecisionAction.PROPOSE_CLOSING)
def closing_propose(
    act: Act, /, *, case: Case, officer: Officer, fields: dict[str, Any], opinion: str
) -> Chain:
    """结案审批 (第六条): in 送达执行, with no other decision pending and every rule guarding 结案
    met; 审核人 reviews, 负责人 approves, and the case enters 结案."""
    case = locked(case)
    require_proposer(case, officer)
    closing.check_closing(case)
    return _proposed(
        act,
        case=case,
        officer=officer,
        kind=closing.PROPOSAL,
        chain_kind=DecisionChain.CASE_CLOSING,
        fields=fields,
        opinion=opinion,
        plan=chain_plan(case),
    )


@action(OtherDecisionAction.PROPOSE_EXTENSION)
def extension_propose(
    act: Act, /, *, case: Case, officer: Officer, fields: dict[str, Any], opinion: str
) -> Chain:
    """延长办案期限 (行政处罚法第六十条): only a period the law allows to be extended, within the days
    one approval may add, before it ends; 审核人 reviews, 负责人 approves."""
    extension.check_allowed(str(fields.get("deadline") or ""))
    return _in_stage(act, EXTENSION, case=case, officer=officer, fields=fields, opinion=opinion)


@action(OtherDecisionAction.RAISE_MAJOR)
def major_flag_raise(act: Act, /, *, case: Case, officer: Officer, reason: str) -> Record:
    """认定为重大复杂案件 (第五条): a handler of the case or the unit's reviewer, with a reason; the
    重大 rules apply from now on."""
    case = locked(case)
    if not flags.may_raise(case, officer):
        raise ActionError(
            "not_allowed_to_raise", "只有本案承办人或承办机构审核人可以认定重大复杂案件", status=403
        )
    flags.check_changeable(case, raising=True)
    if not reason.strip():
        raise ActionError("reason_required", "请说明认定为重大复杂案件的理由", field="reason")
    record = flags.raise_flag(case=case, officer=officer, reason=reason, now=timezone.now())
    act.record(
        agency=case.agency_id,
        actor=officer,
        subject=f"case:{case.pk}",
        rows=[record, case],
        case=case.pk,
    )
    return record


@action(OtherDecisionAction.PROPOSE_LOWER_MAJOR)
def major_flag_propose_lower(
    act: Act, /, *, case: Case, officer: Officer, reason: str, opinion: str
) -> Chain:
    """取消重大复杂案件认定: a decision — the handler proposes with the reason, 审核人 reviews,
    负责人 approves; until then the 重大 rules apply."""
    case = locked(case)
    require_proposer(case, officer)
    flags.check_changeable(case, raising=False)
    return _proposed(
        act,
        case=case,
        officer=officer,
        kind=flags.RECORD,
        chain_kind=DecisionChain.MAJOR_FLAG_LOWER,
        fields={"change": "lower", "reason": reason},
        opinion=opinion,
        plan=chain_plan(case),
    )


@action(OtherDecisionAction.PROPOSE_CONFIDENTIALITY)
def confidentiality_propose(
    act: Act, /, *, case: Case, officer: Officer, to: str, reason: str, opinion: str
) -> Chain:
    """密级变更 (第三十三条; 第六条): a decision — the handler proposes the new 密级 and why,
    审核人 reviews, 负责人 approves; the case keeps its 密级 until then."""
    case = locked(case)
    require_proposer(case, officer)
    flags.check_confidentiality_change(case, to)
    if not reason.strip():
        raise ActionError("reason_required", "请说明变更密级的理由", field="reason")
    return _proposed(
        act,
        case=case,
        officer=officer,
        kind=flags.CONFIDENTIALITY_RECORD,
        chain_kind=DecisionChain.CONFIDENTIALITY_CHANGE,
        fields={"to": to, "reason": reason},
        opinion=opinion,
        plan=chain_plan(case),
    )
