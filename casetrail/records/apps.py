from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "casetrail.records"
    label = "records"
    verbose_name = "执法文书与记录"

    def ready(self) -> None:
        from casetrail.records.catalogue import validate_catalogue

        # A malformed catalogue entry must stop start-up, not surface on the first form.
        validate_catalogue()
