from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "casetrail.compliance"
    label = "compliance"
    verbose_name = "合规规则"

    def ready(self) -> None:
        from casetrail.approvals.kinds import register_effect
        from casetrail.approvals.models import ChainKind
        from casetrail.cases import hooks
        from casetrail.compliance import (
            panels,
            rules,  # noqa: F401  (registers the rule catalogue)
        )
        from casetrail.compliance.effects import EXEMPTION_REQUEST, exemption_ended
        from casetrail.compliance.engine import gate
        from casetrail.compliance.tasks import check_deadlines
        from casetrail.lib.periodic import Job, register
        from casetrail.records.guards import register_own_step

        # 第六条: an exemption is a decision, taken through its chain.
        register_effect(ChainKind.EXEMPTION, exemption_ended)
        register_own_step(
            EXEMPTION_REQUEST, "规则豁免经审批办理，不能直接制作或更正：请在“本阶段还需”中提请豁免"
        )
        hooks.register_gate(gate)
        hooks.register_panel(panels.PANEL)
        hooks.register_worklist(panels.DEADLINES)
        register(Job("deadlines", check_deadlines.enqueue, daily=True))
