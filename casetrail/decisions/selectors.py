"""Reads of the decision on a case (处理决定审批, 第六条、第十五至十九条): its approval chains and their
rounds, the grounds that call for 法制审核 (行政处罚法第五十八条), what a decision still lacks, and
where the 事先告知 stands (行政处罚法第四十四、四十五、六十四条). The rules, the act, the guard on
the 行政执法决定书, the case page and the API all read through here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_date

from casetrail.approvals.checklists import LEGAL_REVIEW_GROUNDS
from casetrail.approvals.models import OPEN_STATUSES, Chain, ChainStatus, Step, StepRole
from casetrail.approvals.selectors import current_round
from casetrail.cases.models import Case, Category, Procedure, Stage
from casetrail.compliance.engine import DEADLINES, CaseView, Deadline, ref, title
from casetrail.compliance.holidays import calendar
from casetrail.compliance.service import SERVICE_RECORDS, effective_service_date
from casetrail.compliance.stored import rule_deadlines
from casetrail.decisions.kinds import DecisionChain
from casetrail.lib.env import ConfigError
from casetrail.lib.workdays import Due
from casetrail.records.catalogue import aliases

DECISION = DecisionChain.CASE_DECISION
PENALTY = "penalty"


# --- the chains ----------------------------------------------------------------------------------


def decision_chains(view: CaseView) -> list[Chain]:
    """Every 处理决定审批 of the case, oldest first, with its steps (read once per view)."""
    chains: list[Chain] | None = view.__dict__.get("decision_chains")
    if chains is None and "chains" in getattr(view.case, "_prefetched_objects_cache", {}):
        # The case page loaded every chain of the case with its steps and their officers
        # (``approvals.selectors.load_chains``, same order): no query of its own, on each of
        # the page's views of the case (the rules', the steps offered).
        chains = [c for c in view.case.chains.all() if c.kind == DECISION]
        view.__dict__["decision_chains"] = chains
    if chains is None:
        chains = list(
            Chain.objects.filter(case=view.case, kind=DECISION)
            .select_related("record", "proposer")
            .prefetch_related("steps__officer")
            .order_by("created_at", "id")
        )
        view.__dict__["decision_chains"] = chains
    return chains


def latest_chain(view: CaseView) -> Chain | None:
    chains = decision_chains(view)
    return chains[-1] if chains else None


def approved_chain(view: CaseView) -> Chain | None:
    """The approved decision, if any (a case has at most one that still stands: a new proposal
    after an approval is only allowed when the approval lacks a step the law now requires)."""
    approved = [c for c in decision_chains(view) if c.status == ChainStatus.APPROVED]
    return approved[-1] if approved else None


def passed(chain: Chain, role: str) -> Step | None:
    """The step of ``role`` that approved in the chain's last round, if any."""
    return next(
        (s for s in current_round(chain) if s.role == role and s.outcome == "approve"), None
    )


def refusing_step(chain: Chain) -> Step | None:
    return next((s for s in chain.steps.all() if s.outcome == "refuse"), None)


def is_ordinary(case: Case) -> bool:
    return case.procedure == Procedure.ORDINARY


# --- 法制审核 when the law requires it (行政处罚法第五十八条) -----------------------------------------


@dataclass(frozen=True)
class Ground:
    """One reason the decision must be legally reviewed: code, zh-Hans label with its article,
    and where it comes from (case, hearing, proposal, review, agency)."""

    code: str
    label: str
    source: str


ART58 = "行政处罚法第五十八条第一款"


def hearing_held_or_requested(view: CaseView) -> bool:
    """The case went through a hearing (a 听证笔录), or the party asked for one."""
    return view.has("hearing_record") or any(
        r.fields.get("reply") == "hearing" for r in view.records_of("penalty_notice_reply")
    )


