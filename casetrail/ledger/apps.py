from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "casetrail.ledger"
    label = "ledger"
    verbose_name = "记录日志"

    def ready(self) -> None:
        from django.conf import settings
        from django.core import checks
        from django.core.exceptions import ImproperlyConfigured

        from casetrail.ledger.log import ledger_append
        from casetrail.ledger.tasks import make_checkpoints, retry_cosignatures
        from casetrail.lib.digests import DigestUnavailable, check_available
        from casetrail.lib.insert_only import check_insert_only
        from casetrail.lib.ledgered import register_appender
        from casetrail.lib.periodic import Job, register

        # SM3 is the default ledger hash: without it nothing could be appended, so say so now.
        try:
            check_available()
        except DigestUnavailable as exc:
            raise ImproperlyConfigured(str(exc)) from None
        register_appender(ledger_append)
        checks.register(check_insert_only)
        register(
            Job(
                "checkpoints",
                make_checkpoints.enqueue,
                every=lambda: settings.CASETRAIL_CHECKPOINT_SECONDS,
            )
        )
        # A witness that was down: its cosignature is asked for again every minute.
        register(Job("cosignatures", retry_cosignatures.enqueue, every=lambda: 60))
