"""Tamper tests: build a case through the actions, then change things behind the application's
back with raw SQL (after disabling the insert-only triggers, as an intruder with database access
would) and check that `verify` reports exactly that, pinpointed."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.db import connection

from casetrail.ledger.checkpoints import checkpoint_create
from casetrail.ledger.models import Ledger, LedgerEntry
from casetrail.ledger.verify import verify
from casetrail.lib.insert_only import install_sql
from casetrail.records.models import Record

# These tests alter recorded rows behind the application on purpose.
pytestmark = pytest.mark.behind_the_application


def disable_triggers(table: str) -> None:
    with connection.cursor() as c:
        if connection.vendor == "sqlite":
            c.execute(f'DROP TRIGGER IF EXISTS "{table}_no_update"')
            c.execute(f'DROP TRIGGER IF EXISTS "{table}_no_delete"')
        else:
            # A superuser session skipping every trigger for the rest of this transaction.
            c.execute("SET LOCAL session_replication_role = 'replica'")


def restore_triggers(table: str) -> None:
    """The intruder covers their tracks: the triggers are back, so only the ledger can tell."""
    with connection.cursor() as c:
        if connection.vendor == "sqlite":
            for statement in install_sql("sqlite", table):
                c.execute(statement)
        else:
            c.execute("SET LOCAL session_replication_role = 'origin'")


def sql(statement: str, params: list | None = None, *, table: str) -> None:
    disable_triggers(table)
    with connection.cursor() as c:
        c.execute(statement, params or [])
    restore_triggers(table)


@pytest.fixture
def world(personas, open_case):
    """An approved case with a correction, and a signed checkpoint over everything."""
    from casetrail.records.actions import record_correct

    form = open_case.records.get(kind="start_approval_form")
    record_correct(
        record=form,
        officer=personas["zhang"],
        fields={"party_facts": "周某，男"},
        reason="补充性别",
    )
    ledger = Ledger.objects.get(agency=open_case.agency)
    checkpoint_create(ledger=ledger)
    report = verify()
    assert report.intact, report.findings
    return {
        "case": open_case,
        "ledger": Ledger.objects.get(pk=ledger.pk),
        "record": open_case.records.get(kind="start_approval_form", replaces__isnull=False),
    }


def findings():
    return verify().findings


def seq_of(record: Record) -> int:
    for entry in LedgerEntry.objects.filter(case_ref=record.case_id).order_by("seq"):
        rows = json.loads(entry.canonical)["payload"].get("rows", [])
        if any(r["table"] == "records.Record" and r["id"] == record.pk for r in rows):
            return entry.seq
    raise AssertionError("record not in the ledger")


def test_it_finds_an_edited_record_field(world):
    record = world["record"]
    sql(
        "UPDATE records_record SET correction_reason = %s WHERE id = %s",
        ["无", record.pk],
        table="records_record",
    )
    assert findings() == [
        f'records_record {record.pk}: field "correction_reason" differs from ledger seq {seq_of(record)}'
    ]


def test_it_finds_a_deleted_record(world):
    record = world["record"]
    seq = seq_of(record)
    sql("DELETE FROM records_record WHERE id = %s", [record.pk], table="records_record")
    assert findings() == [
        f"records_record {record.pk}: recorded at ledger seq {seq} but the row is gone"
    ]


def test_it_finds_a_forged_record(world):
    case, record = world["case"], world["record"]
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    sql(
        "INSERT INTO records_record (case_id, kind, fields, created_by_id, created_at,"
        f" correction_reason) VALUES (%s, %s, %s{cast}, %s, %s, %s)",
        [
            case.pk,
            "start_approval_form",
            json.dumps({"reason": "伪造"}),
            record.created_by_id,
            record.created_at,
            "",
        ],
        table="records_record",
    )
    forged = Record.objects.order_by("-id").first()
    assert findings() == [
        f"records_record {forged.pk}: row has no ledger entry (inserted behind the application)"
    ]


def test_it_finds_an_edited_ledger_entry(world):
    ledger = world["ledger"]
    entry = LedgerEntry.objects.filter(ledger=ledger, action="case.start_ex_officio").get()
    sql(
        "UPDATE ledger_ledgerentry SET canonical = %s WHERE id = %s",
        [entry.canonical.replace("建议立案调查", "建议不予立案"), entry.pk],
        table="ledger_ledgerentry",
    )
    found = findings()
    code = ledger.agency.credit_code
    assert found[0] == f"ledger {code} seq {entry.seq}: entry does not hash to stored leaf"
    # The edited payload no longer matches the step row it recorded, which is pinpointed too.
    assert all(f"seq {entry.seq}" in line for line in found), found


def test_it_finds_a_deleted_last_entry(world):
    ledger = world["ledger"]
    last = ledger.size - 1
    sql(
        "DELETE FROM ledger_ledgerentry WHERE ledger_id = %s AND seq = %s",
        [ledger.pk, last],
        table="ledger_ledgerentry",
    )
    found = findings()
    code = ledger.agency.credit_code
    assert found[:2] == [
        f"ledger {code}: head says {ledger.size} entries, {last} are stored",
        f"ledger {code} seq {last}: entry missing",
    ]
    # What that entry recorded is now unaccounted for.
    assert all("ledger" in line or "no ledger entry" in line for line in found), found


def test_it_finds_two_reordered_entries(world):
    ledger = world["ledger"]
    a, b = (LedgerEntry.objects.get(ledger=ledger, seq=s) for s in (3, 4))
    sql(
        "UPDATE ledger_ledgerentry SET canonical = %s WHERE id = %s",
        [b.canonical, a.pk],
        table="ledger_ledgerentry",
    )
    sql(
        "UPDATE ledger_ledgerentry SET canonical = %s WHERE id = %s",
        [a.canonical, b.pk],
        table="ledger_ledgerentry",
    )
    code = ledger.agency.credit_code
    assert findings() == [
        f"ledger {code} seq 3: entry does not hash to stored leaf",
        f"ledger {code} seq 3: entry says seq 4 (entries reordered or moved)",
        f"ledger {code} seq 4: entry does not hash to stored leaf",
        f"ledger {code} seq 4: entry says seq 3 (entries reordered or moved)",
    ]


def test_it_finds_a_changed_node(world):
    ledger = world["ledger"]
    sql(
        'UPDATE ledger_ledgernode SET hash = %s WHERE ledger_id = %s AND level = 2 AND "index" = 1',
        [b"\x00" * 32, ledger.pk],
        table="ledger_ledgernode",
    )
    found = findings()
    code = ledger.agency.credit_code
    assert f"ledger {code} node (2, 1): hash differs from its children" in found
    assert all("node (" in line or "checkpoint" in line for line in found), found


def test_it_finds_a_forged_checkpoint(world):
    from casetrail.ledger.models import Checkpoint
    from casetrail.lib.signed_note import Checkpoint as Text
    from casetrail.lib.signed_note import Ed25519Signer, sign_checkpoint

    ledger = world["ledger"]
    intruder = Ed25519Signer.generate("casetrail-ledger")  # same name, different key
    note = sign_checkpoint(Text(ledger.origin, ledger.size, b"\x11" * 32, ()), [intruder])
    sql(
        "INSERT INTO ledger_checkpoint (ledger_id, size, root, note, created_at) "
        "VALUES (%s, %s, %s, %s, CURRENT_TIMESTAMP)",
        [ledger.pk, ledger.size, b"\x11" * 32, note],
        table="ledger_checkpoint",
    )
    forged = Checkpoint.objects.order_by("-id").first()
    found = findings()
    where = f"checkpoint {forged.pk} ({ledger.agency.credit_code} size {ledger.size})".replace(
        f"({ledger.agency.credit_code}", f"(ledger {ledger.agency.credit_code}"
    )
    assert found[0].startswith(f"{where}: signature or note invalid")
    assert f"{where}: root differs from the tree recomputed from entries" in found


def test_the_verify_command_exits_1_on_a_finding_and_0_when_intact(world, capsys):
    call_command("verify", "--no-progress")
    assert "verify: 0 findings" in capsys.readouterr().out
    record = world["record"]
    sql(
        "UPDATE records_record SET correction_reason = %s WHERE id = %s",
        ["无", record.pk],
        table="records_record",
    )
    with pytest.raises(SystemExit) as exit_:
        call_command("verify", "--no-progress", "--agency", world["case"].agency.credit_code)
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert f"records_record {record.pk}" in out and "verify: 1 findings" in out


@pytest.fixture
def evidence_world(world, personas, evidence_store):
    """The world plus a photo stored, recorded in the case, linked and viewed."""
    import datetime as dt
    import io

    from django.utils import timezone
    from PIL import Image

    from casetrail.evidence import actions as ev
    from casetrail.evidence.storage import blob_store
    from casetrail.lib.digests import MultiHasher

    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 30, 30)).save(buffer, "JPEG")
    data = buffer.getvalue()
    path = evidence_store / "photo.jpg"
    path.write_bytes(data)
    digests = MultiHasher(("sha256", "sm3")).update(data).hexdigests()
    store = blob_store()
    store.put_file(digests["sha256"], path, move=False)
    zhang = personas["zhang"]
    blob, _ = ev.blob_ingest(
        officer=zhang,
        sha256=digests["sha256"],
        sm3=digests["sm3"],
        size=len(data),
        media_type="image/jpeg",
        storage=store.name,
    )
    now = timezone.now()
    item = ev.evidence_record_create(
        officer=zhang,
        blob=blob,
        media={},
        file_name="photo.jpg",
        data=ev.RecordInput(
            kind="photo",
            recorded_start=now - dt.timedelta(minutes=5),
            recorded_end=now - dt.timedelta(minutes=4),
            place="现场",
            informed="told",
            informed_how="口头告知",
            description="现场照片",
            case=world["case"],
        ),
    )
    ev.evidence_view(item=item, officer=zhang)
    assert verify().intact, verify().findings
    return {**world, "blob": blob, "path": store.path(blob.sha256)}


def test_it_finds_replaced_blob_bytes(evidence_world):
    import os

    blob, path = evidence_world["blob"], evidence_world["path"]
    os.chmod(path, 0o644)
    data = bytearray(path.read_bytes())
    data[-3] ^= 0xFF
    path.write_bytes(bytes(data))
    os.chmod(path, 0o444)
    name = f"blob {blob.sha256[:12]}…"
    assert findings() == [
        f"{name}: sha256 of stored bytes differs",
        f"{name}: sm3 of stored bytes differs",
    ]


def test_it_finds_an_edited_evidence_row(evidence_world):
    from casetrail.evidence.models import Item

    item = Item.objects.get()
    sql(
        "UPDATE evidence_item SET place = %s WHERE id = %s",
        ["别处", item.pk],
        table="evidence_item",
    )
    found = findings()
    assert len(found) == 1 and found[0].startswith(
        f'evidence_item {item.pk}: field "place" differs'
    )


class _OutOfOrderPool:
    """A stand-in for verify's process pool: the units run here, the last first (as workers may
    finish them), the results given back in the units' order (as ``Pool.imap`` does)."""

    def __init__(self) -> None:
        self.units: list[tuple[str, object]] = []

    def imap(self, fn, tasks):
        tasks = list(tasks)
        self.units += [(task[0].__name__, task[1]) for task in tasks]
        results = {i: task[0](task[1]) for i, task in reversed(list(enumerate(tasks)))}
        return iter(results[i] for i in range(len(tasks)))

    def close(self) -> None:
        pass

    def join(self) -> None:
        pass


