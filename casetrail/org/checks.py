"""Start-up refusals of unsafe settings (issue 15)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


def embedded_key_refused() -> str | None:
    """Why serving must not start: the embedded SECRET_KEY outside the demo and debug mode (with
    it anyone could forge sessions and CSRF tokens). None when the key is fine."""
    if settings.SECRET_KEY != settings.EMBEDDED_SECRET_KEY:
        return None
    if settings.DEBUG or settings.DEMO or settings.TESTING:
        return None
    return (
        "CASETRAIL_SECRET_KEY 未设置：不能以内置的演示密钥运行。请设置一个随机的长密钥（例如 "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'），或仅在演示时设置 "
        "CASETRAIL_DEMO=1。"
    )


def check_secret_key(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """`casetrail check --deploy`: the embedded key is an error (casetrail.E010)."""
    if settings.SECRET_KEY == settings.EMBEDDED_SECRET_KEY:
        return [
            checks.Error(
                "SECRET_KEY 是内置的演示密钥",
                hint="设置 CASETRAIL_SECRET_KEY（见 README 的生产配置）",
                id="casetrail.E010",
            )
        ]
    return []


def refuse_unsafe_start() -> None:
    """Called where serving starts (casetrail.wsgi, `casetrail run`): stop with the reason."""
    reason = embedded_key_refused()
    if reason:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(reason)
