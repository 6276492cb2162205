"""Password rules beyond Django's own (issue 15; 等保 2.0 身份鉴别: passwords of some complexity,
changed when set by someone else)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.exceptions import ValidationError

# The demo agency's shared password (casetrail.demo.personas.DEMO_PASSWORD); named here because
# org sits below the demo app.
DEMO_PASSWORD = "casetrail-demo"


class NotDemoPasswordValidator:
    """Refuses the demo's shared password unless the demo is on (``CASETRAIL_DEMO``) or the
    test suite runs: a real deployment never keeps an account the whole world can log into."""

    def validate(self, password: str, user: Any = None) -> None:
        if password == DEMO_PASSWORD and not (settings.DEMO or settings.TESTING):
            raise ValidationError("不能使用演示密码", code="demo_password")

    def get_help_text(self) -> str:
        return "不能使用演示密码。"


class Argon2idHasher(Argon2PasswordHasher):
    """Argon2id (Django's hasher, argon2-cffi) at OWASP's recommended minimum (m=19 MiB, t=2,
    p=1). Measured by ``bench/password_hash.py`` (2026-12-01, load 6.5–7.6): 38 ms of CPU and
    20 MiB a hash, where PBKDF2 at Django's 10^6 rounds took 396 ms and Django's Argon2 defaults
    (m=100 MiB, p=8) 311 ms and 101 MiB — with 16 server threads logging in at once, 1.6 GiB. A
    hash made with other parameters or PBKDF2 is rehashed with these at its next login."""

    time_cost = 2
    memory_cost = 19 * 1024  # KiB
    parallelism = 1
