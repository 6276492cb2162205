"""Pinned checkpoint keys (issue 14 §3): one key per agency log named after its origin, pinned by a
ledgered action, rotated by a statement the old key signs; `verify` trusts no key file by itself
and compares each entry's case column with its hashed JSON."""

from __future__ import annotations

import pytest

from casetrail.ledger import keys
from casetrail.ledger.checkpoints import checkpoint_create
from casetrail.ledger.key_actions import ledger_key_rotate
from casetrail.ledger.models import Checkpoint, Ledger, LedgerEntry, LedgerKey
from casetrail.ledger.tests.test_tamper import sql
from casetrail.ledger.verify import verify
from casetrail.lib.signed_note import Checkpoint as CheckpointText
from casetrail.lib.signed_note import Ed25519Signer, sign_checkpoint


@pytest.fixture
def ledger(open_case):
    ledger = Ledger.objects.get(agency=open_case.agency)
    checkpoint_create(ledger=ledger)
    return Ledger.objects.get(pk=ledger.pk)


@pytest.fixture
def own_key_dir(tmp_path, settings):
    """A key folder of this test's own, so a key it drops in or rotates touches no other test."""
    settings.CASETRAIL_KEY_DIR = tmp_path / "keys"
    keys.get_signer.cache_clear()
    yield settings.CASETRAIL_KEY_DIR
    keys.get_signer.cache_clear()


def test_it_pins_the_agency_key_named_after_the_origin_on_the_first_checkpoint(ledger):
    pin = LedgerKey.objects.get(ledger=ledger)
    assert pin.vkey.startswith(ledger.origin + "+" + pin.key_id + "+")
    entry = LedgerEntry.objects.get(ledger=ledger, subject=f"ledger_key:{pin.pk}")
    assert entry.action == "ledger.key_pinned"
    checkpoint = Checkpoint.objects.get(ledger=ledger)
    assert f"\n\u2014 {ledger.origin} " in checkpoint.note
    assert verify().intact


def test_it_gives_each_agency_its_own_key(ledger, other_agency):
    other = Ledger.objects.get(agency=other_agency["ma"].agency)
    checkpoint_create(ledger=other)
    assert other.agency.credit_code in other.origin
    mine, theirs = LedgerKey.objects.get(ledger=ledger), LedgerKey.objects.get(ledger=other)
    assert mine.key_id != theirs.key_id and theirs.vkey.startswith(other.origin + "+")


@pytest.mark.behind_the_application
def test_it_reports_a_dropped_in_key_file_and_never_trusts_it(own_key_dir, open_case):
    ledger = Ledger.objects.get(agency=open_case.agency)
    checkpoint_create(ledger=ledger)
    # The insider has no private key: they make their own, drop its public key beside ours and
    # re-sign the checkpoint with it.
    intruder = Ed25519Signer.generate(ledger.origin)
    (own_key_dir / "extra.vkey").write_text(intruder.vkey() + "\n")
    cp = Checkpoint.objects.get(ledger=ledger)
    forged = sign_checkpoint(CheckpointText(ledger.origin, cp.size, bytes(cp.root)), [intruder])
    sql(
        "UPDATE ledger_checkpoint SET note = %s WHERE id = %s",
        [forged, cp.pk],
        table="ledger_checkpoint",
    )
    found = verify().findings
    assert f"key file extra.vkey: key {intruder.key_id:08x} is not pinned (not trusted)" in found
    assert any(
        f"checkpoint {cp.pk}" in line and "no signature by a known key" in line for line in found
    ), found


def test_it_refuses_to_sign_with_a_key_file_that_is_not_the_pinned_one(
    own_key_dir, open_case, personas
):
    ledger = Ledger.objects.get(agency=open_case.agency)
    checkpoint_create(ledger=ledger)
    keys.key_path(ledger.origin).write_text(Ed25519Signer.generate(ledger.origin).skey() + "\n")
    keys.get_signer.cache_clear()
    from casetrail.conftest import start_ex_officio

    start_ex_officio(personas)
    with pytest.raises(keys.KeyError_, match="不是已登记的密钥"):
        checkpoint_create(ledger=ledger)
    assert Checkpoint.objects.filter(ledger=ledger).count() == 1


