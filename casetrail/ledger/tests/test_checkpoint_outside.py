"""#18: no network inside a transaction. The checkpoint asks the TSA with no transaction open and
the log's row unlocked, then stores the checkpoint of the size it signed — or nothing, when a
checkpoint of the same or a larger size was stored meanwhile; the witness requests, the
publication and the TSA request are refused inside a transaction."""

from __future__ import annotations

import pytest
from django.db import transaction

from casetrail.conftest import start_ex_officio
from casetrail.ledger import checkpoints
from casetrail.ledger.checkpoints import SignedHead, checkpoint_create
from casetrail.ledger.key_actions import checkpoint_signers
from casetrail.ledger.models import Checkpoint, Ledger
from casetrail.ledger.publication import publish
from casetrail.ledger.tsa import timestamp
from casetrail.ledger.verify import verify
from casetrail.ledger.witnesses import cosign
from casetrail.lib.cosignature import CosignatureSigner
from casetrail.lib.errors import ActionError
from casetrail.lib.outside import InsideTransaction, open_transactions


def sizes(ledger: Ledger) -> list[int]:
    return list(
        Checkpoint.objects.filter(ledger=ledger).order_by("size").values_list("size", flat=True)
    )


@pytest.fixture
def ledger(open_case):
    ledger = Ledger.objects.get(agency=open_case.agency)
    checkpoint_create(ledger=ledger)
    return Ledger.objects.get(pk=ledger.pk)


def fake_tsa(monkeypatch, meanwhile=None):
    """The TSA replaced by one that notes the transactions open when it is asked and runs
    ``meanwhile()`` (another process's work) while it "takes its time"."""
    asked: list[tuple[list[str], bytes]] = []

    def ask(data: bytes) -> None:
        asked.append((open_transactions(), data))
        if meanwhile is not None and len(asked) == 1:
            meanwhile()
        return None  # no token: ``verify`` checks real ones (test_tsa.py)

    monkeypatch.setattr(checkpoints, "timestamp", ask)
    return asked


def test_it_asks_the_tsa_outside_the_transaction_and_stores_the_size_it_signed(
    ledger, personas, monkeypatch
):
    start_ex_officio(personas)
    ledger.refresh_from_db()
    signed = ledger.size
    # While the TSA takes its time, an action of the agency runs (a durable transaction: it
    # could not while the checkpoint held one open) and appends to the log.
    asked = fake_tsa(monkeypatch, meanwhile=lambda: start_ex_officio(personas))
    cp = checkpoint_create(ledger=ledger)
    assert cp is not None and cp.size == signed
    assert asked == [([], cp.note.encode("utf-8"))]  # no transaction open; the note stored
    ledger.refresh_from_db()
    assert ledger.size == signed + 1  # the entry appended meanwhile is for the next checkpoint
    assert checkpoint_create(ledger=ledger).size == signed + 1
    assert verify().intact


def test_it_stores_nothing_when_a_larger_checkpoint_was_stored_meanwhile(
    ledger, personas, monkeypatch
):
    start_ex_officio(personas)
    ledger.refresh_from_db()
    signed = ledger.size

    def another_run() -> None:  # another `checkpoint` run, after one more action
        start_ex_officio(personas)
        assert checkpoint_create(ledger=ledger).size == signed + 1

    fake_tsa(monkeypatch, meanwhile=another_run)
    before = sizes(ledger)
    assert checkpoint_create(ledger=ledger) is None
    # Never a smaller checkpoint after a larger one: the witnesses refuse to go back.
    assert sizes(ledger) == [*before, signed + 1]
    assert verify().intact


def test_it_stores_nothing_when_the_same_size_was_stored_meanwhile(ledger, personas, monkeypatch):
    start_ex_officio(personas)
    ledger.refresh_from_db()

    def another_run() -> None:
        assert checkpoint_create(ledger=ledger).size == ledger.size

    fake_tsa(monkeypatch, meanwhile=another_run)
    before = sizes(ledger)
    assert checkpoint_create(ledger=ledger) is None
    assert sizes(ledger) == [*before, ledger.size]  # one checkpoint of that size, not two


def test_it_proves_a_head_again_against_a_checkpoint_stored_after_it_was_signed(ledger, personas):
    signers = checkpoint_signers(ledger)
    start_ex_officio(personas)
    smaller = checkpoints._sign(ledger, signers)
    start_ex_officio(personas)
    larger = checkpoints._sign(ledger, signers)
    assert smaller is not None and larger is not None and smaller.size < larger.size
    # Both signed against the same latest checkpoint; the smaller one is stored first.
    stored = checkpoints._store(ledger, smaller, None)
    assert stored is not None and stored.size == smaller.size
    stored = checkpoints._store(ledger, larger, None)
    assert stored is not None and stored.size == larger.size
    # The other order: once the larger one is in, the smaller one is skipped.
    start_ex_officio(personas)
    third = checkpoints._sign(ledger, signers)
    start_ex_officio(personas)
    fourth = checkpoints._sign(ledger, signers)
    assert third is not None and fourth is not None
    assert checkpoints._store(ledger, fourth, None) is not None
    assert checkpoints._store(ledger, third, None) is None
    assert third.size not in sizes(ledger) and fourth.size in sizes(ledger)
    assert verify().intact


def test_it_refuses_at_store_time_a_head_the_stored_checkpoints_do_not_extend(ledger, personas):
    signers = checkpoint_signers(ledger)
    start_ex_officio(personas)
    head = checkpoints._sign(ledger, signers)
    assert head is not None
    before = sizes(ledger)
    forged = SignedHead(head.size, b"\x01" * len(head.root), head.note)
    with pytest.raises(ActionError) as err:
        checkpoints._store(ledger, forged, None)
    assert err.value.code == "ledger_inconsistent"
    assert sizes(ledger) == before
    # The same size stored meanwhile with another root: a fork, refused, not skipped.
    assert checkpoints._store(ledger, head, None) is not None
    with pytest.raises(ActionError) as err:
        checkpoints._store(ledger, forged, None)
    assert err.value.code == "ledger_inconsistent"


def test_it_refuses_a_checkpoint_and_its_remote_calls_inside_a_transaction(
    ledger, personas, settings, tmp_path
):
    start_ex_officio(personas)
    before = sizes(ledger)
    settings.CASETRAIL_TSA_URL = "http://127.0.0.1:9/"  # never asked: refused before
    settings.CASETRAIL_PUBLISH_TO = str(tmp_path / "published")
    witness = CosignatureSigner.generate("witness.example")
    settings.CASETRAIL_WITNESSES = [f"http://127.0.0.1:9 {witness.vkey()}"]
    latest = Checkpoint.objects.filter(ledger=ledger).order_by("-size").first()
    calls = {
        "checkpoint": lambda: checkpoint_create(ledger=ledger),
        "TSA": lambda: timestamp(b"a note"),
        "witness": lambda: cosign(latest),
        "publication": lambda: publish(latest),
    }
    for what, call in calls.items():
        with pytest.raises(InsideTransaction, match="inside a database transaction"):
            with transaction.atomic():
                call()
                pytest.fail(f"{what} ran inside a transaction")
    assert sizes(ledger) == before
    assert not (tmp_path / "published").exists()
    assert not latest.cosignatures.exists()
