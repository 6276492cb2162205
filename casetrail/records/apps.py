from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "casetrail.records"
    label = "records"
    verbose_name = "执法文书与记录"

    def ready(self) -> None:
        from casetrail.cases import hooks
        from casetrail.records import panels
        from casetrail.records.catalogue import validate_catalogue

        # A malformed catalogue entry must stop start-up, not surface on the first form.
        validate_catalogue()
        hooks.register_link(panels.links)
        hooks.register_panel(panels.PANEL)
        hooks.register_timeline(panels.timeline)
        hooks.register_api_section("records", panels.api)
