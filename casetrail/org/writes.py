"""Building blocks that write officers inside an org action (``@step``)."""

from __future__ import annotations

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.utils import timezone

from casetrail.lib.ledgered import step
from casetrail.org.models import ApiToken, Officer


@step
def set_serving(officer: Officer, *, serving: bool) -> None:
    """Put a (locked) officer into or out of service: the recorded fact, and the login's
    ``is_active`` that Django's and DRF's authentication read."""
    officer.deactivated_at = None if serving else timezone.now()
    officer.save(update_fields=["deactivated_at"])
    officer.user.is_active = serving
    officer.user.save(update_fields=["is_active"])
    if not serving:
        end_sessions(officer.user.pk)


def end_sessions(user_id: int) -> None:
    """Sign the login out everywhere: a session must not come back to life when the officer is
    reactivated (sessions are working state, not recorded facts)."""
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get(SESSION_KEY)) == str(user_id):
            session.delete()


@step
def revoke_tokens(officer: Officer, *, by: Officer | None) -> int:
    """Revoke every usable API token of the officer (they leave service); returns how many."""
    return ApiToken.objects.filter(officer=officer, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=by
    )
