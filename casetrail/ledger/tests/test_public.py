"""Published checkpoints (issue 14 §2): the latest checkpoint with its cosignatures and the verifier
keys are readable without login; every checkpoint is pushed to an outside folder, which `verify`
reads back; supervisors see a checkpoint that stays unwitnessed."""

from __future__ import annotations

import pytest
from django.test import Client

from casetrail.conftest import client_for
from casetrail.ledger.checkpoints import checkpoint_create
from casetrail.ledger.models import Cosignature, Ledger, LedgerKey
from casetrail.ledger.publication import folder_name
from casetrail.ledger.tests.test_rollback import delete_checkpoints
from casetrail.ledger.tests.test_witness import free_port, witness  # noqa: F401 (fixture)
from casetrail.ledger.verify import verify


@pytest.fixture
def published(witness, open_case, settings, tmp_path):  # noqa: F811
    settings.CASETRAIL_PUBLISH_TO = str(tmp_path / "published")
    ledger = Ledger.objects.get(agency=open_case.agency)
    checkpoint = checkpoint_create(ledger=ledger)
    return {"ledger": ledger, "checkpoint": checkpoint, "witness": witness}


@pytest.mark.parametrize("who", [None, "zhang", "sun", "admin", "ma"])
def test_it_serves_the_latest_checkpoint_and_keys_to_anyone(published, other_agency, who):
    ledger, checkpoint = published["ledger"], published["checkpoint"]
    code = ledger.agency.credit_code
    client = client_for(who) if who else Client()
    r = client.get(f"/api/public/ledgers/{code}/checkpoint")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/plain")
    cosig = Cosignature.objects.get(checkpoint=checkpoint)
    assert r.content.decode() == checkpoint.note + cosig.line
    r = client.get(f"/api/public/ledgers/{code}/checkpoints/{checkpoint.size}")
    assert r.status_code == 200 and cosig.line in r.content.decode()
    keys = client.get(f"/api/public/ledgers/{code}/keys").content.decode().splitlines()
    assert keys == [LedgerKey.objects.get(ledger=ledger).vkey, published["witness"].vkey]


def test_it_answers_unknown_logs_and_sizes_with_json_404(published):
    code = published["ledger"].agency.credit_code
    client = Client()
    r = client.get("/api/public/ledgers/00000000000000000X/checkpoint")
    assert r.status_code == 404 and r["Content-Type"].startswith("application/json")
    r = client.get(f"/api/public/ledgers/{code}/checkpoints/999999")
    assert r.status_code == 404
    size = published["checkpoint"].size
    r = client.get(f"/api/public/ledgers/{code}/checkpoints/{size}/tsr")
    assert r.status_code == 404 and r.json()["code"] == "no_timestamp"


def test_it_pushes_each_checkpoint_to_the_outside_folder(published, settings):
    from pathlib import Path

    ledger, checkpoint = published["ledger"], published["checkpoint"]
    folder = Path(settings.CASETRAIL_PUBLISH_TO) / folder_name(ledger)
    cosig = Cosignature.objects.get(checkpoint=checkpoint)
    assert (folder / "checkpoint").read_text() == checkpoint.note + cosig.line
    assert (folder / "checkpoints" / str(checkpoint.size)).exists()
    assert LedgerKey.objects.get(ledger=ledger).vkey in (folder / "keys").read_text()


@pytest.mark.behind_the_application
def test_it_finds_deleted_checkpoints_from_the_published_copy_alone(published, settings):
    settings.CASETRAIL_WITNESSES = []  # no witness reachable: the outside folder still tells
    settings.CASETRAIL_LOCAL_WITNESS = False
    ledger, checkpoint = published["ledger"], published["checkpoint"]
    delete_checkpoints(ledger)
    assert verify().findings == [
        f"ledger {ledger.agency.credit_code}: latest checkpoint here is size 0, older than size "
        f"{checkpoint.size} held by the published checkpoint (checkpoints deleted?)"
    ]


def test_it_shows_supervisors_a_checkpoint_left_unwitnessed(open_case, settings):
    from casetrail.lib.cosignature import CosignatureSigner

    vkey = CosignatureSigner.generate("witness.test/down").vkey()
    settings.CASETRAIL_WITNESSES = [f"http://127.0.0.1:{free_port()} {vkey}"]
    settings.CASETRAIL_UNWITNESSED_HOURS = 0
    checkpoint_create(ledger=Ledger.objects.get(agency=open_case.agency))
    page = client_for("sun").get("/verification/").content.decode()
    assert "小时未获见证" in page and "未见证" in page
    assert client_for("zhang").get("/verification/").status_code == 403
