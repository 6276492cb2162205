"""Witnesses (issue 14 §1): a real `casetrail witness` process on 127.0.0.1 (a free port) cosigns the
agency's checkpoints per C2SP tlog-witness / tlog-cosignature; a witness that is down never blocks
recording; the spec's status codes; forged or unconfigured cosignatures are found by `verify`."""

from __future__ import annotations

import base64
import http.client
import socket
import subprocess
import sys
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import pytest

from casetrail.conftest import start_ex_officio
from casetrail.ledger import keys
from casetrail.ledger.checkpoints import checkpoint_create, cosign_pending
from casetrail.ledger.log import origin_for
from casetrail.ledger.models import Checkpoint, Cosignature, Ledger
from casetrail.ledger.tests.test_tamper import sql
from casetrail.ledger.verify import verify
from casetrail.ledger.witness_server import add_log_key
from casetrail.ledger.witnesses import is_witnessed, latest_witnessed, unwitnessed_for
from casetrail.lib.cosignature import (
    CosignatureSigner,
    CosignatureVerifier,
    cosigned_message,
    format_add_checkpoint,
    parse_add_checkpoint,
)
from casetrail.lib.signed_note import Checkpoint as CheckpointText
from casetrail.lib.signed_note import Ed25519Signer, open_note, parse_note, sign_checkpoint


@dataclass
class RunningWitness:
    url: str
    vkey: str
    state: Path
    process: subprocess.Popen[str]

    def post(self, body: str) -> tuple[int, str, str]:
        return _http(self.url, "POST", "/add-checkpoint", body.encode())


def _http(url: str, method: str, path: str, body: bytes | None = None) -> tuple[int, str, str]:
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.netloc, timeout=10)
    try:
        conn.request(method, path, body=body)
        response = conn.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read().decode()
    finally:
        conn.close()


def start_witness(state: Path, log_vkeys: list[str], *extra: str) -> RunningWitness:
    for vkey in log_vkeys:
        add_log_key(state, vkey)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "casetrail.ledger.witness_server",
            "--state",
            str(state),
            "--name",
            "witness.test/w1",
            "--listen",
            "127.0.0.1:0",
            *extra,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    url = process.stdout.readline().split()[-1]
    vkey = process.stdout.readline().split()[-1]
    return RunningWitness(url, vkey, state, process)


@pytest.fixture
def witness(personas, tmp_path, settings):
    """A witness that knows the demo agency's log key, configured as the agency's only witness."""
    agency = personas["zhang"].agency
    origin = origin_for(agency, Ledger.objects.get(agency=agency).hash_name)
    running = start_witness(tmp_path / "witness", [keys.get_signer(origin).vkey()])  # type: ignore[attr-defined]
    settings.CASETRAIL_WITNESSES = [f"{running.url} {running.vkey}"]
    yield running
    running.process.terminate()
    running.process.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_it_gets_each_checkpoint_cosigned_by_a_real_witness(witness, open_case, personas):
    ledger = Ledger.objects.get(agency=open_case.agency)
    first = checkpoint_create(ledger=ledger)
    assert is_witnessed(first)
    cosig = Cosignature.objects.get(checkpoint=first)
    assert cosig.witness == "witness.test/w1" and cosig.line.startswith("\u2014 witness.test/w1 ")
    # The cosignature is an Ed25519 cosignature/v1 over the checkpoint text.
    text, _ = parse_note(first.note)
    verifier = CosignatureVerifier.from_vkey(witness.vkey)
    assert open_note(text + "\n" + cosig.line, [verifier])[1][0].name == "witness.test/w1"
    # The next one travels with a consistency proof from the size the witness holds.
    start_ex_officio(personas)
    second = checkpoint_create(ledger=ledger)
    assert is_witnessed(second) and second.size > first.size
    held = latest_witnessed(ledger)
    assert held is not None and (held.size, held.root) == (second.size, bytes(second.root))
    report = verify()
    assert report.intact and not report.notes, (report.findings, report.notes)


def test_it_keeps_recording_when_the_witness_is_down_and_retries(
    witness, open_case, personas, settings
):
    settings.CASETRAIL_WITNESSES = [f"http://127.0.0.1:{free_port()} {witness.vkey}"]
    ledger = Ledger.objects.get(agency=open_case.agency)
    checkpoint = checkpoint_create(ledger=ledger)
    assert checkpoint is not None and not is_witnessed(checkpoint)
    hours = unwitnessed_for(ledger)
    assert hours is not None and hours >= 0
    report = verify()
    assert report.intact and any("无法访问" in note for note in report.notes), report.notes
    settings.CASETRAIL_WITNESSES = [f"{witness.url} {witness.vkey}"]
    assert cosign_pending() == 1
    assert is_witnessed(Checkpoint.objects.get(pk=checkpoint.pk))
    assert unwitnessed_for(ledger) is None