def legal_review_grounds(
    view: CaseView, *, fields: dict[str, Any] | None = None, chain: Chain | None = None
) -> list[Ground]:
    """Why this decision needs 法制审核: a 重大 case (第一项); a hearing held or asked for (第二项);
    the handler's proposal (``fields``, else ``chain``'s) or the reviewer's step marking the case
    疑难复杂 or involving several legal relations (第三项); an earlier round of the decision that
    needed it; a category the agency configured (``CASETRAIL_LEGAL_REVIEW_CATEGORIES``, 第四项).
    ``chain`` is the decision asked about (None: a new proposal)."""
    case = view.case
    out: list[Ground] = []
    if case.is_major:
        out.append(Ground("major", f"重大案件（{ART58}第一项；第十六条）", "case"))
    if hearing_held_or_requested(view):
        out.append(Ground("hearing", f"经过听证程序或当事人要求听证（{ART58}第二项）", "hearing"))
    values = fields if fields is not None else (chain.record.fields if chain else {})
    if values.get("complex"):
        out.append(Ground("complex", f"承办人提请：案情疑难复杂（{ART58}第三项）", "proposal"))
    if values.get("multiple_relations"):
        out.append(
            Ground(
                "multiple_relations", f"承办人提请：涉及多个法律关系（{ART58}第三项）", "proposal"
            )
        )
    labels = dict(LEGAL_REVIEW_GROUNDS)
    for step in chain.steps.all() if chain else ():
        for code in step.legal_grounds or []:
            out.append(
                Ground(
                    code,
                    f"审核人{step.officer.name}提请：{labels[code]}（{ART58}第三项）",
                    "review",
                )
            )
    # A decision once found to need 法制审核 needs it in every later round too: a handler cannot
    # shed it by proposing again without the tick (and a refusal by the legal unit binds).
    if any(
        StepRole.LEGAL in c.step_plan()
        for c in decision_chains(view)
        if chain is None or (c.created_at, c.pk) < (chain.created_at, chain.pk)
    ):
        out.append(Ground("earlier_round", f"此前提出的处理决定须经法制审核（{ART58}）", "chain"))
    if case.category in settings.CASETRAIL_LEGAL_REVIEW_CATEGORIES:
        label = Category(case.category).label
        out.append(
            Ground("category", f"本机关规定“{label}”类案件须经法制审核（{ART58}第四项）", "agency")
        )
    return out


def required_steps(view: CaseView, chain: Chain | None = None) -> list[str]:
    """The steps the decision needs besides review and the 负责人: 法制审核 when a ground exists,
    集体讨论 for a 重大 case (第十八条; 行政处罚法第五十七条第二款)."""
    steps = []
    if legal_review_grounds(view, chain=chain):
        steps.append(StepRole.LEGAL.value)
    if view.case.is_major:
        steps.append(StepRole.COLLECTIVE.value)
    return steps


def missing_steps(view: CaseView, chain: Chain) -> list[str]:
    """Steps the law requires that the approved ``chain`` did not pass (e.g. the case was
    flagged 重大 after the approval): the decision must be proposed again."""
    return [role for role in required_steps(view, chain) if passed(chain, role) is None]


# --- 事先告知 before a penalty (行政处罚法第四十四、四十五、六十四条) -------------------------------------


@dataclass
class NoticeState:
    """One 行政处罚事先告知书 (the latest for its party) and what followed it."""

    notice: Any
    served: dt.date | None = None
    ends: Due | None = None  # the last day the party may state, defend, ask for a hearing
    statements: list[Any] = field(default_factory=list)
    reviews: dict[int, Any] = field(default_factory=dict)  # statement id → its review
    replies: list[Any] = field(default_factory=list)
    hearing_held: bool = False

    @property
    def answered(self) -> bool:
        return bool(self.statements or self.replies)

    @property
    def hearing_requested(self) -> bool:
        return any(r.fields.get("reply") == "hearing" for r in self.replies)

    @property
    def waived(self) -> bool:
        return any(
            r.kind == "statement_waiver" or r.fields.get("reply") == "waiver" for r in self.replies
        )

    def period_over(self, on: dt.date) -> bool:
        return self.ends is not None and on > self.ends.day


