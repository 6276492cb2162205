from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "casetrail.records"
    label = "records"
    verbose_name = "执法文书与记录"

    def ready(self) -> None:
        from casetrail.cases import hooks
        from casetrail.ledger.selectors import register_masker
        from casetrail.records import panels
        from casetrail.records.catalogue import validate_catalogue
        from casetrail.records.display import mask_ledger_row
        from casetrail.records.selectors import withhold_marked_row

        # A malformed catalogue entry, or one changed without a new version, must stop start-up,
        # not surface on the first form or the first old record.
        validate_catalogue()
        # The ledger's entry page masks a record's personal fields by its catalogue entry.
        register_masker(mask_ledger_row)
        register_masker(withhold_marked_row)  # a marked record's or item's content withheld
        hooks.register_link(panels.links)
        hooks.register_act("mark", panels.MARK)
        hooks.register_panel(panels.PANEL)
        hooks.register_timeline(panels.timeline)
        hooks.register_api_section("records", panels.api)
