"""The insider scenarios of issue 14, each played against a real witness and each found by `verify`,
pinpointed: deleted checkpoints, a truncated tail, a rewritten and re-signed history (with the key
on disk), a changed checkpoint time, an older backup restored."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.apps import apps
from django.db import connection

from casetrail.conftest import start_ex_officio
from casetrail.ledger import keys
from casetrail.ledger.checkpoints import checkpoint_create
from casetrail.ledger.models import Checkpoint, Ledger, LedgerEntry
from casetrail.ledger.tests.test_tamper import sql
from casetrail.ledger.tests.test_witness import witness  # noqa: F401 (fixture)
from casetrail.ledger.verify import verify
from casetrail.lib import merkle
from casetrail.lib.signed_note import Checkpoint as CheckpointText
from casetrail.lib.signed_note import sign_checkpoint

pytestmark = pytest.mark.behind_the_application

W = "witness witness.test/w1"


@pytest.fixture
def witnessed(witness, open_case, personas):  # noqa: F811
    """Two witnessed checkpoints; verify is clean before anyone tampers."""
    ledger = Ledger.objects.get(agency=open_case.agency)
    first = checkpoint_create(ledger=ledger)
    start_ex_officio(personas)
    second = checkpoint_create(ledger=ledger)
    report = verify()
    assert report.intact, report.findings
    return {
        "ledger": Ledger.objects.get(pk=ledger.pk),
        "first": first,
        "second": second,
        "code": ledger.agency.credit_code,
    }


def delete_checkpoints(ledger: Ledger, *, above: int = -1) -> None:
    ids = [c.pk for c in Checkpoint.objects.filter(ledger=ledger, size__gt=above)]
    marks = ",".join(["%s"] * len(ids))
    sql(
        f"DELETE FROM ledger_cosignature WHERE checkpoint_id IN ({marks})",
        ids,
        table="ledger_cosignature",
    )
    sql(f"DELETE FROM ledger_checkpoint WHERE id IN ({marks})", ids, table="ledger_checkpoint")


def truncate(ledger: Ledger, size: int, *, rows: bool) -> None:
    """Cut the log to ``size`` entries (nodes and the head too); with ``rows``, also the rows the cut
    entries recorded — what restoring an older backup of the whole database looks like."""
    if rows:
        cut = LedgerEntry.objects.filter(ledger=ledger, seq__gte=size).order_by("-seq")
        for entry in cut:
            facts = json.loads(entry.canonical)["payload"].get("rows", [])
            for fact in reversed(facts):
                table = apps.get_model(fact["table"])._meta.db_table
                sql(f'DELETE FROM "{table}" WHERE id = %s', [fact["id"]], table=table)
        # What the database held then holds no projection of the cases it did not have yet
        # (stored deadlines and their recomputation marks are kept from the recorded rows).
        for table in ("compliance_casedeadline", "compliance_casedeadlinedirty"):
            sql(
                f"DELETE FROM {table} WHERE case_id NOT IN (SELECT id FROM cases_case)",
                table=table,
            )
    sql(
        "DELETE FROM ledger_ledgerentry WHERE ledger_id = %s AND seq >= %s",
        [ledger.pk, size],
        table="ledger_ledgerentry",
    )
    for level in range(ledger.size.bit_length()):
        sql(
            'DELETE FROM ledger_ledgernode WHERE ledger_id = %s AND level = %s AND "index" >= %s',
            [ledger.pk, level, size >> level],
            table="ledger_ledgernode",
        )
    Ledger.objects.filter(pk=ledger.pk).update(size=size)


def rebuild_tree(ledger: Ledger) -> None:
    """Recompute every stored node from the (rewritten) entries, as a careful insider would."""
    h = ledger.hash_name
    level = [
        merkle.leaf_hash(h, c.encode())
        for c in LedgerEntry.objects.filter(ledger=ledger)
        .order_by("seq")
        .values_list("canonical", flat=True)
    ]
    sql(
        "DELETE FROM ledger_ledgernode WHERE ledger_id = %s", [ledger.pk], table="ledger_ledgernode"
    )
    rows, lv = [], 0
    while level:
        rows += [(ledger.pk, lv, ix, value) for ix, value in enumerate(level)]
        level = [merkle.node_hash(h, level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        lv += 1
    with connection.cursor() as c:
        c.executemany(
            'INSERT INTO ledger_ledgernode (ledger_id, level, "index", hash) VALUES (%s, %s, %s, %s)',
            rows,
        )


def test_it_finds_every_checkpoint_deleted(witnessed):
    ledger, second, code = witnessed["ledger"], witnessed["second"], witnessed["code"]
    delete_checkpoints(ledger)
    assert verify().findings == [
        f"ledger {code}: latest checkpoint here is size 0, older than size {second.size} held by "
        f"{W} (checkpoints deleted?)"
    ]


def test_it_finds_a_truncated_tail(witnessed):
    ledger, first, second, code = (witnessed[k] for k in ("ledger", "first", "second", "code"))
    # Cut the entries after the first checkpoint and the checkpoint that covered them.
    delete_checkpoints(ledger, above=first.size)
    truncate(ledger, first.size, rows=False)
    found = verify().findings
    assert (
        f"ledger {code}: log has {first.size} entries but {W} holds a checkpoint of size "
        f"{second.size} (truncated, or restored from an older backup)"
    ) in found
    # The rows the cut entries recorded are unaccounted for; nothing else is reported.
    assert all("no ledger entry" in line or W in line for line in found), found


def test_it_finds_an_older_backup_restored(witnessed):
    ledger, first, second, code = (witnessed[k] for k in ("ledger", "first", "second", "code"))
    delete_checkpoints(ledger, above=first.size)
    truncate(ledger, first.size, rows=True)
    # The restored database is consistent in itself: only the witness can tell.
    assert verify().findings == [
        f"ledger {code}: log has {first.size} entries but {W} holds a checkpoint of size "
        f"{second.size} (truncated, or restored from an older backup)"
    ]


def test_it_finds_a_rewritten_history_re_signed_with_the_key_on_disk(witnessed):
    ledger, code = witnessed["ledger"], witnessed["code"]
    # Rewrite a fact and the entry that recorded it, rebuild the tree, re-sign every checkpoint
    # with the agency's key file and drop the now-invalid cosignatures.
    entry = LedgerEntry.objects.filter(ledger=ledger, action="case.start_ex_officio").first()
    assert entry is not None and "群众举报" in entry.canonical
    sql(
        "UPDATE ledger_ledgerentry SET canonical = %s WHERE id = %s",
        [entry.canonical.replace("群众举报", "上级交办"), entry.pk],
        table="ledger_ledgerentry",
    )
    rebuild_tree(ledger)
    signer = keys.get_signer(ledger.origin)
    h = ledger.hash_name
    nodes = {
        (lv, ix): bytes(v)
        for lv, ix, v in ledger.nodes.values_list("level", "index", "hash")  # type: ignore[attr-defined]
    }
    for cp in Checkpoint.objects.filter(ledger=ledger):
        root = merkle.root_from_store(h, lambda lv, ix: nodes[(lv, ix)], cp.size)
        note = sign_checkpoint(CheckpointText(ledger.origin, cp.size, root), [signer])
        sql(
            "UPDATE ledger_checkpoint SET note = %s, root = %s WHERE id = %s",
            [note, root, cp.pk],
            table="ledger_checkpoint",
        )
        sql(
            "DELETE FROM ledger_cosignature WHERE checkpoint_id = %s",
            [cp.pk],
            table="ledger_cosignature",
        )
    found = verify().findings
    second = witnessed["second"]
    assert (
        f"ledger {code}: the first {second.size} entries differ from the checkpoint {W} holds "
        "(history rewritten and re-signed?)"
    ) in found, found
    # The rewritten payload also no longer matches the row it recorded; nothing else differs.
    assert all(W in line or f"seq {entry.seq}" in line for line in found), found


def test_it_finds_a_changed_checkpoint_time(witnessed):
    first = witnessed["first"]
    later = first.created_at + dt.timedelta(days=1)
    sql(
        "UPDATE ledger_checkpoint SET created_at = %s WHERE id = %s",
        [later, first.pk],
        table="ledger_checkpoint",
    )
    found = verify().findings
    where = f"checkpoint {first.pk} (ledger {witnessed['code']} size {first.size})"
    assert any(
        line.startswith(f"{where}: time ") and "is after witness.test/w1 cosigned it" in line
        for line in found
    ), found
    assert any("is before checkpoint" in line for line in found), found
