"""What the archive plugs into the apps below it, from ``ArchiveConfig.ready()``: the 归档审批
chain kind and its effect, the 已归档 stage entered only through it, the custodian's worklist
section, the case page's 案卷 line and link, and the deadline shown beside a waiting chain."""

from __future__ import annotations

from typing import Any


def register() -> None:
    from casetrail.approvals.kinds import (
        register_consequence,
        register_due,
        register_kind,
        register_prepare,
    )
    from casetrail.archive import panels
    from casetrail.archive.effects import (
        addition_consequence,
        addition_ended,
        addition_prepare,
        archiving_consequence,
        archiving_ended,
        destruction_consequence,
        destruction_ended,
    )
    from casetrail.archive.guards import ADDITION_KIND, CHAIN_KIND, DESTRUCTION_KIND
    from casetrail.archive.selectors import archive_deadline, archive_deadlines
    from casetrail.cases import hooks
    from casetrail.cases.models import Stage

    register_kind(CHAIN_KIND, archiving_ended, label="归档审批")
    register_consequence(CHAIN_KIND, archiving_consequence)
    register_kind(ADDITION_KIND, addition_ended, label="附卷审批")
    register_consequence(ADDITION_KIND, addition_consequence)
    register_prepare(ADDITION_KIND, addition_prepare)
    register_kind(DESTRUCTION_KIND, destruction_ended, label="档案销毁审批")
    register_consequence(DESTRUCTION_KIND, destruction_consequence)

    def due(chain: Any) -> Any:
        return archive_deadline(chain.case)

    def dues(chains: list[Any]) -> dict[int, Any]:
        found = archive_deadlines([c.case for c in chains])
        return {c.pk: found[c.case_id] for c in chains}

    register_due(CHAIN_KIND, due, many=dues, rule="R30a")
    hooks.register_decided_stage(
        Stage.ARCHIVED,
        "archiving_needs_approval",
        "归档须由档案管理员立卷、通过四性检测并经承办机构负责人确认（第三十条）：请在“案卷与归档”页办理",
    )
    hooks.register_worklist(panels.WORKLIST)
    hooks.register_glance(panels.glance)
    hooks.register_link(panels.links)

    from casetrail.archive.tasks import archive_fixity
    from casetrail.lib.periodic import Job
    from casetrail.lib.periodic import register as register_job

    register_job(Job("archive-fixity", archive_fixity.enqueue, daily=True))
