from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "casetrail.approvals"
    label = "approvals"
    verbose_name = "内部审批"

    def ready(self) -> None:
        from casetrail.approvals import panels
        from casetrail.cases import hooks

        hooks.register_visibility(panels.visibility)
        hooks.register_panel(panels.PANEL)
        hooks.register_glance(panels.glance)
        hooks.register_timeline(panels.steps)
        hooks.register_api_section("approvals", panels.api)
        hooks.register_worklist(panels.WAITING)
