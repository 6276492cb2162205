"""The ledger: entries and nodes on every action, checkpoints, proofs over the API, keys, and the
supervisors' verification report."""

from __future__ import annotations

import base64
import os

import pytest
from django.core.management import call_command

from casetrail.conftest import client_for, start_ex_officio
from casetrail.ledger import keys
from casetrail.ledger.checkpoints import checkpoint_create
from casetrail.ledger.models import Checkpoint, Ledger, LedgerEntry, LedgerNode, VerificationRun
from casetrail.lib import merkle
from casetrail.lib.errors import ActionError
from casetrail.lib.signed_note import Ed25519Verifier, open_checkpoint, parse_tlog_proof


@pytest.fixture
def ledger(open_case):
    ledger = Ledger.objects.get(agency=open_case.agency)
    checkpoint_create(ledger=ledger)
    return Ledger.objects.get(pk=ledger.pk)


def b64d(values):
    return [base64.b64decode(v) for v in values]


def test_it_appends_one_entry_with_its_nodes_per_action(personas):
    ledger = Ledger.objects.get(agency=personas["zhang"].agency)
    assert ledger.hash_name == "sm3" and ledger.origin == "casetrail/11140524MB1234567J/sm3"
    before = ledger.size
    start_ex_officio(personas)
    ledger.refresh_from_db()
    assert ledger.size == before + 1
    entry = LedgerEntry.objects.get(ledger=ledger, seq=before)
    assert entry.action == "case.start_ex_officio"
    tables = [r["table"] for r in entry.entry["payload"]["rows"]]
    assert tables[:2] == ["cases.Case", "cases.CaseOfficer"] and "records.Record" in tables
    leaf = merkle.leaf_hash("sm3", entry.canonical.encode())
    assert bytes(LedgerNode.objects.get(ledger=ledger, level=0, index=before).hash) == leaf
    # Every perfect node of the tree is stored: ~2 per entry.
    expected = sum(ledger.size >> level for level in range(ledger.size.bit_length()))
    assert LedgerNode.objects.filter(ledger=ledger).count() == expected


def test_it_rolls_back_the_entry_with_a_refused_action(personas):
    ledger = Ledger.objects.get(agency=personas["zhang"].agency)
    before = (ledger.size, LedgerEntry.objects.count(), LedgerNode.objects.count())
    with pytest.raises(ActionError):
        start_ex_officio(personas, officers=[personas["zhang"]])
    ledger.refresh_from_db()
    assert (ledger.size, LedgerEntry.objects.count(), LedgerNode.objects.count()) == before


def test_it_signs_checkpoints_consistent_with_the_previous_one(ledger, personas):
    first = Checkpoint.objects.get(ledger=ledger)
    verifier = Ed25519Verifier.from_vkey(keys.public_key(ledger))
    parsed, _ = open_checkpoint(first.note, [verifier], origin=ledger.origin)
    assert parsed.size == ledger.size and parsed.root == bytes(first.root)
    assert checkpoint_create(ledger=ledger) is None  # nothing new
    start_ex_officio(personas)
    second = checkpoint_create(ledger=ledger)
    assert second.size == first.size + 1
    r = client_for("zhang").get(
        f"/api/ledgers/{ledger.agency.credit_code}/proof/consistency?first={first.size}&second={second.size}"
    )
    assert r.status_code == 200
    proof = r.json()
    merkle.verify_consistency(
        "sm3", first.size, second.size, bytes(first.root), bytes(second.root), b64d(proof["proof"])
    )


def test_it_refuses_to_sign_a_tree_inconsistent_with_its_last_checkpoint(ledger):
    from django.db import connection, transaction

    from casetrail.ledger.log import ledger_append

    with connection.cursor() as c:
        if connection.vendor == "sqlite":
            c.execute('DROP TRIGGER "ledger_ledgernode_no_update"')
        else:
            c.execute("SET LOCAL session_replication_role = 'replica'")
        # The biggest perfect subtree: every later root is computed from it.
        top = ledger.size.bit_length() - 1
        c.execute(
            'UPDATE ledger_ledgernode SET hash = %s WHERE ledger_id = %s AND level = %s AND "index" = 0',
            [b"\x01" * 32, ledger.pk, top],
        )
    with transaction.atomic():
        ledger_append(agency=ledger.agency, actor=None, action="test.noop", subject="t", payload={})
    with pytest.raises(ActionError) as err:
        checkpoint_create(ledger=ledger)
    assert err.value.code == "ledger_inconsistent"
    assert Checkpoint.objects.filter(ledger=ledger).count() == 1


