from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "casetrail.org"
    label = "org"
    verbose_name = "机构与人员"

    def ready(self) -> None:
        from casetrail.lib.periodic import Job, register
        from casetrail.org.idempotency import expire_idempotency_keys

        register(
            Job("expire-idempotency-keys", expire_idempotency_keys.enqueue, every=lambda: 3600)
        )
