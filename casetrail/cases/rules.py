"""Preconditions of stage transitions, each citing its article. The compliance app extends these
with the full rule catalogue (R5–R30)."""

from __future__ import annotations

from casetrail.approvals.models import OPEN_STATUSES, Chain
from casetrail.cases.models import STAGE_ORDER, Case, Stage, StartStatus


def transition_blockers(case: Case, to_stage: str) -> list[str]:
    """Every reason the case cannot move to ``to_stage`` now; empty when it can."""
    blockers: list[str] = []
    here, there = STAGE_ORDER.index(case.stage), STAGE_ORDER.index(to_stage)
    if case.stage == Stage.ARCHIVED:
        return ["案件已归档，阶段不能再变更"]
    if there != here + 1:
        return [f"阶段只能依次推进，下一阶段应为“{Stage(STAGE_ORDER[here + 1]).label}”"]
    if case.start_status != StartStatus.APPROVED:
        # R9a (第九条) / R8 (第八条): no investigation beyond the start without an approved start.
        blockers.append("程序启动尚未批准（第八条、第九条），案件未取得编号")
    if Chain.objects.filter(case=case, status__in=OPEN_STATUSES).exists():
        # R6 (第六条): an internal decision still in its chain.
        blockers.append("尚有审批事项未办结（第六条）")
    if to_stage == Stage.ARCHIVED:
        blockers.append("归档由档案管理员在案卷整理完成后办理（第三十条、第三十一条）")
    return blockers
