"""The offline verifier `casetrail-verify` (issue 13 §6) against packages built from the server's
ledger: a small BagIt bag holding evidence bytes and the ledger extract, checked genuine and after
tampering (a changed byte, a removed file, a swapped proof, a forged checkpoint, a forged
cosignature, a redaction without its original), SHA-256 and SM3 logs, the pure-Python SM3, an
RFC 3161 token, and the package installed into a fresh virtual environment."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from django.db import transaction

from casetrail.ledger.extract import write_ledger_extract
from casetrail.ledger.keys import public_key
from casetrail.ledger.log import ledger_append
from casetrail.ledger.models import Ledger, LedgerEntry
from casetrail.ledger.tests.test_tsa import tsa, tsa_url  # noqa: F401 - fixtures
from casetrail.ledger.witnesses import WitnessConfig, store_cosignature
from casetrail.lib.cosignature import CosignatureSigner
from casetrail.lib.signed_note import Ed25519Signer, parse_note, sign_note
from casetrail_verify import cli, digests

# Other processes (a server, workers) keep the real clock: so does this test process.
pytestmark = pytest.mark.real_clock

VERIFIER = Path(__file__).resolve().parents[3] / "verifier"


@pytest.fixture(autouse=True)
def _server_sm3_stays_strict(monkeypatch):
    """The CLI allows the pure-Python SM3 for the process; in the server's test process that switch
    is put back after each test (the server refuses to run without OpenSSL's SM3)."""
    monkeypatch.setattr(digests, "_PURE_SM3", False)


def make_bag(root: Path, payload: dict[str, bytes]) -> None:
    """A BagIt 1.0 bag (RFC 8493) with SHA-256 and SM3 payload and tag manifests, written by hand
    so the test depends on nothing the verifier does."""
    for relative, data in payload.items():
        (root / "data" / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / "data" / relative).write_bytes(data)
    files = sorted(
        p.relative_to(root).as_posix() for p in (root / "data").rglob("*") if p.is_file()
    )
    (root / "bagit.txt").write_text("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
    size = sum((root / f).stat().st_size for f in files)
    (root / "bag-info.txt").write_text(f"Payload-Oxum: {size}.{len(files)}\n")
    for alg in ("sha256", "sm3"):
        lines = [f"{hashlib.new(alg, (root / f).read_bytes()).hexdigest()}  {f}\n" for f in files]
        (root / f"manifest-{alg}.txt").write_text("".join(lines))
    tags = ["bagit.txt", "bag-info.txt", "manifest-sha256.txt", "manifest-sm3.txt"]
    lines = [f"{hashlib.sha256((root / t).read_bytes()).hexdigest()}  {t}\n" for t in tags]
    (root / "tagmanifest-sha256.txt").write_text("".join(lines))


def rebag(root: Path) -> None:
    """Recompute the manifests after a change inside the ledger extract, as a forger would, so
    only the ledger checks can find it."""
    payload = {
        p.relative_to(root / "data").as_posix(): p.read_bytes()
        for p in (root / "data").rglob("*")
        if p.is_file()
    }
    shutil.rmtree(root)
    make_bag(root, payload)


def run(root: Path, *args: str) -> tuple[int, dict]:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = cli.main([str(root), "--json", *args])
    return status, json.loads(out.getvalue())


def codes(report: dict) -> set[str]:
    return {f["code"] for f in report["findings"]}


MEDIA = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 8


def record_media(ledger: Ledger, data: bytes, **extra: str) -> LedgerEntry:
    """An entry recording a file's digests, as the evidence app's upload entries do."""
    row = {
        "table": "evidence.Item",
        "id": 1,
        "sha256": hashlib.sha256(data).hexdigest(),
        "sm3": hashlib.new("sm3", data).hexdigest(),
        **extra,
    }
    with transaction.atomic():
        return ledger_append(
            agency=ledger.agency_id,
            actor=None,
            action="evidence.test",
            subject=f"evidence.Item:{len(data)}",
            payload={"rows": [row]},
        )


@pytest.fixture
def package(open_case, tmp_path):
    ledger = Ledger.objects.get(agency=open_case.agency)
    media = record_media(ledger, MEDIA)
    entries = [*LedgerEntry.objects.filter(ledger=ledger, case_ref=open_case.pk), media]
    root = tmp_path / "bag"
    make_bag(root, {"media/video.mp4": MEDIA})
    write_ledger_extract(ledger=ledger, entries=entries, dest=root / "data" / "ledger")
    rebag(root)
    return root


def test_it_passes_a_genuine_package_and_names_each_check(package):
    status, report = run(package)
    assert status == 0, report["findings"]
    assert report["ok"] and report["entries"] >= 3
    text = "\n".join(report["passed"])
    assert "SHA-256、SM3 摘要全部相符" in text
    assert "Ed25519 签名有效" in text and "包含证明全部成立" in text
    assert "1 个文件的摘要记录在所附日志条目中" in text
    assert any("请与执法机关公布的公钥核对" in n for n in report["notes"])


def test_it_prints_a_chinese_report_and_fails_with_a_non_zero_status(package, capsys):
    assert cli.main([str(package)]) == 0
    assert "结论：核验通过" in capsys.readouterr().out
    (package / "data/media/video.mp4").write_bytes(MEDIA[:-1] + b"\x00")
    assert cli.main([str(package)]) == 1
    out = capsys.readouterr().out
    assert "✗ 文件 data/media/video.mp4 的 SHA-256、SM3 与清单不符：内容被改动" in out
    assert "结论：核验未通过" in out


def test_it_finds_a_changed_byte_and_a_removed_file(package):
    entry = next((package / "data/ledger/entries").glob("*.json"))
    entry.write_bytes(entry.read_bytes().replace(b'"seq"', b'"seq" '))
    status, report = run(package)
    assert status == 1 and "file_changed" in codes(report)
    os.remove(package / "data/media/video.mp4")
    status, report = run(package)
    assert {"file_missing", "file_changed"} <= codes(report)


def test_it_finds_a_changed_entry_even_when_the_manifests_were_redone(package):
    entry = sorted((package / "data/ledger/entries").glob("*.json"))[0]
    entry.write_bytes(entry.read_bytes().replace(b'"time":"', b'"time":"1'))
    rebag(package)
    status, report = run(package)
    assert status == 1 and codes(report) == {"inclusion_failed"}


def test_it_finds_a_swapped_proof(package):
    proofs = sorted((package / "data/ledger/proofs").glob("*.tlog-proof"))
    a, b = proofs[0].read_bytes(), proofs[1].read_bytes()
    proofs[0].write_bytes(b)
    proofs[1].write_bytes(a)
    rebag(package)
    status, report = run(package)
    assert status == 1 and codes(report) <= {"inclusion_failed", "entry_mismatch"}
    assert len(report["findings"]) == 2


def test_it_finds_a_forged_checkpoint(package, open_case):
    ledger = Ledger.objects.get(agency=open_case.agency)
    pinned = public_key(ledger)
    path = package / "data/ledger/checkpoint"
    text, _ = parse_note(path.read_text())
    origin, size, root = text.splitlines()[:3]
    forged_root = base64.b64encode(bytes(32)).decode()
    forged_text = f"{origin}\n{size}\n{forged_root}\n"
    # (1) the root changed under the genuine signature line
    genuine = path.read_text()
    path.write_text(genuine.replace(root, forged_root))
    rebag(package)
    status, report = run(package)
    assert status == 1 and "checkpoint_forged" in codes(report)
    # (2) re-signed by another key under the log's name, its key shipped in the package: the
    # package alone agrees with itself, the agency's published key does not.
    forger = Ed25519Signer.generate(origin)
    path.write_text(sign_note(forged_text, [forger]))
    (package / "data/ledger/keys").write_text(forger.vkey() + "\n")
    rebag(package)
    status, report = run(package, "--key", pinned)
    assert status == 1 and "checkpoint_unsigned" in codes(report)


def test_it_checks_the_witnesses_cosignatures(open_case, settings, tmp_path):
    ledger = Ledger.objects.get(agency=open_case.agency)
    signer = CosignatureSigner.generate("witness.test/w1")
    settings.CASETRAIL_WITNESSES = [f"http://127.0.0.1:9 {signer.vkey()}"]
    from casetrail.ledger.checkpoints import checkpoint_create

    checkpoint = checkpoint_create(ledger=ledger)
    text, _ = parse_note(checkpoint.note)
    line = sign_note(text, [signer]).split("\n\n", 1)[1]
    store_cosignature(checkpoint, WitnessConfig("http://127.0.0.1:9", signer.verifier()), line)
    root = tmp_path / "bag"
    make_bag(root, {"note.txt": b"x"})
    write_ledger_extract(ledger=ledger, entries=[0, 1], dest=root / "data" / "ledger")
    rebag(root)
    status, report = run(root)
    assert status == 0, report["findings"]
    assert any("见证方 witness.test/w1 的副署有效" in p for p in report["passed"])
    note = root / "data/ledger/checkpoint"
    cosig = note.read_text().splitlines()[-1]
    name, sig = cosig.rsplit(" ", 1)
    raw = bytearray(base64.b64decode(sig))
    raw[-1] ^= 1
    note.write_text(note.read_text().replace(cosig, f"{name} {base64.b64encode(raw).decode()}"))
    rebag(root)
    status, report = run(root)
    assert status == 1 and "cosignature_forged" in codes(report)


def test_it_checks_a_redaction_against_its_originals_entry(open_case, tmp_path):
    ledger = Ledger.objects.get(agency=open_case.agency)
    original = record_media(ledger, MEDIA)
    redacted_bytes = MEDIA[:100] + bytes(50) + MEDIA[150:]
    redaction = record_media(
        ledger, redacted_bytes, original_sha256=hashlib.sha256(MEDIA).hexdigest()
    )
    root = tmp_path / "bag"
    make_bag(root, {"media/redacted.mp4": redacted_bytes})
    write_ledger_extract(ledger=ledger, entries=[original, redaction], dest=root / "data/ledger")
    rebag(root)
    status, report = run(root)
    assert status == 0, report["findings"]
    assert any(f"日志条目 #{original.seq}" in p for p in report["passed"])
    # Without the original's entry the redaction cannot be traced.
    shutil.rmtree(root)
    make_bag(root, {"media/redacted.mp4": redacted_bytes})
    write_ledger_extract(ledger=ledger, entries=[redaction], dest=root / "data/ledger")
    rebag(root)
    status, report = run(root)
    assert status == 1 and codes(report) == {"redaction_original_missing"}


def test_it_checks_a_sha256_log_and_falls_back_to_pure_python_sm3(
    request, settings, tmp_path, monkeypatch
):
    settings.CASETRAIL_LEDGER_HASH = "sha256"
    case = request.getfixturevalue("open_case")
    ledger = Ledger.objects.get(agency=case.agency)
    assert ledger.origin.endswith("/sha256")
    root = tmp_path / "bag"
    make_bag(root, {"a.txt": b"abc"})
    write_ledger_extract(
        ledger=ledger, entries=LedgerEntry.objects.filter(ledger=ledger), dest=root / "data/l"
    )
    rebag(root)
    real_new = hashlib.new

    def no_sm3(name: str, data: bytes = b"", **kwargs: object) -> object:
        if name.lower() == "sm3":
            raise ValueError("unsupported hash type sm3")
        return real_new(name, data, **kwargs)

    monkeypatch.setattr(hashlib, "new", no_sm3)
    status, report = run(root)
    assert status == 0, report["findings"]
    assert any("，SHA-256）的 Ed25519 签名有效" in p for p in report["passed"])


def test_it_checks_the_rfc3161_token(open_case, tsa, tsa_url, tmp_path):  # noqa: F811
    ledger = Ledger.objects.get(agency=open_case.agency)
    root = tmp_path / "bag"
    make_bag(root, {"a.txt": b"abc"})
    write_ledger_extract(ledger=ledger, entries=[0], dest=root / "data/ledger")
    rebag(root)
    status, report = run(root, "--tsa-ca", str(tsa.cert))
    assert status == 0, report["findings"]
    assert any("RFC 3161 时间戳有效" in p for p in report["passed"])
    token = root / "data/ledger/checkpoint.tsr"
    data = bytearray(token.read_bytes())
    data[-10] ^= 1  # inside the signature
    token.write_bytes(bytes(data))
    rebag(root)
    status, report = run(root, "--tsa-ca", str(tsa.cert))
    assert status == 1 and "timestamp_invalid" in codes(report)


def _wheels(tmp_path: Path) -> Path:
    """The verifier's wheel and its dependencies' wheels, from the configured index (a local
    mirror here); the test is skipped when the index cannot be reached."""
    wheels = tmp_path / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(VERIFIER)],
        capture_output=True,
        text=True,
    )
    deps = subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "-d", str(wheels), "cryptography==50.0.2"],
        capture_output=True,
        text=True,
    )
    if build.returncode or deps.returncode:
        pytest.skip(f"no package index reachable: {build.stderr[-300:]}{deps.stderr[-300:]}")
    return wheels


