from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "casetrail.cases"
    label = "cases"
    verbose_name = "案件"

    def ready(self) -> None:
        from django.urls import reverse

        from casetrail.cases import hooks, panels
        from casetrail.cases.selectors import case_access_for_ledger
        from casetrail.ledger.selectors import register_case_access

        register_case_access(
            case_access_for_ledger, lambda case_id: reverse("case-detail", args=[case_id])
        )
        hooks.register_act("advance", panels.ADVANCE)
        for panel in panels.PANELS:
            hooks.register_panel(panel)
        hooks.register_timeline(panels.stage_changes)
        hooks.register_worklist(panels.MY_CASES)
        for key, section in panels.api_sections().items():
            hooks.register_api_section(key, section)
