from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "casetrail.compliance"
    label = "compliance"
    verbose_name = "合规规则"

    def ready(self) -> None:
        from casetrail.approvals.kinds import register_due_at, register_kind
        from casetrail.cases import hooks
        from casetrail.compliance import (
            panels,
            rules,  # noqa: F401  (registers the rule catalogue)
        )
        from casetrail.compliance.effects import exemption_ended
        from casetrail.compliance.engine import gate
        from casetrail.compliance.kinds import ComplianceChain
        from casetrail.compliance.stored import ChainDueAt, mark_case
        from casetrail.compliance.tasks import check_deadlines, refresh_marked_deadlines
        from casetrail.lib.ledgered import register_after_case
        from casetrail.lib.periodic import Job, register

        # 第六条: an exemption is a decision, taken through its chain (its 规则豁免审批表 is a
        # catalogue entry made_by: proposal).
        register_kind(
            ComplianceChain.EXEMPTION, exemption_ended, label=ComplianceChain.EXEMPTION.label
        )
        hooks.register_gate(gate)
        hooks.register_panel(panels.PANEL)
        hooks.register_panel(panels.DEADLINES_PANEL)
        hooks.register_glance(panels.glance)
        hooks.register_worklist(panels.DEADLINES)
        register(Job("deadlines", check_deadlines.enqueue, daily=True))
        # The stored deadlines follow every action on a case: marked in its transaction,
        # recomputed in batches (and by every reader first).
        register_after_case(mark_case)
        # 待我审批 nearest deadline first, read from the stored deadlines (approvals is below).
        register_due_at(ChainDueAt())
        register(Job("deadlines-marked", refresh_marked_deadlines.enqueue, every=lambda: 60))
