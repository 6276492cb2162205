"""Building blocks that write officers inside an org action (``@step``)."""

from __future__ import annotations

from django.utils import timezone

from casetrail.lib.ledgered import step
from casetrail.org.models import Officer


@step
def set_serving(officer: Officer, *, serving: bool) -> None:
    """Put a (locked) officer into or out of service: the recorded fact, and the login's
    ``is_active`` that Django's and DRF's authentication read."""
    officer.deactivated_at = None if serving else timezone.now()
    officer.save(update_fields=["deactivated_at"])
    officer.user.is_active = serving
    officer.user.save(update_fields=["is_active"])
