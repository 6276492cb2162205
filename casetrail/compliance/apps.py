from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    name = "casetrail.compliance"
    label = "compliance"
    verbose_name = "合规规则"

    def ready(self) -> None:
        from casetrail.compliance import rules  # noqa: F401  (registers the rule catalogue)
