from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "casetrail.documents"
    label = "documents"
    verbose_name = "文书印制与核验"

    def ready(self) -> None:
        from casetrail.documents.panels import links
        from casetrail.records.links import register_record_links

        # 打印 / 上传签字件 beside each record: records offers the hook, never names this app.
        register_record_links(links)