def _period_end(notice: Any, served: dt.date) -> Due:
    """CASETRAIL_ADVANCE_NOTICE_WORKDAYS working days after service took effect (行政处罚法第六十四
    条: 五日, counted in working days by 第八十五条), or a later day the notice itself granted."""
    due = calendar().add_workdays(served, settings.CASETRAIL_ADVANCE_NOTICE_WORKDAYS)
    granted = [
        d
        for name in ("statement_deadline", "hearing_request_deadline")
        if (d := parse_date(notice.fields.get(name) or ""))
    ]
    later = max(granted, default=due.day)
    return due if later <= due.day else Due(later, due.estimated)


def notice_states(view: CaseView, *, at: dt.datetime | None = None) -> list[NoticeState]:
    """The latest 事先告知书 of each party and what followed it, as the case stood at ``at``
    (None: now)."""
    records = [r for r in view.records if at is None or r.created_at <= at]
    today = timezone.localdate(at or view.now)
    service_kinds = {k for code in SERVICE_RECORDS for k in aliases(code)}
    latest: dict[Any, Any] = {}
    for r in records:
        if r.kind == "rights_notice":
            latest[ref(r, "party")] = r  # records are in time order: the last one wins
    states = []
    for notice in latest.values():
        state = NoticeState(notice)
        # Service as recorded by then and already in effect (a 公告 takes effect 30 days later).
        effective = [
            day
            for r in records
            if r.kind in service_kinds
            and ref(r, "document") == notice.pk
            and (day := effective_service_date(r)) is not None
            and day <= today
        ]
        state.served = min(effective, default=None)
        if state.served:
            state.ends = _period_end(notice, state.served)
        after = [r for r in records if r.created_at >= notice.created_at]
        party = ref(notice, "party")
        state.statements = [
            r
            for r in after
            if r.kind == "statement_record"
            and ref(r, "rights_notice") in (notice.pk, None)
            and (ref(r, "rights_notice") == notice.pk or ref(r, "party") == party)
        ]
        reviewed = {ref(r, "statement"): r for r in records if r.kind == "statement_review"}
        state.reviews = {s.pk: reviewed[s.pk] for s in state.statements if s.pk in reviewed}
        # The party's answer: a reply to the notice (a hearing request or a waiver), or a
        # recorded waiver made against the notice (放弃陈述申辩记录, the R12 pair).
        state.replies = [
            r
            for r in records
            if (r.kind == "penalty_notice_reply" and ref(r, "notice") == notice.pk)
            or (r.kind == "statement_waiver" and ref(r, "rights_notice") == notice.pk)
        ]
        state.hearing_held = any(r.kind == "hearing_report" for r in after)
        states.append(state)
    return states


@dataclass(frozen=True)
class Problem:
    """Why a penalty decision may not be proposed yet: a stable code, a zh-Hans message, what
    it is about and the document that would settle it."""

    code: str
    message: str
    subject: str = "case"
    add: str = ""


