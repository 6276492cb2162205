"""`casetrail witness`: a C2SP tlog-witness (c2sp.org/tlog-witness), its own process, state and key.

Run by another body (司法局, the archive), it keeps the latest checkpoint it cosigned for each log
it knows and cosigns a new one only when a consistency proof links the two, so the agency can no
longer rewrite, truncate or roll back its log without every witness noticing.

State folder (nothing else is read or written; no database, no Django):

* ``witness.skey`` / ``witness.vkey`` — the cosigning key (Ed25519 ``cosignature/v1``, type 0x04),
  created on first start with 0600 permissions, never overwritten.
* ``logs`` — the logs this witness serves, one verifier key per line (``origin+keyid+base64``; the
  key name is the log's origin line). Re-read when it changes; several keys per origin allowed.
* ``checkpoints/<sha256(origin)>`` — the latest cosigned checkpoint with this witness's cosignature,
  replaced atomically (write, fsync, rename) under one lock before the answer is sent.

HTTP:

* ``POST /add-checkpoint`` — 200 with the cosignature line; 400 malformed or old size above the
  checkpoint's; 403 no signature by a configured log key; 404 unknown origin; 409 (body: the size
  it knows, ``text/x.tlog.size``) stale old size or same size with another root; 422 the proof
  does not verify.
* ``--tsa-ca PEM`` [``--tsa-policy OID``] — also check the agency's RFC 3161 token over each
  checkpoint, sent beside add-checkpoint in the ``Casetrail-Timestamp`` header (base64 DER): a
  checkpoint without a valid one is refused with 422.
* ``--forget-log <origin>`` (command line only, ``forget_log``) — after an approved recovery the
  operator sets a log's checkpoint aside (``checkpoints/<…>.forgotten-<time>``).
* ``GET /latest?origin=<origin>`` — the latest cosigned checkpoint (monitoring read, not in the
  spec): what `casetrail verify` compares the local log with.

The tree hash follows the origin's last path element (``…/sm3`` → SM3, otherwise SHA-256, RFC 6962).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import os
import sys
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from casetrail.ledger.tsa import load_certificates, verify_token
from casetrail.lib import merkle
from casetrail.lib.cosignature import CosignatureSigner, parse_add_checkpoint
from casetrail.lib.signed_note import (
    Ed25519Verifier,
    MalformedNoteError,
    NoteError,
    UnverifiedNoteError,
    open_note,
    parse_checkpoint,
    parse_note,
    sign_note,
)

SKEY = "witness.skey"
VKEY = "witness.vkey"
LOGS = "logs"


def hash_of_origin(origin: str) -> str:
    return "sm3" if origin.rsplit("/", 1)[-1] == "sm3" else "sha256"


class WitnessError(Exception):
    def __init__(self, status: int, message: str, *, body: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = body


def ensure_witness_key(state: Path, name: str) -> CosignatureSigner:
    """Load the cosigning key, creating it (0600, O_EXCL) on first start."""
    state.mkdir(parents=True, exist_ok=True)
    path = state / SKEY
    if not path.exists():
        signer = CosignatureSigner.generate(name)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(signer.skey() + "\n")
            (state / VKEY).write_text(signer.vkey() + "\n")
    return CosignatureSigner.from_skey(path.read_text())


def add_log_key(state: Path, vkey: str) -> bool:
    """Register a log's verifier key with this witness (idempotent). True when it was new."""
    Ed25519Verifier.from_vkey(vkey)  # refuse a malformed key before writing it
    state.mkdir(parents=True, exist_ok=True)
    path = state / LOGS
    known = path.read_text().split() if path.exists() else []
    if vkey in known:
        return False
    with path.open("a") as f:
        f.write(vkey + "\n")
    return True


def forget_log(state: Path, origin: str) -> Path | None:
    """The witness operator's step after an agency's approved recovery (a restore older than what
    this witness cosigned, casetrail.ops): set the log's latest checkpoint aside (renamed, never
    deleted) so the next consistent history is accepted. Returns where it was kept, or None when
    this witness holds nothing for ``origin``. Done by hand, never over HTTP: the witness decides
    it, having seen the recovery and its approval."""
    path = state / "checkpoints" / hashlib.sha256(origin.encode("utf-8")).hexdigest()
    if not path.exists():
        return None
    kept = path.with_name(f"{path.name}.forgotten-{int(time.time())}")
    os.replace(path, kept)
    return kept