def test_it_answers_with_the_status_codes_of_the_spec(witness, open_case):
    ledger = Ledger.objects.get(agency=open_case.agency)
    first = checkpoint_create(ledger=ledger)  # the witness now holds this size
    signer = keys.get_signer(ledger.origin)
    root = bytes(first.root)

    def note(size: int, signers: list = [signer], origin: str = ledger.origin) -> str:  # noqa: B006
        return sign_checkpoint(CheckpointText(origin, size, root), signers)

    status, _, _ = witness.post("old 0\nnot base64!\n\n" + first.note)
    assert status == 400  # malformed
    status, _, _ = witness.post(format_add_checkpoint(first.size + 5, [], first.note))
    assert status == 400  # old size above the checkpoint's
    stranger = Ed25519Signer.generate("casetrail/unknown/sm3")
    status, _, _ = witness.post(
        format_add_checkpoint(0, [], note(1, [stranger], "casetrail/unknown/sm3"))
    )
    assert status == 404  # unknown origin
    intruder = Ed25519Signer.generate(ledger.origin)
    status, _, _ = witness.post(format_add_checkpoint(first.size, [], note(first.size, [intruder])))
    assert status == 403  # no signature by a configured log key
    status, ctype, body = witness.post(format_add_checkpoint(0, [], first.note))
    assert (status, ctype.split(";")[0], body) == (409, "text/x.tlog.size", f"{first.size}\n")
    status, _, _ = witness.post(
        format_add_checkpoint(first.size, [b"\x00" * 32], note(first.size + 1))
    )
    assert status == 422  # the consistency proof does not verify
    forked = sign_checkpoint(CheckpointText(ledger.origin, first.size, b"\x01" * 32), [signer])
    status, ctype, body = witness.post(format_add_checkpoint(first.size, [], forked))
    assert (status, body) == (409, f"{first.size}\n")  # same size, another root: a fork
    status, _, line = witness.post(format_add_checkpoint(first.size, [], first.note))
    assert status == 200 and line.startswith("\u2014 witness.test/w1 ")


def test_it_reads_the_spec_example_request_body():
    body = (
        "old 20852014\n"
        "PlRNCrwHpqhGrupue0L7gxbjbMiKA9temvuZZDDpkaw=\n"
        "jrJZDmY8Y7SyJE0MWLpLozkIVMSMZcD5kvuKxPC3swk=\n"
        "5+pKlUdi2LeF/BcMHBn+Ku6yhPGNCswZZD1X/6QgPd8=\n"
        "/6WVhPs2CwSsb5rYBH5cjHV/wSmA79abXAwhXw3Kj/0=\n"
        "\n"
        "example.com/behind-the-sofa\n"
        "20852163\n"
        "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
        "\n"
        "\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n"
    )
    request = parse_add_checkpoint(body.encode())
    assert request.old_size == 20852014 and len(request.proof) == 4
    assert all(len(h) == 32 for h in request.proof)
    text, signatures = parse_note(request.note)
    assert text.startswith("example.com/behind-the-sofa\n20852163\n")
    assert signatures[0].name == "example.com/behind-the-sofa"
    assert format_add_checkpoint(request.old_size, request.proof, request.note) == body


def test_it_signs_the_cosignature_v1_message_of_the_spec():
    # c2sp.org/tlog-cosignature: the signed message is the header, the time line, then the note.
    text = b"example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
    assert cosigned_message(1679315147, text) == b"cosignature/v1\ntime 1679315147\n" + text
    signer = CosignatureSigner.generate("witness.example.com/w1")
    signature = signer.sign(text)
    assert len(signature) == 8 + 64
    verifier = CosignatureVerifier.from_vkey(signer.vkey())
    assert verifier.verify(text, signature) and not verifier.verify(text + b"x", signature)
    # Key ID: SHA-256(name || "\n" || 0x04 || key)[:4] — so not the Ed25519 (0x01) key ID.
    raw = base64.b64decode(signer.vkey().split("+", 2)[2])
    assert raw[0] == 0x04
    assert CosignatureSigner.from_skey(signer.skey()).vkey() == signer.vkey()


@pytest.mark.behind_the_application
def test_it_finds_a_forged_cosignature_and_an_unconfigured_witness(witness, open_case, settings):
    ledger = Ledger.objects.get(agency=open_case.agency)
    checkpoint = checkpoint_create(ledger=ledger)
    cosig = Cosignature.objects.get(checkpoint=checkpoint)
    payload = bytearray(base64.b64decode(cosig.line.split()[-1]))
    payload[-1] ^= 1
    forged = f"\u2014 {cosig.witness} {base64.b64encode(bytes(payload)).decode()}\n"
    sql(
        "UPDATE ledger_cosignature SET line = %s WHERE id = %s",
        [forged, cosig.pk],
        table="ledger_cosignature",
    )
    found = verify().findings
    assert any("cosignature by witness.test/w1 invalid" in line for line in found), found
    other = CosignatureSigner.generate("witness.test/w1")
    settings.CASETRAIL_WITNESSES = [f"{witness.url} {other.vkey()}"]
    found = verify().findings
    assert any("not a configured witness" in line for line in found), found
