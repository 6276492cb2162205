from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "casetrail.ledger"
    label = "ledger"
    verbose_name = "记录日志"

    def ready(self) -> None:
        from django.core.exceptions import ImproperlyConfigured

        from casetrail.lib.digests import DigestUnavailable, check_available

        # SM3 is the default ledger hash: without it nothing could be appended, so say so now.
        try:
            check_available()
        except DigestUnavailable as exc:
            raise ImproperlyConfigured(str(exc)) from None
