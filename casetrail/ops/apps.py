from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "casetrail.ops"
    label = "ops"
    verbose_name = "运行维护"

    def ready(self) -> None:
        from casetrail.ledger.verify import register_acknowledged
        from casetrail.ops.recovery import acknowledged

        register_acknowledged(acknowledged)
