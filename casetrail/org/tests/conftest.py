"""Fixtures of the officer tests: another agency's administrator, and what "nothing written"
compares."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from casetrail.demo.personas import DEMO_PASSWORD
from casetrail.ledger.models import LedgerEntry
from casetrail.org.actions import officer_create
from casetrail.org.models import ApiToken, Officer, OfficerRole, Role


@pytest.fixture
def other_admin(other_agency: dict[str, Officer]) -> Officer:
    """The administrator of the second agency (the shared fixture has none)."""
    return officer_create(
        unit=other_agency["ma"].unit,
        username="gao",
        name="高管理",
        password=DEMO_PASSWORD,
        roles=[Role.ADMIN],
    )


def org_state() -> list[Any]:
    """Every officer, grant, login switch and token, and the ledger's length."""
    return [
        list(Officer.objects.order_by("pk").values()),
        list(OfficerRole.objects.order_by("pk").values()),
        list(get_user_model().objects.order_by("pk").values_list("pk", "is_active", "is_staff")),
        list(ApiToken.objects.order_by("pk").values_list("pk", "revoked_at")),
        LedgerEntry.objects.count(),
    ]


def new_officer(personas: dict[str, Officer], **overrides: Any) -> dict[str, Any]:
    """What the administrator enters for a new handler of 社会事务股 (API body or page form)."""
    today = timezone.localdate()
    return {
        "username": "fengcb",
        "name": "冯承办",
        "password": "feng-initial-2026",
        "unit": personas["zhang"].unit_id,
        "roles": ["handler"],
        "certificate_no": "14052400300",
        "valid_from": today.isoformat(),
        "valid_to": (today + dt.timedelta(days=365)).isoformat(),
        **overrides,
    }


def last_entry(officer: Officer) -> dict[str, Any]:
    return LedgerEntry.objects.filter(ledger__agency=officer.agency_id).order_by("-seq")[0].entry
