from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "casetrail.documents"
    label = "documents"
    verbose_name = "文书印制与核验"

    def ready(self) -> None:
        from casetrail.cases import hooks
        from casetrail.documents.numbers import issued_numbers, no_typed_number
        from casetrail.documents.panels import case_links, links
        from casetrail.records.guards import register_document_guard
        from casetrail.records.links import register_record_links
        from casetrail.records.numbers import register_number_source

        # 打印 / 上传签字件 beside each record: records offers the hook, never names this app.
        register_record_links(links)
        hooks.register_link(case_links)
        # A record's 文号 is its issued document's (records asks, never names this app); a typed
        # one is refused.
        register_number_source(issued_numbers)
        register_document_guard(no_typed_number)
