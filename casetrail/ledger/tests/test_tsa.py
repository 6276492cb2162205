"""RFC 3161 timestamps over checkpoints, against a local TSA the test starts (OpenSSL's `ts`
answering over HTTP on 127.0.0.1 with a throw-away TSA certificate)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from casetrail.ledger.checkpoints import checkpoint_create
from casetrail.ledger.models import Checkpoint, Ledger
from casetrail.ledger.tsa import TimestampError, check_token
from casetrail.ledger.verify import verify

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="openssl not installed")

CONFIG = """
[ tsa ]
default_tsa = casetrail_test
[ casetrail_test ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.crt
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def _make_tsa(directory: Path) -> Path:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CaseTrail test TSA")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    (directory / "tsa.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (directory / "tsa.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (directory / "serial").write_text("01\n")
    config = directory / "tsa.cnf"
    config.write_text(CONFIG.format(dir=directory))
    return config


@dataclass
class TSA:
    url: str
    cert: Path


@contextmanager
def _running_tsa() -> Iterator[TSA]:
    directory = Path(tempfile.mkdtemp())
    config = _make_tsa(directory)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            with lock, tempfile.TemporaryDirectory() as work:
                query, reply = Path(work) / "q.tsq", Path(work) / "r.tsr"
                query.write_bytes(body)
                subprocess.run(
                    [
                        "openssl",
                        "ts",
                        "-reply",
                        "-config",
                        str(config),
                        "-queryfile",
                        str(query),
                        "-out",
                        str(reply),
                    ],
                    check=True,
                    capture_output=True,
                )
                data = reply.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield TSA(f"http://127.0.0.1:{server.server_address[1]}/", directory / "tsa.crt")
    finally:
        server.shutdown()
        shutil.rmtree(directory)


@pytest.fixture(scope="module")
def tsa() -> Iterator[TSA]:
    with _running_tsa() as running:
        yield running


@pytest.fixture
def tsa_url(tsa, settings):
    """The local TSA configured as the agency's, its certificate as the root to check against."""
    settings.CASETRAIL_TSA_URL = tsa.url
    settings.CASETRAIL_TSA_CA = str(tsa.cert)
    return tsa.url


def test_it_timestamps_each_checkpoint_and_verify_checks_it(open_case, settings, tsa_url):
    ledger = Ledger.objects.get(agency=open_case.agency)
    cp = checkpoint_create(ledger=ledger)
    assert cp.timestamp_token and check_token(bytes(cp.timestamp_token), cp.note.encode()) is None
    assert check_token(bytes(cp.timestamp_token), b"another note") == (
        "timestamp token is over different data"
    )
    assert verify().intact


def test_it_refuses_to_store_a_checkpoint_when_the_tsa_is_down(open_case, settings):
    settings.CASETRAIL_TSA_URL = "http://127.0.0.1:9/"  # discard port: nothing listens
    ledger = Ledger.objects.get(agency=open_case.agency)
    with pytest.raises(TimestampError) as err:
        checkpoint_create(ledger=ledger)
    assert "无法访问" in str(err.value)
    assert not Checkpoint.objects.filter(ledger=ledger).exists()


def test_it_serves_the_token_that_openssl_ts_verify_accepts(open_case, tsa, tsa_url, tmp_path):
    from django.test import Client

    ledger = Ledger.objects.get(agency=open_case.agency)
    cp = checkpoint_create(ledger=ledger)
    r = Client().get(f"/api/public/ledgers/{ledger.agency.credit_code}/checkpoints/{cp.size}/tsr")
    assert r.status_code == 200 and r["Content-Type"] == "application/timestamp-reply"
    (tmp_path / "note").write_bytes(cp.note.encode())
    (tmp_path / "token.tsr").write_bytes(r.content)
    result = subprocess.run(
        [
            "openssl",
            "ts",
            "-verify",
            "-data",
            str(tmp_path / "note"),
            "-in",
            str(tmp_path / "token.tsr"),
            "-CAfile",
            str(tsa.cert),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0 and "Verification: OK" in result.stdout, result.stderr


def test_it_refuses_a_token_from_an_unrelated_tsa(open_case, personas, settings, tsa_url):
    from casetrail.conftest import start_ex_officio

    ledger = Ledger.objects.get(agency=open_case.agency)
    cp = checkpoint_create(ledger=ledger)
    token, note = bytes(cp.timestamp_token), cp.note.encode()
    with _running_tsa() as other:
        # The configuration names another TSA: this token does not chain to its certificate.
        settings.CASETRAIL_TSA_CA = str(other.cert)
        problem = check_token(token, note, at=cp.created_at)
        assert problem and problem.startswith("timestamp token not by the configured TSA"), problem
        assert any("timestamp token not by the configured TSA" in f for f in verify().findings)
        # A TSA answering with tokens the configured certificate did not sign: nothing is stored.
        start_ex_officio(personas)
        with pytest.raises(TimestampError, match="未通过核验"):
            checkpoint_create(ledger=ledger)
    assert Checkpoint.objects.filter(ledger=ledger).count() == 1


def test_it_refuses_a_wrong_policy_and_a_changed_time(open_case, settings, tsa_url):
    ledger = Ledger.objects.get(agency=open_case.agency)
    cp = checkpoint_create(ledger=ledger)
    token, note = bytes(cp.timestamp_token), cp.note.encode()
    settings.CASETRAIL_TSA_POLICY = "1.2.3.4.1"
    assert check_token(token, note, at=cp.created_at) is None
    settings.CASETRAIL_TSA_POLICY = "1.2.3.4.2"
    assert "Policy ID mismatch" in (check_token(token, note, at=cp.created_at) or "")
    settings.CASETRAIL_TSA_POLICY = ""
    later = cp.created_at + dt.timedelta(hours=2)
    assert "is not the checkpoint's time" in (check_token(token, note, at=later) or "")


def test_it_names_the_missing_tsa_certificate(open_case, settings, tsa_url):
    ledger = Ledger.objects.get(agency=open_case.agency)
    cp = checkpoint_create(ledger=ledger)
    settings.CASETRAIL_TSA_CA = ""
    assert check_token(bytes(cp.timestamp_token), cp.note.encode()) == (
        "no TSA certificate configured (CASETRAIL_TSA_CA) to check the timestamp token"
    )


@pytest.mark.parametrize("token", ["valid", "missing", "unrelated"])
def test_it_gets_a_checkpoint_cosigned_only_with_a_timestamp_the_witness_accepts(
    open_case, settings, tsa, tsa_url, tmp_path, token
):
    """A witness run with --tsa-ca checks the agency's RFC 3161 token too (issue 14 §6)."""
    from casetrail.ledger import keys
    from casetrail.ledger.log import origin_for
    from casetrail.ledger.tests.test_witness import start_witness
    from casetrail.ledger.witnesses import is_witnessed

    ledger = Ledger.objects.get(agency=open_case.agency)
    vkey = keys.get_signer(origin_for(open_case.agency, ledger.hash_name)).vkey()  # type: ignore[attr-defined]
    with _running_tsa() as other:
        ca = other.cert if token == "unrelated" else tsa.cert
        running = start_witness(tmp_path / "w", [vkey], "--tsa-ca", str(ca))
        try:
            settings.CASETRAIL_WITNESSES = [f"{running.url} {running.vkey}"]
            if token == "missing":
                settings.CASETRAIL_TSA_URL = ""
            checkpoint = checkpoint_create(ledger=ledger)
        finally:
            running.process.terminate()
            running.process.wait()
    assert is_witnessed(checkpoint) == (token == "valid")
