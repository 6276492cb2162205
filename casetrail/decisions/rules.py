"""The decision stage's rules (第十五至二十条; 行政处罚法第四十四、四十五、五十七、五十八条), registered
into the compliance catalogue from ``DecisionsConfig.ready()``. They read the 处理决定审批 chain, not
opinion records a handler could type: the reviewer's, the legal unit's, the leaders' discussion and
the 负责人's opinions are the steps of that chain, each taken by the person in their own login.

- R15 the decision drafted (第十五条): the investigation report; the proposal with its facts,
  evidence, basis and considerations, reviewed by the drafting unit's reviewer (the chain's review);
- R16 legally reviewed where 行政处罚法第五十八条 requires it;
- R18 discussed collectively for a 重大 case (第十八条);
- R19 decided by the 负责人 (第十九条);
- R20 the 行政执法决定书 made (第二十条);
- R44 the 事先告知 before a penalty (行政处罚法第四十四、四十五条), with its period as a deadline;
- R58 no decision while its approval was refused (行政处罚法第五十八条: 审核未通过的，不得作出决定),
  nor a decision document made before the approval.
"""

from __future__ import annotations

from collections.abc import Iterator

from casetrail.approvals.models import ChainStatus, StepRole
from casetrail.cases.models import Stage
from casetrail.compliance.engine import (
    CaseView,
    Deadline,
    Kind,
    Missing,
    Unit,
    deadline,
    ref,
    rule,
    title,
)
from casetrail.decisions.selectors import (
    PENALTY,
    approved_chain,
    is_ordinary,
    latest_chain,
    legal_review_grounds,
    notice_problems,
    notice_states,
    passed,
    refusing_step,
)

LEAVE_DECISION = (Stage.SERVICE,)
PROPOSE = "请在“审查决定”阶段“提出处理决定”，经审批通过"


@rule(
    "R15",
    article="第十五条",
    kind=Kind.BLOCK,
    title="草拟决定载明起草人、审查人、依据、事实证据和考虑因素",
    gates=LEAVE_DECISION,
)
def decision_is_drafted(case: CaseView) -> Iterator[Missing]:
    if not is_ordinary(case.case):
        return
    if not case.has("investigation_final_report"):
        yield Missing("case", "缺少案件调查终结报告", "investigation_final_report")
    chain = approved_chain(case)
    if chain is None:
        yield Missing(
            "case",
            "处理决定审批表（起草人、起草机构审查人、法律依据、事实证据、应考虑的因素、决定建议）"
            f"尚未经审核批准：{PROPOSE}",
        )
    elif passed(chain, StepRole.REVIEW) is None:
        yield Missing(f"chain:{chain.pk}", "处理决定审批表未经起草机构审查人（审核人）审核")


@rule(
    "R16",
    article="第十六条；行政处罚法第五十八条",
    kind=Kind.BLOCK,
    title="依法应当法制审核的决定经法制审核通过",
    gates=LEAVE_DECISION,
)
def legally_reviewed(case: CaseView) -> Iterator[Missing]:
    chain = approved_chain(case)
    if chain is None or not is_ordinary(case.case):
        return
    grounds = legal_review_grounds(case, chain=chain)
    if grounds and passed(chain, StepRole.LEGAL) is None:
        yield Missing(
            f"chain:{chain.pk}",
            "应经法制机构审核（" + "；".join(g.label for g in grounds) + "），经批准的处理决定"
            f"未经法制审核：{PROPOSE}",
        )


@rule(
    "R18",
    article="第十八条；行政处罚法第五十七条",
    kind=Kind.BLOCK,
    title="重大案件经集体讨论",
    gates=LEAVE_DECISION,
)
def major_decisions_discussed(case: CaseView) -> Iterator[Missing]:
    if not case.case.is_major or not is_ordinary(case.case):
        return
    chain = approved_chain(case)
    step = passed(chain, StepRole.COLLECTIVE) if chain else None
    if step is None or not step.participants:
        yield Missing(
            f"chain:{chain.pk}" if chain else "case",
            f"重大案件应经行政机关负责人集体讨论决定并记录参加人员及其意见：{PROPOSE}",
        )


