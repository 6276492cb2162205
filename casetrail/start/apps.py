from django.apps import AppConfig


class StartConfig(AppConfig):
    name = "casetrail.start"
    label = "start"
    verbose_name = "程序启动"

    def ready(self) -> None:
        from casetrail.approvals.kinds import register_effect
        from casetrail.approvals.models import ChainKind
        from casetrail.cases.hooks import (
            WorklistSection,
            register_act,
            register_gate,
            register_worklist,
        )
        from casetrail.start import rules  # noqa: F401  (R8, R9a, R9b, R9c, R21, R21w, R21b)
        from casetrail.start.acts import ACTS
        from casetrail.start.effects import (
            application_chain_ended,
            complaint_chain_ended,
            start_chain_ended,
        )
        from casetrail.start.rules import started

        register_effect(ChainKind.CASE_START, start_chain_ended)
        register_effect(ChainKind.APPLICATION_DECISION, application_chain_ended)
        register_effect(ChainKind.COMPLAINT_DECISION, complaint_chain_ended)
        for slug, act in ACTS.items():
            register_act(slug, act)
        register_gate(started)
        register_worklist(
            WorklistSection("start", 0, "start/_worklist_start.html", lambda officer: {})
        )
