"""Password rules beyond Django's own (issue 15; 等保 2.0 身份鉴别: passwords of some complexity,
changed when set by someone else)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
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
