"""Small frictions found walking the UI: the favicon, money labels with their unit once."""

from __future__ import annotations

from casetrail.conftest import client_for
from casetrail.records.catalogue import CATALOGUE
from casetrail.records.forms import _field


def test_it_serves_a_favicon_without_login(db):
    r = client_for(None).get("/favicon.ico")
    assert r.status_code == 200 and r["Content-Type"] == "image/svg+xml"
    assert b"<svg" in b"".join(r.streaming_content)


def test_money_labels_carry_their_unit_once():
    for doc in CATALOGUE.values():
        for f in doc.fields:
            if f.type == "money":
                label = str(_field(f, f.label, None).label)
                assert label.endswith("（元）") and "（元）（元）" not in label, label