def test_it_serves_checkpoint_entry_and_proofs_that_verify_offline(ledger, open_case):
    code = ledger.agency.credit_code
    zhang = client_for("zhang")
    note = zhang.get(f"/api/ledgers/{code}/checkpoint")
    assert note.status_code == 200 and note["Content-Type"].startswith("text/plain")
    vkey = zhang.get(f"/api/ledgers/{code}/key").content.decode().strip()
    checkpoint, _ = open_checkpoint(note.content.decode(), [Ed25519Verifier.from_vkey(vkey)])
    seq = LedgerEntry.objects.filter(case_ref=open_case.pk).order_by("seq").first().seq
    entry = zhang.get(f"/api/ledgers/{code}/entries/{seq}")
    assert entry.status_code == 200
    leaf = merkle.leaf_hash("sm3", entry.content)
    inclusion = zhang.get(
        f"/api/ledgers/{code}/proof/inclusion?index={seq}&size={checkpoint.size}"
    ).json()
    merkle.verify_inclusion(
        "sm3", seq, checkpoint.size, leaf, b64d(inclusion["proof"]), checkpoint.root
    )
    # The tlog-proof download carries everything a court needs besides the entry and the key.
    text = zhang.get(f"/api/ledgers/{code}/entries/{seq}/tlog-proof").content.decode()
    proof = parse_tlog_proof(text)
    assert proof.index == seq
    signed, _ = open_checkpoint(proof.checkpoint, [Ed25519Verifier.from_vkey(vkey)])
    merkle.verify_inclusion("sm3", seq, signed.size, leaf, list(proof.proof), signed.root)


@pytest.mark.parametrize(
    "query, code",
    [
        ("index=5&size=5", "index_not_below_size"),
        ("index=0&size=100000", "size_beyond_log"),
        ("index=x&size=3", "invalid_number"),
        ("index=-1&size=3", "invalid_number"),
        ("size=3", "invalid_number"),
    ],
)
def test_it_answers_400_to_bad_inclusion_requests(ledger, query, code):
    r = client_for("zhang").get(f"/api/ledgers/{ledger.agency.credit_code}/proof/inclusion?{query}")
    assert r.status_code == 400 and r.json()["code"] == code and r.json()["message"]


@pytest.mark.parametrize(
    "query, code",
    [
        ("first=5&second=3", "first_after_second"),
        ("first=1&second=100000", "size_beyond_log"),
        ("first=a&second=3", "invalid_number"),
        ("first=0&second=3", "first_is_zero"),
    ],
)
def test_it_answers_400_to_bad_consistency_requests(ledger, query, code):
    r = client_for("zhang").get(
        f"/api/ledgers/{ledger.agency.credit_code}/proof/consistency?{query}"
    )
    assert r.status_code == 400 and r.json()["code"] == code


def test_it_reads_ledgers_only_for_the_agency_and_entries_under_the_case_rules(
    ledger, open_case, other_agency
):
    code = ledger.agency.credit_code
    seq = LedgerEntry.objects.filter(case_ref=open_case.pk).order_by("seq").first().seq
    assert client_for("ma").get(f"/api/ledgers/{code}/checkpoint").status_code == 404
    assert (
        client_for("ma").get(f"/api/ledgers/{code}/proof/inclusion?index=0&size=1").status_code
        == 404
    )
    from django.test import Client

    assert Client().get(f"/api/ledgers/{code}/checkpoint").status_code == 401
    # 刘档案 works here (proofs are hashes only) but may not read an open case's entry.
    assert (
        client_for("liu").get(f"/api/ledgers/{code}/proof/inclusion?index=0&size=1").status_code
        == 200
    )
    assert client_for("liu").get(f"/api/ledgers/{code}/entries/{seq}").status_code == 404
    assert client_for("sun").get(f"/api/ledgers/{code}/entries/{seq}").status_code == 200


