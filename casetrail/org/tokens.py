"""API tokens stored hashed (issue 15): how a key is made, how it is found again, and the DRF
authentication that reads ``Authorization: Token <key>``.

A key is 32 random bytes (``secrets.token_urlsafe``); the table holds its SHA-256 only, so a copy
of the database (a backup, a read of the admin) gives no working token. A key that is unknown,
revoked or expired, or whose officer no longer serves, is refused with 401.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from casetrail.org.models import ApiToken


def new_key() -> str:
    return secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    """hex SHA-256 of the key's UTF-8 bytes."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def token_for_key(key: str) -> ApiToken | None:
    """The usable token with this key, or None (unknown, revoked, expired, officer inactive)."""
    token = (
        ApiToken.objects.select_related("officer__user")
        .filter(key_hash=key_hash(key), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.usable_at(timezone.now()):
        return None
    if not token.officer.user.is_active or not token.officer.is_active:
        return None
    return token


class HashedTokenAuthentication(TokenAuthentication):
    """DRF's ``Token`` header scheme over ``ApiToken``: the key is hashed and looked up."""

    keyword = "Token"

    def authenticate_credentials(self, key: str) -> tuple[Any, ApiToken]:
        token = token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed("令牌无效、已撤销或已过期")
        return token.officer.user, token
