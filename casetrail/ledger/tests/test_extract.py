"""The ledger extract (issue 13 §5–6): the files a copy or archive package carries so the entries
are checked offline — the latest checkpoint with its cosignatures, the verifier keys, each entry's
leaf bytes and its C2SP tlog-proof."""

from __future__ import annotations

import pytest

from casetrail.ledger.checkpoints import checkpoint_create
from casetrail.ledger.extract import write_ledger_extract
from casetrail.ledger.keys import parse_vkey
from casetrail.ledger.models import Checkpoint, Ledger, LedgerEntry
from casetrail.ledger.witnesses import WitnessConfig, store_cosignature
from casetrail.lib import merkle
from casetrail.lib.cosignature import CosignatureSigner
from casetrail.lib.errors import ActionError
from casetrail.lib.signed_note import (
    open_note,
    parse_note,
    parse_tlog_proof,
    sign_note,
    verify_tlog_proof,
)


def _verifiers(dest):
    return [parse_vkey(line) for line in (dest / "keys").read_text().splitlines()]


def test_it_writes_entries_and_proofs_that_the_ledgers_verifier_accepts(open_case, tmp_path):
    ledger = Ledger.objects.get(agency=open_case.agency)
    entries = list(LedgerEntry.objects.filter(ledger=ledger, case_ref=open_case.pk))
    assert len(entries) >= 2
    assert not Checkpoint.objects.filter(ledger=ledger).exists()

    summary = write_ledger_extract(ledger=ledger, entries=entries, dest=tmp_path / "ledger")

    dest = tmp_path / "ledger"
    ledger.refresh_from_db()
    assert summary.checkpoint_size == ledger.size  # a checkpoint was signed to cover them
    assert summary.seqs == tuple(sorted(e.seq for e in entries))
    assert {"checkpoint", "keys"} <= set(summary.files)
    keys = _verifiers(dest)
    for entry in entries:
        leaf_bytes = (dest / f"entries/{entry.seq}.json").read_bytes()
        assert leaf_bytes == entry.canonical.encode()
        proof = (dest / f"proofs/{entry.seq}.tlog-proof").read_text()
        checkpoint = verify_tlog_proof(
            proof,
            merkle.leaf_hash("sm3", leaf_bytes),
            keys,
            origin=ledger.origin,
            hash_name="sm3",
        )
        assert checkpoint.size == summary.checkpoint_size
        # A proof for another entry's leaf fails.
        other = merkle.leaf_hash("sm3", leaf_bytes + b" ")
        with pytest.raises(merkle.ProofError):
            verify_tlog_proof(proof, other, keys, origin=ledger.origin, hash_name="sm3")


def test_it_carries_the_witnesses_cosignatures(open_case, personas, settings, tmp_path):
    ledger = Ledger.objects.get(agency=open_case.agency)
    checkpoint = checkpoint_create(ledger=ledger)
    signer = CosignatureSigner.generate("witness.test/w1")
    settings.CASETRAIL_WITNESSES = [f"http://127.0.0.1:9 {signer.vkey()}"]
    witness = WitnessConfig("http://127.0.0.1:9", signer.verifier())
    text, _ = parse_note(checkpoint.note)
    witness_line = sign_note(text, [signer]).split("\n\n", 1)[1]
    store_cosignature(checkpoint, witness, witness_line)

    summary = write_ledger_extract(ledger=ledger, entries=[0, 1], dest=tmp_path)

    assert summary.cosignatures == 1
    note = (tmp_path / "checkpoint").read_text()
    _, verified = open_note(note, [signer.verifier()])
    assert [s.name for s in verified] == ["witness.test/w1"]
    assert signer.vkey() in (tmp_path / "keys").read_text().splitlines()
    proof = parse_tlog_proof((tmp_path / "proofs/1.tlog-proof").read_text())
    assert proof.checkpoint == note and proof.index == 1


def test_it_refuses_an_entry_the_log_does_not_have(open_case, other_agency, tmp_path):
    ledger = Ledger.objects.get(agency=open_case.agency)
    with pytest.raises(ActionError) as refused:
        write_ledger_extract(ledger=ledger, entries=[ledger.size], dest=tmp_path / "x")
    assert refused.value.code == "entry_not_in_log"
    foreign = LedgerEntry.objects.exclude(ledger=ledger).first()
    assert foreign is not None
    with pytest.raises(ActionError):
        write_ledger_extract(ledger=ledger, entries=[foreign], dest=tmp_path / "y")
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()
