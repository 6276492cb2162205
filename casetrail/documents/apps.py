from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "casetrail.documents"
    label = "documents"
    verbose_name = "文书印制与核验"

    def ready(self) -> None:
        from casetrail.cases import hooks
        from casetrail.documents.panels import case_links, links
        from casetrail.records.links import register_record_links

        # 打印 / 上传签字件 beside each record: records offers the hook, never names this app.
        register_record_links(links)
        hooks.register_link(case_links)