def test_it_links_each_record_to_its_entry_and_proof(ledger, open_case):
    page = client_for("zhang").get(f"/cases/{open_case.pk}/section/timeline/").content.decode()
    seq = LedgerEntry.objects.filter(case_ref=open_case.pk).order_by("seq").first().seq
    url = f"/ledger/{ledger.agency.credit_code}/entries/{seq}/"
    assert url in page
    detail = client_for("zhang").get(url).content.decode()
    assert "已验证" in detail and "tlog-proof" in detail


def test_it_generates_the_key_once_with_0600_and_never_overwrites_it(tmp_path, settings):
    settings.CASETRAIL_KEY_DIR = tmp_path / "keys"
    keys.get_signer.cache_clear()
    try:
        path = keys.ensure_key("casetrail/test/sm3")
        assert oct(path.stat().st_mode & 0o777) == "0o600"
        first = path.read_text()
        keys.ensure_key("casetrail/test/sm3")
        assert path.read_text() == first
        path.write_text("garbage\n")
        keys.get_signer.cache_clear()
        with pytest.raises(keys.KeyError_) as err:
            keys.get_signer("casetrail/test/sm3")
        assert "已损坏" in str(err.value)
        assert path.read_text() == "garbage\n"  # nothing overwritten
        os.remove(path)
        settings.CASETRAIL_KEY_AUTOCREATE = False
        keys.get_signer.cache_clear()
        with pytest.raises(keys.KeyError_) as err:
            keys.get_signer("casetrail/test/sm3")
        assert "找不到" in str(err.value)
    finally:
        keys.get_signer.cache_clear()


def test_it_makes_a_checkpoint_every_n_entries(
    personas, settings, django_capture_on_commit_callbacks
):
    ledger = Ledger.objects.get(agency=personas["zhang"].agency)
    settings.CASETRAIL_CHECKPOINT_EVERY = ledger.size + 1
    with django_capture_on_commit_callbacks(execute=True):
        start_ex_officio(personas)
    assert Checkpoint.objects.filter(ledger=ledger).count() == 1


def test_the_checkpoint_command_signs_on_demand(personas, capsys):
    call_command("checkpoint")
    out = capsys.readouterr().out
    assert "检查点 大小" in out and "验证公钥：casetrail/11140524MB1234567J/sm3+" in out
    call_command("checkpoint")
    assert "无需签发" in capsys.readouterr().out


def test_supervisors_run_a_verification_report(ledger, django_capture_on_commit_callbacks):
    sun = client_for("sun")
    assert client_for("zhang").get("/verification/").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        r = sun.post("/verification/")
    assert r.status_code == 302
    run = VerificationRun.objects.get()
    assert (
        run.status == "done" and run.findings == [] and run.summary.startswith("verify: 0 findings")
    )
    page = sun.get(f"/verification/{run.pk}/").content.decode()
    assert "完整" in page and "100%" in page
    actions = list(
        LedgerEntry.objects.filter(ledger=ledger)
        .order_by("-seq")
        .values_list("action", flat=True)[:2]
    )
    assert actions == ["ledger.verified", "ledger.verify_requested"]


def test_a_crashed_verification_says_why_on_its_report(ledger, personas, monkeypatch):
    from casetrail.ledger import tasks
    from casetrail.ledger.actions import verification_request
    from casetrail.ledger.tasks import run_verification

    def broken(**kwargs):
        raise RuntimeError("磁盘不可读")

    monkeypatch.setattr(tasks, "verify", broken)
    run = verification_request(officer=personas["sun"])
    with pytest.raises(RuntimeError):
        run_verification.call(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == "failed" and "磁盘不可读" in run.summary


def test_entries_carry_personal_data_only_for_those_who_may_see_it(ledger, open_case):
    code = ledger.agency.credit_code
    seq = LedgerEntry.objects.filter(case_ref=open_case.pk).order_by("seq").first().seq
    # 王审核 reviewed the start, so he reads the case — with the party's data masked.
    assert client_for("wang").get(f"/cases/{open_case.pk}/").status_code == 200
    assert client_for("wang").get(f"/api/ledgers/{code}/entries/{seq}").status_code == 404
    page = client_for("wang").get(f"/ledger/{code}/entries/{seq}/").content.decode()
    assert "110101199003074514" not in page and "1101**********4514" in page
    assert "下载条目原文" not in page and "已验证" in page
    raw = client_for("zhang").get(f"/api/ledgers/{code}/entries/{seq}")
    assert raw.status_code == 200 and "110101199003074514" in raw.content.decode()
