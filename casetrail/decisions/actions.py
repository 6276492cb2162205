"""Writes of the internal decisions after the start (第六条). Every public function is a ledgered
action (``casetrail.lib.ledgered``); each decision is proposed here and taken through its approval
chain (``casetrail.approvals``), whose effect (registered from ``DecisionsConfig.ready()``) makes it
take effect when the last person of the plan approves."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from casetrail.approvals.models import Chain, ChainKind
from casetrail.cases.models import Case
from casetrail.cases.writes import locked
from casetrail.decisions import closing, enforcement, extension, flags, preservation
from casetrail.decisions.chains import (
    REVIEW_THEN_DECIDE,
    chain_plan,
    propose,
    require_proposer,
    require_stage,
)
from casetrail.lib.errors import ActionError
from casetrail.lib.ledgered import Act, ActionName, action
from casetrail.org.models import Officer
from casetrail.records.models import Record

# --- 证据保全、强制执行、申请法院强制执行、结案、延期、重大复杂案件认定 --------------------------------


class OtherDecisionAction(ActionName):
    PROPOSE_PRESERVATION = "preservation.propose"
    PROPOSE_ENFORCEMENT = "enforcement.propose"
    PROPOSE_COURT_ENFORCEMENT = "court.propose_enforcement"
    PROPOSE_CLOSING = "closing.propose"
    PROPOSE_EXTENSION = "extension.propose"
    RAISE_MAJOR = "major.raise"
    PROPOSE_LOWER_MAJOR = "major.propose_lower"


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
) -> tuple[Record, Chain]:
    """Write the proposal and its chain and record them in the action's one ledger entry."""
    record, chain, first = propose(
        case=case,
        officer=officer,
        kind=kind,
        chain_kind=chain_kind,
        fields=fields,
        opinion=opinion,
        plan=plan,
        now=timezone.now(),
    )
    act.record(
        agency=case.agency_id,
        actor=officer,
        subject=f"chain:{chain.pk}",
        rows=[record, chain, first],
        case=case.pk,
    )
    return record, chain


def _open_for(case: Case, officer: Officer, kind: str, *stages: str) -> Case:
    case = locked(case)
    require_proposer(case, officer)
    require_stage(case, kind, *stages)
    return case


@action(OtherDecisionAction.PROPOSE_PRESERVATION)
def preservation_propose(
    act: Act, /, *, case: Case, officer: Officer, fields: dict[str, Any], opinion: str
) -> Chain:
    """证据保全 (第十四条) — 先行登记保存 among its forms (行政处罚法第五十六条: with the 负责人's
    approval): the handler proposes; 审核人 reviews, 负责人 decides. The 证据登记保存清单 of a
    先行登记保存 may be made once it is approved."""
    case = _open_for(case, officer, preservation.PROPOSAL)
    _, chain = _proposed(
        act,
        case=case,
        officer=officer,
        kind=preservation.PROPOSAL,
        chain_kind=ChainKind.EVIDENCE_PRESERVATION,
        fields=fields,
        opinion=opinion,
        plan=REVIEW_THEN_DECIDE,
    )
    return chain


@action(OtherDecisionAction.PROPOSE_ENFORCEMENT)
def enforcement_propose(
    act: Act, /, *, case: Case, officer: Officer, fields: dict[str, Any], opinion: str
) -> Chain:
    """强制执行决定 (第二十八条; 行政强制法第三十五至三十七条): only after the 催告书 was served, its
    period ran and the party's statements were reviewed; 审核人 → 法制审核 (重大) → 负责人."""
    case = _open_for(case, officer, enforcement.ENFORCEMENT_FORM)
    record, chain = _proposed(
        act,
        case=case,
        officer=officer,
        kind=enforcement.ENFORCEMENT_FORM,
        chain_kind=ChainKind.ENFORCEMENT_DECISION,
        fields=fields,
        opinion=opinion,
        plan=chain_plan(case, legal_when_major=True),
    )
    enforcement.check_enforcement(case, record.fields)
    return chain


@action(OtherDecisionAction.PROPOSE_COURT_ENFORCEMENT)
def court_enforcement_propose(
    act: Act, /, *, case: Case, officer: Officer, fields: dict[str, Any], opinion: str
) -> Chain:
    """申请人民法院强制执行 (第二十九条; 行政强制法第五十三至五十五条): only after a served 催告书;
    审核人 → 法制审核 (重大) → 负责人, who signs the application."""
    case = _open_for(case, officer, enforcement.COURT_FORM)
    record, chain = _proposed(
        act,
        case=case,
        officer=officer,
        kind=enforcement.COURT_FORM,
        chain_kind=ChainKind.COURT_ENFORCEMENT,
        fields=fields,
        opinion=opinion,
        plan=chain_plan(case, legal_when_major=True),
    )
    enforcement.check_court_application(case, record.fields)
    return chain


@action(OtherDecisionAction.PROPOSE_CLOSING)
def closing_propose(
    act: Act, /, *, case: Case, officer: Officer, fields: dict[str, Any], opinion: str
) -> Chain:
    """结案审批 (第六条): in 送达执行, with no other decision pending and every rule guarding 结案
    met; 审核人 reviews, 负责人 approves, and the case enters 结案."""
    case = locked(case)
    require_proposer(case, officer)
    closing.check_closing(case)
    _, chain = _proposed(
        act,
        case=case,
        officer=officer,
        kind=closing.PROPOSAL,
        chain_kind=ChainKind.CASE_CLOSING,
        fields=fields,
        opinion=opinion,
        plan=REVIEW_THEN_DECIDE,
    )
    return chain


@action(OtherDecisionAction.PROPOSE_EXTENSION)
def extension_propose(
    act: Act, /, *, case: Case, officer: Officer, fields: dict[str, Any], opinion: str
) -> Chain:
    """延长办案期限 (行政处罚法第六十条): only a period the law allows to be extended, within the days
    one approval may add, before it ends; 审核人 reviews, 负责人 approves."""
    extension.check_allowed(str(fields.get("deadline") or ""))
    case = _open_for(case, officer, extension.PROPOSAL)
    record, chain = _proposed(
        act,
        case=case,
        officer=officer,
        kind=extension.PROPOSAL,
        chain_kind=ChainKind.PERIOD_EXTENSION,
        fields=fields,
        opinion=opinion,
        plan=REVIEW_THEN_DECIDE,
    )
    extension.check_extension(case, record.fields, proposing=True)
    return chain


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
    _, chain = _proposed(
        act,
        case=case,
        officer=officer,
        kind=flags.RECORD,
        chain_kind=ChainKind.MAJOR_FLAG_LOWER,
        fields={"change": "lower", "reason": reason},
        opinion=opinion,
        plan=REVIEW_THEN_DECIDE,
    )
    return chain