# Not in the C2SP protocol: the checkpoint's RFC 3161 token (DER TimeStampResp, base64) beside
# add-checkpoint, for a witness that also checks the agency's timestamps (issue 14 §6).
TIMESTAMP_HEADER = "Casetrail-Timestamp"


@dataclass(frozen=True)
class TimestampPolicy:
    """What a witness run with ``--tsa-ca`` accepts: tokens over the checkpoint note chaining to
    ``roots`` (and with ``policy`` when given), not from the future."""

    roots: tuple[Any, ...]
    policy: str | None = None
    max_skew: dt.timedelta = dt.timedelta(minutes=10)

    def check(self, token: bytes, note: bytes) -> str | None:
        return verify_token(
            token, note, roots=self.roots, policy=self.policy, max_skew=self.max_skew
        )


class Witness:
    """The witness's state and the add-checkpoint decision, independent of HTTP."""

    def __init__(self, state: Path, name: str, tsa: TimestampPolicy | None = None) -> None:
        self.state = state
        self.tsa = tsa
        self.signer = ensure_witness_key(state, name)
        (state / "checkpoints").mkdir(exist_ok=True)
        self._lock = threading.Lock()
        self._logs: dict[str, list[Ed25519Verifier]] = {}
        self._logs_stamp: tuple[int, int] | None = None

    def logs(self) -> dict[str, list[Ed25519Verifier]]:
        path = self.state / LOGS
        try:
            stat = path.stat()
        except FileNotFoundError:
            return {}
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._logs_stamp:
            logs: dict[str, list[Ed25519Verifier]] = {}
            for line in path.read_text().splitlines():
                if line.strip() and not line.startswith("#"):
                    verifier = Ed25519Verifier.from_vkey(line.strip())
                    logs.setdefault(verifier.name, []).append(verifier)
            self._logs, self._logs_stamp = logs, stamp
        return self._logs

    def _path(self, origin: str) -> Path:
        return self.state / "checkpoints" / hashlib.sha256(origin.encode("utf-8")).hexdigest()

    def latest(self, origin: str) -> str | None:
        path = self._path(origin)
        return path.read_text(encoding="utf-8") if path.exists() else None

    def add_checkpoint(self, body: bytes, timestamp: bytes | None = None) -> str:
        """The cosignature line(s) for a valid request; raises WitnessError with the status.
        With a TSA configured, ``timestamp`` (the checkpoint's RFC 3161 token) must be valid."""
        try:
            request = parse_add_checkpoint(body)
            text, _ = parse_note(request.note)
            checkpoint = parse_checkpoint(text)
        except (MalformedNoteError, ValueError) as exc:
            raise WitnessError(400, f"malformed request: {exc}") from None
        keys = self.logs().get(checkpoint.origin)
        if not keys:
            raise WitnessError(404, f"unknown log origin {checkpoint.origin}")
        try:
            open_note(request.note, keys)
        except UnverifiedNoteError:
            raise WitnessError(403, "no signature by a known log key") from None
        except NoteError as exc:
            raise WitnessError(403, f"log signature invalid: {exc}") from None
        if request.old_size > checkpoint.size:
            raise WitnessError(400, "old size is larger than the checkpoint size")
        if self.tsa is not None:
            problem = (
                self.tsa.check(timestamp, request.note.encode("utf-8"))
                if timestamp
                else f"this witness requires the checkpoint's RFC 3161 token ({TIMESTAMP_HEADER})"
            )
            if problem:
                raise WitnessError(422, problem)
        hash_name = hash_of_origin(checkpoint.origin)
        with self._lock:
            stored = self.latest(checkpoint.origin)
            known_size, known_root = 0, b""
            if stored is not None:
                known = parse_checkpoint(parse_note(stored)[0])
                known_size, known_root = known.size, known.root
            if request.old_size != known_size:
                raise WitnessError(409, "stale old size", body=f"{known_size}\n")
            if known_size == checkpoint.size and stored is not None:
                if known_root != checkpoint.root:
                    raise WitnessError(409, "same size, different root", body=f"{known_size}\n")
            elif known_size == 0:
                if request.proof:
                    raise WitnessError(422, "the proof must be empty from size 0")
            else:
                try:
                    merkle.verify_consistency(
                        hash_name,
                        known_size,
                        checkpoint.size,
                        known_root,
                        checkpoint.root,
                        list(request.proof),
                    )
                except (merkle.ProofError, ValueError) as exc:
                    raise WitnessError(422, f"consistency proof does not verify: {exc}") from None
            cosigned = sign_note(text, [self.signer])
            line = cosigned[len(text) + 1 :]
            # Kept with the log's own signature lines, so a reader can check both.
            self._persist(checkpoint.origin, request.note + line)
        return line

    def _persist(self, origin: str, note: str) -> None:
        path = self._path(origin)
        tmp = path.with_suffix(".tmp")
        with tmp.open("w", encoding="utf-8") as f:
            f.write(note)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)


