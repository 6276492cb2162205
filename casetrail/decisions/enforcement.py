"""强制执行决定 and 申请人民法院强制执行 as decisions (第六条; 第二十八、二十九条).

- 强制执行决定 (行政强制法第三十五至三十七条): proposed only after the 催告书 was served and the
  period it set for performance ran, and once every statement the party made after it was reviewed
  (第二十八条: 陈述申辩 recorded and 复核); the unit reviewer reviews, the 法制机构 reviews a 重大
  case item by item, the 负责人 decides. The conditions are checked again when the last approval
  makes the decision. The 强制执行决定书 is made only under the approved 审批表.
- 申请人民法院强制执行 (行政强制法第五十三至五十五条): proposed only after a served 催告书
  (第五十四条; the ten days after service show as the warning R29w and the deadline QZ54); the
  负责人 decides (the application bears the 负责人's signature, 第五十五条). The 申请人民法院强制执行
  记录 is kept under the approved 审批表.

A refusal binds: no decision document, no court record follows from it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Model
from django.utils import timezone
from django.utils.dateparse import parse_date

from casetrail.approvals.models import Chain
from casetrail.cases.models import Case
from casetrail.compliance.engine import CaseView, ref, referring
from casetrail.compliance.service import served_on
from casetrail.decisions.chains import approved_chain_of, referenced
from casetrail.decisions.kinds import DecisionChain
from casetrail.lib.errors import ActionError
from casetrail.lib.ledgered import step
from casetrail.org.models import Officer
from casetrail.records.guards import Refusal
from casetrail.records.models import Record

ENFORCEMENT_FORM = "enforcement_approval_form"
COURT_FORM = "court_enforcement_approval_form"


def _served_demand(case: Case, fields: dict[str, Any], before: str) -> tuple[CaseView, Record]:
    """The 催告书 the proposal names, for the same 行政执法决定书, served (its service took effect);
    ``before`` names what may not come first."""
    notice = referenced(case, fields, "demand_notice")
    decision = referenced(case, fields, "decision")
    if notice is None or decision is None or ref(notice, "decision") != decision.pk:
        raise ActionError(
            "demand_for_another_decision",
            "所选催告书不是针对所选行政执法决定书作出的",
            field="demand_notice",
        )
    view = CaseView(case)
    if served_on(view, notice) is None:
        raise ActionError(
            "demand_not_served",
            f"催告书尚未送达（或送达未生效，如邮件被退回），不能{before}"
            "（第二十八条；行政强制法第三十五条、第五十四条）",
            field="demand_notice",
        )
    return view, notice


def check_enforcement(case: Case, fields: dict[str, Any]) -> None:
    """行政强制法第三十七条: after the 催告书 was served and the party did not perform by the deadline
    it set; 第三十六条 and 第二十八条: every statement made after it reviewed and recorded."""
    view, notice = _served_demand(case, fields, "作出强制执行决定")
    deadline = parse_date(notice.fields.get("deadline") or "")
    today = timezone.localdate()
    if deadline is None or today <= deadline:
        raise ActionError(
            "demand_period_running",
            f"催告书确定的履行期限（{deadline or '未载明'}）尚未届满，当事人逾期仍不履行的方可作出"
            "强制执行决定（行政强制法第三十七条）",
            field="demand_notice",
        )
    unreviewed = [
        s
        for s in referring(view, "demand_statement_record", "demand_notice", notice)
        if not referring(view, "statement_review_opinion", "statement", s)
    ]
    if unreviewed:
        raise ActionError(
            "statements_not_reviewed",
            "当事人的陈述申辩尚未复核："
            + "、".join(f"{s.title} #{s.pk}" for s in unreviewed)
            + "。应当充分听取并对所提事实、理由和证据进行记录、复核（第二十八条；行政强制法第三十六条）",
            details=[f"record:{s.pk}" for s in unreviewed],
        )


def check_court_application(case: Case, fields: dict[str, Any]) -> None:
    """行政强制法第五十四条: 申请人民法院强制执行前，应当催告当事人履行义务."""
    _served_demand(case, fields, "申请人民法院强制执行")


@step
def enforcement_ended(
    *, chain: Chain, officer: Officer, approved: bool, now: dt.datetime
) -> list[Model]:
    """Effect of the 强制执行决定审批: approved, the conditions are checked once more (a statement
    may have come in meanwhile) — the 强制执行决定书 may then be made under it. Refused: nothing."""
    if approved:
        check_enforcement(chain.case, chain.record.fields)
    return []


@step
def court_application_ended(
    *, chain: Chain, officer: Officer, approved: bool, now: dt.datetime
) -> list[Model]:
    """Effect of the 申请人民法院强制执行审批: approved, the application may be filed and kept in
    the 申请人民法院强制执行记录. Refused: nothing."""
    if approved:
        check_court_application(chain.case, chain.record.fields)
    return []


def _under_approval(
    case: Case, fields: dict[str, Any], chain_kind: str, code: str, what: str
) -> Refusal | None:
    """The document names an approved 审批表 (the version approved) and the same 决定书 and
    催告书 as it."""
    approval = referenced(case, fields, "approval")
    if approval is None or approved_chain_of(approval, chain_kind) is None:
        return Refusal(
            code, f"{what}须经负责人批准（第六条）：所选审批表尚未批准、未获批准或不是批准时的版本"
        )
    for name in ("decision", "demand_notice"):
        if ref(approval, name) != (fields.get(name) or {}).get("id"):
            return Refusal(
                "approval_mismatch", f"{what}所载的行政执法决定书、催告书应与经批准的审批表一致"
            )
    return None


def enforcement_decision_follows_approval(case: Case, fields: dict[str, Any]) -> Refusal | None:
    """Guard of the 强制执行决定书."""
    return _under_approval(
        case, fields, DecisionChain.ENFORCEMENT_DECISION, "enforcement_not_approved", "强制执行决定"
    )


def court_record_follows_approval(case: Case, fields: dict[str, Any]) -> Refusal | None:
    """Guard of the 申请人民法院强制执行记录."""
    return _under_approval(
        case,
        fields,
        DecisionChain.COURT_ENFORCEMENT,
        "court_application_not_approved",
        "申请人民法院强制执行",
    )
