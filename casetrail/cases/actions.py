"""Writes of cases that are not part of the start (第八、九条, ``casetrail.start``): moving a case
through its stages. Every public function is a ledgered action."""

from __future__ import annotations

from django.utils import timezone

from casetrail.cases.gates import transition_blockers
from casetrail.cases.hooks import DECIDED_STAGES
from casetrail.cases.models import (
    STAGE_ORDER,
    Case,
    Mark,
    MarkedRead,
    MarkKind,
    ReadReason,
    Stage,
    StageChange,
)
from casetrail.cases.writes import locked, move_stage, require_assigned
from casetrail.lib.errors import ActionError
from casetrail.lib.ledgered import Act, ActionName, action
from casetrail.lib.text import clean_text
from casetrail.org.models import Officer


class CaseAction(ActionName):
    ADVANCE = "case.advance"


@action(CaseAction.ADVANCE)
def case_advance(
    act: Act, /, *, case: Case, officer: Officer, to_stage: str, reason: str
) -> StageChange:
    """Move a case to its next stage. Refused, with every unmet condition listed, when the stage is
    out of order or a rule for entering the next stage is not met; refused for a stage entered
    only through an approved decision (``hooks.DECIDED_STAGES``: 结案)."""
    case = locked(case)
    require_assigned(case, officer)
    if to_stage not in STAGE_ORDER:
        raise ActionError("invalid_stage", f"没有“{to_stage}”这个阶段", field="to_stage")
    decided = DECIDED_STAGES.get(to_stage)
    if decided is not None:
        # 第六条: e.g. closing a case is a decision — the case enters 结案 when the 结案审批 is
        # approved, never by a click.
        raise ActionError(decided.code, decided.message, field="to_stage")
    reason = clean_text(reason, where="理由", field="reason", limit=200)
    if not reason:
        raise ActionError("reason_required", "请说明进入下一阶段的理由", field="reason")
    blockers = transition_blockers(case, to_stage)
    if blockers:
        raise ActionError(
            "transition_blocked",
            f"不能从“{case.get_stage_display()}”进入“{Stage(to_stage).label}”："
            + "；".join(blockers),
            details=blockers,
        )
    change = move_stage(
        case=case, officer=officer, to_stage=to_stage, reason=reason, now=timezone.now()
    )
    case.save()
    act.record(
        agency=case.agency_id,
        actor=officer,
        subject=f"case:{case.pk}",
        rows=[change, case],
        case=case.pk,
    )
    return change


class MarkAction(ActionName):
    STATE_SECRET_REGISTER = "case.state_secret_register"
    MARKED_READ = "case.marked_read"


@action(MarkAction.STATE_SECRET_REGISTER)
def state_secret_register(
    act: Act, /, *, case: Case, officer: Officer, title: str, kept_at: str, keeper: str, reason: str
) -> Mark:
    """第三十三条: 国家秘密 material of the case is never uploaded; the record holds only what the
    paper is (named without its content), where it is kept and who keeps it."""
    require_assigned(case, officer)
    title = clean_text(title, where="材料名称", field="title", limit=200)
    kept_at = clean_text(kept_at, where="存放地点", field="kept_at", limit=200)
    keeper = clean_text(keeper, where="保管人", field="keeper", limit=60, name=True)
    reason = clean_text(reason, where="定密依据", field="reason", limit=300)
    missing = [
        n for n, v in (("材料名称", title), ("存放地点", kept_at), ("保管人", keeper)) if not v
    ]
    if missing:
        raise ActionError("state_secret_incomplete", "请填写" + "、".join(missing), field="kept_at")
    if not reason:
        raise ActionError("mark_reason_required", "请说明定密依据", field="reason")
    mark = Mark.objects.create(
        case=case,
        target="",
        kind=MarkKind.STATE_SECRET,
        title=title,
        reason=reason,
        kept_at=kept_at,
        keeper=keeper,
        by=officer,
        at=timezone.now(),
    )
    act.record(
        agency=case.agency_id, actor=officer, subject=f"case:{case.pk}", rows=[mark], case=case.pk
    )
    return mark


@action(MarkAction.MARKED_READ)
def marked_read_record(
    act: Act,
    /,
    *,
    case: Case,
    officer: Officer,
    reason: str,
    session: str,
    via: str,
    target: str = "",
) -> MarkedRead:
    """第三十三条: a reader opened the case's marked material for ``reason``. The caller
    (``casetrail.cases.reading``) records one per reader, case, session and reason."""
    if reason not in ReadReason.values:
        raise ActionError(
            "invalid_read_reason", "查阅事由应为：办案、审核、监督或调用", field="reason"
        )
    row = MarkedRead.objects.create(
        case=case,
        officer=officer,
        reason=reason,
        session=session,
        via=via,
        target=target,
        at=timezone.now(),
    )
    act.record(
        agency=case.agency_id,
        actor=officer,
        subject=target or f"case:{case.pk}",
        rows=[row],
        case=case.pk,
    )
    return row