def _timestamp_of(headers: Any) -> bytes | None:
    value = headers.get(TIMESTAMP_HEADER)
    if not value:
        return None
    try:
        return base64.b64decode(value, validate=True)
    except ValueError:
        return b"unreadable"  # refused by the check with what is wrong


def handler_for(witness: Witness) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the spec recommends

        def _send(self, status: int, body: str, content_type: str = "text/plain") -> None:
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", f"{content_type}; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(min(length, 1 << 20))
            if urlsplit(self.path).path.rstrip("/").rsplit("/", 1)[-1] != "add-checkpoint":
                self._send(404, "not found\n")
                return
            try:
                line = witness.add_checkpoint(body, _timestamp_of(self.headers))
            except WitnessError as exc:
                if exc.status == 409 and exc.body is not None:
                    self._send(409, exc.body, "text/x.tlog.size")
                else:
                    self._send(exc.status, f"{exc}\n")
                return
            self._send(200, line)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            origin = parse_qs(url.query).get("origin", [""])[0]
            if url.path.rstrip("/").rsplit("/", 1)[-1] == "latest" and origin:
                note = witness.latest(origin)
                if note is None:
                    self._send(404, "no checkpoint cosigned for this origin\n")
                else:
                    self._send(200, note)
            elif url.path.rstrip("/").endswith("key"):
                self._send(200, witness.signer.vkey() + "\n")
            else:
                self._send(404, "not found\n")

        def log_message(self, format: str, *args: Any) -> None:
            sys.stderr.write(f"witness: {format % args}\n")

    return Handler


def timestamp_policy(tsa_ca: str | None, tsa_policy: str | None) -> TimestampPolicy | None:
    """The witness's RFC 3161 requirement from ``--tsa-ca`` (PEM) and ``--tsa-policy`` (an OID)."""
    return TimestampPolicy(load_certificates(tsa_ca), tsa_policy or None) if tsa_ca else None


def serve(state: Path, name: str, listen: str, tsa: TimestampPolicy | None = None) -> None:
    """Serve until interrupted. Prints ``witness listening on http://host:port`` once bound (a
    port of 0 picks a free one, which tests read from this line)."""
    host, _, port = listen.rpartition(":")
    witness = Witness(state, name, tsa)
    server = ThreadingHTTPServer((host or "127.0.0.1", int(port)), handler_for(witness))
    bound_host, bound_port = server.server_address[:2]
    print(f"witness listening on http://{bound_host!s}:{bound_port}", flush=True)
    print(f"witness key: {witness.signer.vkey()}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="casetrail witness", description=__doc__.split("\n")[0])
    parser.add_argument("--state", required=True, type=Path, help="state folder")
    parser.add_argument("--name", default="casetrail-witness", help="witness key name")
    parser.add_argument("--listen", default="127.0.0.1:7380", help="host:port (port 0: any)")
    parser.add_argument("--add-log", metavar="VKEY", help="register a log key and exit")
    parser.add_argument("--tsa-ca", help="PEM: require RFC 3161 tokens chaining to it")
    parser.add_argument("--tsa-policy", help="the TSA policy OID the tokens must carry")
    args = parser.parse_args(argv)
    if args.add_log:
        add_log_key(args.state, args.add_log)
        return 0
    serve(args.state, args.name, args.listen, timestamp_policy(args.tsa_ca, args.tsa_policy))
    return 0


if __name__ == "__main__":
    sys.exit(main())
