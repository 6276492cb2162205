from django.apps import AppConfig


class StartConfig(AppConfig):
    name = "casetrail.start"
    label = "start"
    verbose_name = "程序启动"

    def ready(self) -> None:
        from casetrail.approvals.kinds import register_kind
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
        from casetrail.start.kinds import StartChain
        from casetrail.start.rules import started

        for kind, effect in (
            (StartChain.CASE_START, start_chain_ended),
            (StartChain.APPLICATION_DECISION, application_chain_ended),
            (StartChain.COMPLAINT_DECISION, complaint_chain_ended),
        ):
            register_kind(kind, effect, label=kind.label)
        for slug, act in ACTS.items():
            register_act(slug, act)
        register_gate(started)
        register_worklist(
            WorklistSection("start", 0, "start/_worklist_start.html", lambda officer: {})
        )
