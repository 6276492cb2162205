from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "casetrail.org"
    label = "org"
    verbose_name = "机构与人员"

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_login_failed
        from django.core import checks

        from casetrail.lib.periodic import Job, register
        from casetrail.org import login
        from casetrail.org.checks import check_secret_key
        from casetrail.org.idempotency import expire_idempotency_keys

        register(
            Job("expire-idempotency-keys", expire_idempotency_keys.enqueue, every=lambda: 3600)
        )
        # Account events into the ledger (issue 15): the receivers record, they decide nothing.
        user_logged_in.connect(login.on_login, dispatch_uid="casetrail-login")
        user_login_failed.connect(login.on_login_failed, dispatch_uid="casetrail-login-failed")
        user_locked_out.connect(login.on_locked_out, dispatch_uid="casetrail-locked-out")
        checks.register(check_secret_key, checks.Tags.security, deploy=True)
