"""The projection of items not yet linked to a case (``evidence.UnlinkedItem``, kept by database
triggers): it follows the facts whoever writes them, and the inbox reads it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from casetrail.conftest import client_for
from casetrail.evidence import projection
from casetrail.evidence.models import Item, UnlinkedItem
from casetrail.evidence.tests.helpers import upload
from casetrail.evidence.tests.test_uploads import meta, video

pytestmark = pytest.mark.usefixtures("evidence_store")


def rebuilt() -> set[tuple[int, int, int, int]]:
    """What the migration's fill computes from Item and ItemLink now."""
    with connection.cursor() as cursor:
        cursor.execute(projection.UNLINKED)
        return {tuple(row) for row in cursor.fetchall()}


def stored() -> set[tuple[int, int, int, int]]:
    return set(
        UnlinkedItem.objects.values_list("item_id", "agency_id", "uploaded_by_id", "officer_id")
    )


def test_it_keeps_an_item_in_the_projection_until_it_is_linked(
    open_case: Any, personas: Any, tmp_path: Path
) -> None:
    zhang = client_for("zhang")
    r = upload(zhang, video(tmp_path), meta())
    assert r.status_code == 204
    item = Item.objects.get(pk=int(r["CaseTrail-Evidence"]))
    row = UnlinkedItem.objects.get(item_id=item.pk)
    assert (row.agency_id, row.uploaded_by_id) == (item.agency_id, personas["zhang"].pk)
    assert stored() == rebuilt()
    assert "我的待归案音像记录" in zhang.get("/").content.decode()
    assert zhang.get("/api/evidence/inbox/").json()["unlinked"][0]["id"] == item.pk

    # A refused link (a case zhang does not handle) writes nothing: the row stays.
    refused = zhang.post(
        f"/api/evidence/{item.pk}/link/", {"case": 0}, content_type="application/json"
    )
    assert refused.status_code in (400, 404)
    assert UnlinkedItem.objects.filter(item_id=item.pk).exists()

    assert zhang.post(f"/evidence/{item.pk}/link/", {"case": open_case.pk}).status_code == 302
    assert not UnlinkedItem.objects.filter(item_id=item.pk).exists()
    assert stored() == rebuilt() == set()
    assert zhang.get("/api/evidence/inbox/").json()["unlinked"] == []


def test_it_installs_the_projection_triggers(db: Any) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        names = {row[0] for row in cursor.fetchall()}
    assert projection.trigger_names() <= names