def test_it_finds_the_same_in_the_same_order_with_the_work_cut_for_jobs(
    evidence_world, personas, monkeypatch, tmp_path
):
    """Every phase is cut into units for --jobs (spans of the log, ranges of each table's rows,
    ranges of the blobs) and their findings merged in order: an edited row, a forged one and
    replaced blob bytes are found by 2 jobs exactly as by one."""
    import os

    from casetrail.evidence import actions as ev
    from casetrail.evidence import fixity
    from casetrail.evidence.storage import blob_store
    from casetrail.ledger import verify as verifying
    from casetrail.lib.digests import MultiHasher

    for n in range(2):  # three blobs, three ranges of one each
        data = f"张承办的第{n}份录音".encode()
        source = tmp_path / f"{n}.bin"
        source.write_bytes(data)
        digests = MultiHasher(("sha256", "sm3")).update(data).hexdigests()
        blob_store().put_file(digests["sha256"], source, move=False)
        ev.blob_ingest(
            officer=personas["zhang"],
            sha256=digests["sha256"],
            sm3=digests["sm3"],
            size=len(data),
            media_type="audio/mpeg",
            storage=blob_store().name,
        )
    record, case = evidence_world["record"], evidence_world["case"]
    sql(
        "UPDATE records_record SET correction_reason = %s WHERE id = %s",
        ["无", record.pk],
        table="records_record",
    )
    cast = "::jsonb" if connection.vendor == "postgresql" else ""
    sql(
        "INSERT INTO records_record (case_id, kind, fields, created_by_id, created_at,"
        f" correction_reason) VALUES (%s, %s, %s{cast}, %s, %s, %s)",
        [case.pk, "start_approval_form", "{}", record.created_by_id, record.created_at, ""],
        table="records_record",
    )
    forged = Record.objects.order_by("-id").first()
    path, blob = evidence_world["path"], evidence_world["blob"]
    os.chmod(path, 0o644)
    path.write_bytes(path.read_bytes()[:-1] + b"\x00")
    os.chmod(path, 0o444)
    # A unit per row and per blob: several ranges of one table, and of the blobs.
    monkeypatch.setattr(verifying, "ROW_CHUNK", 1)
    monkeypatch.setattr(verifying, "CHUNK", 8)
    monkeypatch.setattr(fixity, "RANGE", 1)
    one = verify().findings
    pool = _OutOfOrderPool()
    monkeypatch.setattr(verifying, "_pool", lambda jobs: pool if jobs > 1 else None)
    two = verify(jobs=2).findings
    assert two == one
    name = f"blob {blob.sha256[:12]}…"
    assert sorted(one) == sorted(
        [
            f'records_record {record.pk}: field "correction_reason" differs from ledger seq {seq_of(record)}',
            f"records_record {forged.pk}: row has no ledger entry (inserted behind the application)",
            f"{name}: sha256 of stored bytes differs",
            f"{name}: sm3 of stored bytes differs",
        ]
    )
    kinds = [fn for fn, _ in pool.units]
    records = [
        u for fn, u in pool.units if fn == "compare_row_range" and u.label == "records.Record"
    ]
    # Ranges are cut at the recorded rows (the forged one falls in the last).
    assert kinds.count("run_span") > 1 and len(records) == Record.objects.count() - 1 == 2
    assert kinds.count("range_findings") == fixity.Blob.objects.count() == 3
