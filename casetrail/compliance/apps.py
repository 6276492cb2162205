from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "casetrail.compliance"
    label = "compliance"
    verbose_name = "合规规则"

    def ready(self) -> None:
        from casetrail.cases import hooks
        from casetrail.compliance import (
            panels,
            rules,  # noqa: F401  (registers the rule catalogue)
        )
        from casetrail.compliance.engine import gate
        from casetrail.compliance.tasks import check_deadlines
        from casetrail.lib.periodic import Job, register

        hooks.register_gate(gate)
        hooks.register_panel(panels.PANEL)
        hooks.register_worklist(panels.DEADLINES)
        register(Job("deadlines", check_deadlines.enqueue, daily=True))
