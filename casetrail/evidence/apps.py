from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "casetrail.evidence"
    label = "evidence"
    verbose_name = "音像证据"
