"""Preconditions of stage transitions: the order of the stages, then every gate the apps above
register (``hooks.GATES``: an approved start, the compliance rules, each citing its article)."""

from __future__ import annotations

from casetrail.cases.hooks import GATES
from casetrail.cases.models import STAGE_ORDER, Case, Stage


def transition_blockers(case: Case, to_stage: str) -> list[str]:
    """Every reason the case cannot move to ``to_stage`` now; empty when it can."""
    here, there = STAGE_ORDER.index(case.stage), STAGE_ORDER.index(to_stage)
    if case.stage == Stage.ARCHIVED:
        return ["案件已归档，阶段不能再变更"]
    if there != here + 1:
        return [f"阶段只能依次推进，下一阶段应为“{Stage(STAGE_ORDER[here + 1]).label}”"]
    blockers: list[str] = []
    for gate in GATES:
        blockers += gate(case, to_stage)
    if to_stage == Stage.ARCHIVED:
        blockers.append("归档由档案管理员在案卷整理完成后办理（第三十条、第三十一条）")
    return blockers