def notice_problems(
    view: CaseView,
    *,
    at: dt.datetime,
    party: int | None = None,
    require_notice: bool = True,
    reviews: bool = True,
    fine: str | None = None,
) -> list[Problem]:
    """What stands between the case at ``at`` and a penalty decision (for ``party``): the notice
    made and served (第四十四条), its period run or the party answered (第四十五、六十四条), a
    requested hearing held, every statement reviewed (第四十五条, ``reviews``), a proposed ``fine``
    not above the notified one."""
    states = [
        s for s in notice_states(view, at=at) if party is None or ref(s.notice, "party") == party
    ]
    out: list[Problem] = []
    if not states and require_notice:
        out.append(
            Problem(
                "advance_notice_missing",
                "作出行政处罚决定之前，应制作并送达行政处罚事先告知书，告知拟作出的处罚内容及事实、"
                "理由、依据和当事人依法享有的陈述、申辩、要求听证等权利（行政处罚法第四十四条）",
                add="rights_notice",
            )
        )
    today = timezone.localdate(at)
    for s in states:
        subject = f"record:{s.notice.pk}"
        if s.served is None:
            out.append(
                Problem(
                    "advance_notice_not_served",
                    f"{title(s.notice)}尚未送达（或送达未生效）：送达后当事人方可陈述、申辩和要求听证"
                    "（行政处罚法第四十四条）",
                    subject,
                    "service_receipt",
                )
            )
        elif not s.answered and not s.period_over(today):
            assert s.ends is not None
            out.append(
                Problem(
                    "advance_notice_period_running",
                    f"当事人陈述、申辩和要求听证的期限至{s.ends.day:%Y年%m月%d日}届满（自送达之日起"
                    f"{settings.CASETRAIL_ADVANCE_NOTICE_WORKDAYS}个工作日，行政处罚法第六十四、"
                    "八十五条）：期满后，或当事人陈述申辩、要求听证、书面放弃后方可提出处罚决定",
                    subject,
                    "penalty_notice_reply",
                )
            )
        if s.hearing_requested and not s.hearing_held:
            out.append(
                Problem(
                    "hearing_not_held",
                    "当事人要求听证：应发出听证通知书、举行听证并制作听证笔录和听证报告，听证结束后"
                    "方可作出决定（行政处罚法第六十四、六十五条）",
                    subject,
                    "hearing_notice",
                )
            )
        for statement in s.statements if reviews else ():
            if statement.pk not in s.reviews:
                out.append(
                    Problem(
                        "statement_not_reviewed",
                        f"{title(statement)}：应对当事人提出的事实、理由和证据进行复核并记录，成立的"
                        "应当采纳（行政处罚法第四十五条）",
                        f"record:{statement.pk}",
                        "statement_review",
                    )
                )
        notified = s.notice.fields.get("proposed_fine")
        if fine and notified and Decimal(fine) > Decimal(notified):
            out.append(
                Problem(
                    "penalty_exceeds_notice",
                    f"建议罚款{fine}元高于事先告知的{notified}元：加重处罚的，应重新告知当事人"
                    "（行政处罚法第四十四条）",
                    subject,
                    "rights_notice",
                )
            )
    return out


def chain_is_open(chain: Chain | None) -> bool:
    return chain is not None and chain.status in OPEN_STATUSES


def why_no_proposal(view: CaseView) -> str | None:
    """None when the handler may propose the decision now; else why not (zh-Hans)."""
    case = view.case
    if not is_ordinary(case):
        return "简易程序的处理决定当场作出（第二十一条），不经处理决定审批"
    if case.stage != Stage.DECISION:
        return f"处理决定在“审查决定”阶段提出，本案当前为“{case.get_stage_display()}”"
    latest = latest_chain(view)
    if chain_is_open(latest):
        assert latest is not None
        return f"处理决定正在审批（{latest.get_status_display()}），不能重复提出"
    approved = approved_chain(view)
    if approved is not None and not missing_steps(view, approved):
        return "处理决定已经批准，请制作行政执法决定书"
    return None


def decision_deadline(chain: Chain) -> Deadline | None:
    """The deadline bearing on a waiting 处理决定审批 (shown beside it on the worklist of whoever
    must take its next step): the decision within 90 days of filing (行政处罚法第六十条, CF60)."""
    return next(DEADLINES["CF60"].compute(CaseView(chain.case, files=False)), None)


def decision_deadlines(chains: list[Chain]) -> dict[int, Deadline | None]:
    """``decision_deadline`` of many chains, from the stored deadlines in a fixed number of
    queries (the approver's worklist lists every chain waiting for them)."""
    found = rule_deadlines([c.case for c in chains], "CF60")
    return {c.pk: found[c.case_id] for c in chains}


def check_settings() -> None:
    """Start-up: CASETRAIL_LEGAL_REVIEW_CATEGORIES names only known case categories."""
    unknown = sorted(set(settings.CASETRAIL_LEGAL_REVIEW_CATEGORIES) - set(Category.values))
    if unknown:
        raise ConfigError(
            f"CASETRAIL_LEGAL_REVIEW_CATEGORIES names unknown categories {', '.join(unknown)}; "
            f"known: {', '.join(Category.values)}"
        )