@rule("R19", article="第十九条", kind=Kind.BLOCK, title="负责人签署意见", gates=LEAVE_DECISION)
def leader_signed(case: CaseView) -> Iterator[Missing]:
    if not is_ordinary(case.case):
        return
    chain = approved_chain(case)
    if chain is None or passed(chain, StepRole.DECIDE) is None:
        yield Missing("case", f"处理决定尚未经负责人批准（签署意见）：{PROPOSE}")


@rule("R20", article="第二十条", kind=Kind.BLOCK, title="作出行政执法决定书", gates=LEAVE_DECISION)
def decision_document_made(case: CaseView) -> Iterator[Missing]:
    if not case.has("administrative_decision"):
        yield Missing("case", "缺少行政执法决定书（应说明理由）", "administrative_decision")


@rule(
    "R44",
    article="行政处罚法第四十四、四十五条",
    kind=Kind.BLOCK,
    title="行政处罚决定前事先告知，期满或当事人答复后方可决定",
    gates=(Stage.DECISION, Stage.SERVICE),
)
def penalty_after_advance_notice(case: CaseView) -> Iterator[Missing]:
    """Entering 审查决定: a 事先告知书 made is served, its period ran or the party answered, and a
    hearing asked for was held (these documents belong to 调查取证). Entering 送达执行: an approved
    penalty was proposed only after all that, with every statement reviewed."""
    if not is_ordinary(case.case):
        return
    if case.case.stage == Stage.INVESTIGATION:
        problems = notice_problems(case, at=case.now, require_notice=False, reviews=False)
    else:
        chain = approved_chain(case)
        if chain is None or chain.record.fields.get("decision_kind") != PENALTY:
            return
        problems = notice_problems(
            case,
            at=chain.record.created_at,
            party=ref(chain.record, "party"),
            fine=chain.record.fields.get("proposed_fine") or None,
        )
    for p in problems:
        yield Missing(p.subject, p.message, p.add)


@deadline(
    "R44",
    article="行政处罚法第四十五、六十四条",
    title="事先告知后的陈述、申辩和要求听证期限",
    unit=Unit.WORKING_DAYS,  # 行政处罚法第八十五条: 五日 counts working days
    follows=("rights_notice",),
)
def advance_notice_period(case: CaseView) -> Iterator[Deadline]:
    for state in notice_states(case):
        if state.ends is not None:
            yield Deadline(
                case.case,
                f"陈述、申辩和要求听证期限（{title(state.notice)}）",
                "行政处罚法第四十五、六十四条：当事人自告知送达之日起五日（工作日）内提出听证要求，"
                "期满或当事人答复后方可作出处罚决定",
                state.ends,
                info=True,
                done=state.answered,
            )


REFUSED_BY = {
    StepRole.REVIEW: "审核人不同意",
    StepRole.LEGAL: "法制审核未通过",
    StepRole.COLLECTIVE: "集体讨论未通过",
    StepRole.DECIDE: "负责人不同意",
}


@rule(
    "R58",
    article="行政处罚法第五十八条",
    kind=Kind.BLOCK,
    title="处理决定审批通过后方可作出决定（审核未通过的不得作出决定）",
    gates=LEAVE_DECISION,
)
def decision_approved(case: CaseView) -> Iterator[Missing]:
    if not is_ordinary(case.case):
        return
    latest = latest_chain(case)
    if latest is not None and latest.status == ChainStatus.REFUSED:
        step = refusing_step(latest)
        why = REFUSED_BY.get(StepRole(step.role), "未获批准") if step else "未获批准"
        yield Missing(
            f"chain:{latest.pk}",
            f"处理决定审批{why}：未经法制审核或者审核未通过的，不得作出决定；修改后重新提出处理"
            "决定，经审批通过后方可作出",
        )
    approved = approved_chain(case)
    for decision in case.records_of("administrative_decision"):
        if (
            approved is None
            or approved.decided_at is None
            or (decision.created_at < approved.decided_at)
        ):
            yield Missing(
                f"record:{decision.pk}",
                f"{title(decision)}作出时处理决定尚未经审批通过（第六条；行政处罚法第五十八条）",
            )
