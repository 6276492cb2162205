"""TOTP second factor (issue 15; 等保 2.0, GB/T 22239-2019 8.1.4.1 身份鉴别: 两种或两种以上组合的
鉴别技术): a code from an authenticator app (RFC 6238: 6 digits, 30-second steps, SHA-1 as the apps
expect) after the password.

- Offered to the officers who decide and administer — 审核人, 法制审核人, 批准人, 系统管理员
  (``TOTP_ROLES``); required before anything else for the roles in
  ``CASETRAIL_TOTP_REQUIRED_ROLES`` (default none: optional).
- The key, the clock drift, the last step used (a code works once) and the throttling of wrong
  codes are django-otp's ``TOTPDevice``; binding and unbinding are ledgered actions
  (``casetrail.org.actions.totp_enable`` / ``totp_disable``), a wrong code is a ledgered failed
  login like a wrong password.
- A login whose officer has a bound device is pending (``OTP_PENDING`` in the session) until the
  code is given at ``/login/otp/``: every other page sends there, the API answers 401
  ``otp_required`` (``casetrail.org.sessions``). API tokens are not affected: a token is issued to
  its owner in a session that passed both factors.
"""

from __future__ import annotations

import base64
import time
from typing import Any
from urllib.parse import quote, urlencode

import segno
from django.conf import settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from casetrail.org.models import Officer, Role

OTP_PENDING = "casetrail_otp_pending"
ENROL_SECRET = "casetrail_totp_secret"  # the key being bound, until its first code is given
TOTP_ROLES = frozenset({Role.REVIEWER, Role.LEGAL_REVIEWER, Role.APPROVER, Role.ADMIN})
ISSUER = "CaseTrail"


def may_use_totp(officer: Officer) -> bool:
    return bool(officer.role_set & TOTP_ROLES)


def device_of(user: Any) -> TOTPDevice | None:
    """The officer's bound authenticator, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def must_enrol(officer: Officer) -> bool:
    """Whether the officer holds a role that ``CASETRAIL_TOTP_REQUIRED_ROLES`` requires a second
    factor of and has no authenticator bound yet."""
    required = set(settings.CASETRAIL_TOTP_REQUIRED_ROLES)
    return bool(officer.role_set & required) and device_of(officer.user) is None


def new_secret() -> str:
    """A fresh 160-bit key, hex (as TOTPDevice stores it)."""
    return str(random_hex(20))


def config_url(secret: str, officer: Officer) -> str:
    """The otpauth:// URL an authenticator app scans (Key Uri Format)."""
    label = quote(f"{ISSUER}:{officer.agency.name} {officer.user.username}")
    query = urlencode({"secret": base32(secret), "issuer": ISSUER, "digits": 6, "period": 30})
    return f"otpauth://totp/{label}?{query}"


def base32(secret: str) -> str:
    return base64.b32encode(bytes.fromhex(secret)).decode().rstrip("=")


def qr_svg(url: str) -> str:
    """The URL as an inline SVG QR code (no image request, nothing leaves the intranet)."""
    return str(segno.make(url, error="m").svg_inline(scale=5, border=2))


def code_step(secret: str, code: str) -> int | None:
    """The time step ``code`` is valid for under ``secret`` (one step of tolerance either way
    for a phone's clock), or None."""
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = TOTP(bytes.fromhex(secret))
    totp.time = time.time()
    return int(totp.t()) if totp.verify(int(code), tolerance=1) else None


def check_login_code(device: TOTPDevice, code: str) -> tuple[bool, int]:
    """Verify a login's code with django-otp (drift, a code used once, throttling). Returns
    (verified, seconds to wait before the next try when throttled)."""
    allowed, info = device.verify_is_allowed()
    if not allowed:
        locked_until = (info or {}).get("locked_until")
        wait = int((locked_until.timestamp() - time.time()) if locked_until else 1)
        return False, max(1, wait)
    return bool(device.verify_token(code.strip())), 0
