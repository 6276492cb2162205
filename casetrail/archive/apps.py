from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "casetrail.archive"
    label = "archive"
    verbose_name = "立卷归档"

    def ready(self) -> None:
        from casetrail.archive import registry

        registry.register()
