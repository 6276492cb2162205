from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "casetrail.cases"
    label = "cases"
    verbose_name = "案件"

    def ready(self) -> None:
        from django.urls import reverse

        from casetrail.cases import hooks, panels
        from casetrail.cases.reading import ledger_read_gate
        from casetrail.cases.selectors import case_access_for_ledger
        from casetrail.ledger.selectors import register_case_access, register_read_gate

        register_case_access(
            case_access_for_ledger, lambda case_id: reverse("case-detail", args=[case_id])
        )
        register_read_gate(ledger_read_gate)
        hooks.register_act("advance", panels.ADVANCE)
        hooks.register_act("secret-paper", panels.SECRET_PAPER)
        for panel in panels.PANELS:
            hooks.register_panel(panel)
        hooks.register_timeline(panels.stage_changes)
        hooks.register_worklist(panels.MY_CASES)
        for key, section in panels.api_sections().items():
            hooks.register_api_section(key, section)