def test_it_rotates_the_key_by_a_statement_the_old_key_signs(
    own_key_dir, open_case, personas, django_capture_on_commit_callbacks
):
    from casetrail.conftest import start_ex_officio

    ledger = Ledger.objects.get(agency=open_case.agency)
    first = checkpoint_create(ledger=ledger)
    old = LedgerKey.objects.get(ledger=ledger)
    with django_capture_on_commit_callbacks(execute=True):
        new = ledger_key_rotate(ledger=ledger, officer=personas["admin"])
    assert new.replaces == old and "casetrail/key-rotation/v1" in new.rotation_note
    assert LedgerEntry.objects.filter(ledger=ledger, action="ledger.key_rotated").count() == 1
    start_ex_officio(personas)
    second = checkpoint_create(ledger=ledger)
    assert f"{new.key_id}" != old.key_id and first.note != second.note
    assert verify().intact, verify().findings
    # The old key file is kept beside, not trusted by itself.
    assert keys.key_path(ledger.origin).with_suffix(f".{old.key_id}.old").exists()


@pytest.mark.behind_the_application
def test_it_finds_a_rotation_not_signed_by_the_old_key(own_key_dir, open_case, personas):
    ledger = Ledger.objects.get(agency=open_case.agency)
    checkpoint_create(ledger=ledger)
    new = ledger_key_rotate(ledger=ledger, officer=personas["admin"])
    other = Ed25519Signer.generate(ledger.origin)
    from casetrail.lib.signed_note import parse_note, sign_note

    text, _ = parse_note(new.rotation_note)
    sql(
        "UPDATE ledger_ledgerkey SET rotation_note = %s WHERE id = %s",
        [sign_note(text, [other]), new.pk],
        table="ledger_ledgerkey",
    )
    found = verify().findings
    assert any(
        f"key {new.key_id}: rotation not signed by the key it replaces" in line for line in found
    ), found


def test_it_trusts_only_the_configured_keys_when_configured(ledger, settings):
    pinned = LedgerKey.objects.get(ledger=ledger)
    settings.CASETRAIL_LEDGER_KEYS = [pinned.vkey]
    assert verify().intact
    settings.CASETRAIL_LEDGER_KEYS = [Ed25519Signer.generate(ledger.origin).vkey()]
    found = verify().findings
    code = ledger.agency.credit_code
    assert (
        f"ledger {code} key {pinned.key_id}: pinned in the database but not in CASETRAIL_LEDGER_KEYS"
        in found
    )
    assert any("no signature by a known key" in line for line in found), found


@pytest.mark.behind_the_application
def test_it_finds_a_case_column_that_differs_from_the_hashed_entry(ledger, open_case):
    entry = LedgerEntry.objects.filter(ledger=ledger, case_ref=open_case.pk).order_by("seq")[0]
    sql(
        "UPDATE ledger_ledgerentry SET case_ref = NULL WHERE id = %s",
        [entry.pk],
        table="ledger_ledgerentry",
    )
    code = ledger.agency.credit_code
    assert verify().findings == [
        f"ledger {code} seq {entry.seq}: case column is None, the hashed entry says {open_case.pk}"
    ]


def test_it_signs_checkpoints_with_ed25519_and_sm2_where_the_agency_chose_sm2(
    own_key_dir, open_case, settings
):
    from casetrail.lib.signed_note import parse_note
    from casetrail.lib.sm2 import SM2Verifier

    settings.CASETRAIL_SM2 = [open_case.agency.credit_code]
    ledger = Ledger.objects.get(agency=open_case.agency)
    checkpoint = checkpoint_create(ledger=ledger)
    pins = {keys.algorithm_of(p.vkey): p for p in LedgerKey.objects.filter(ledger=ledger)}
    assert set(pins) == {"ed25519", "sm2"}
    text, lines = parse_note(checkpoint.note)
    assert [line.name for line in lines] == [ledger.origin, ledger.origin]
    sm2 = SM2Verifier.from_vkey(pins["sm2"].vkey)
    sm2_line = next(line for line in lines if line.key_id == sm2.key_id)
    assert sm2.verify(text.encode(), sm2_line.signature)
    assert verify().intact


@pytest.mark.behind_the_application
def test_it_finds_a_broken_sm2_line(own_key_dir, open_case, settings):
    from casetrail.lib.signed_note import NoteSignature, parse_note

    settings.CASETRAIL_SM2 = ["*"]
    ledger = Ledger.objects.get(agency=open_case.agency)
    checkpoint = checkpoint_create(ledger=ledger)
    text, lines = parse_note(checkpoint.note)
    broken = [
        NoteSignature(s.name, s.key_id, bytes(64)) if len(s.signature) == 64 and i else s
        for i, s in enumerate(lines)
    ]
    sql(
        "UPDATE ledger_checkpoint SET note = %s WHERE id = %s",
        [text + "\n" + "".join(s.line() for s in broken), checkpoint.pk],
        table="ledger_checkpoint",
    )
    assert any("invalid signature by" in line for line in verify().findings)