def test_it_installs_into_a_fresh_venv_with_only_its_own_dependencies(package, tmp_path):
    wheels = _wheels(tmp_path)
    env_dir = tmp_path / "court-laptop"
    venv.create(env_dir, with_pip=True)
    bindir = env_dir / "bin"
    subprocess.run(
        [bindir / "pip", "install", "-q", "--no-index", "--find-links", wheels, "casetrail-verify"],
        check=True,
    )
    frozen = subprocess.run(
        [bindir / "pip", "freeze"], capture_output=True, text=True, check=True
    ).stdout
    names = {line.split("==")[0].lower() for line in frozen.split()}
    assert names == {"casetrail-verify", "cryptography", "cffi", "pycparser"}
    done = subprocess.run(
        [bindir / "casetrail-verify", str(package)],
        capture_output=True,
        text=True,
        env={"PATH": str(bindir), "LANG": "C.UTF-8"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "结论：核验通过" in done.stdout
    (package / "data/media/video.mp4").write_bytes(b"changed")
    done = subprocess.run(
        [bindir / "casetrail-verify", str(package), "--json"],
        capture_output=True,
        text=True,
        env={"PATH": str(bindir), "LANG": "C.UTF-8"},
    )
    assert done.returncode == 1 and json.loads(done.stdout)["ok"] is False
