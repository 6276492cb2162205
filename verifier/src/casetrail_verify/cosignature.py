"""C2SP tlog-cosignature (Ed25519 ``cosignature/v1``) and the tlog-witness ``add-checkpoint`` body.

Why: a checkpoint signed only by the agency's own key proves nothing against the agency's own
administrators (第三十五条（三）). A witness run by another body cosigns each checkpoint only when
it is consistent with the last one it saw, so a rewritten, truncated or rolled-back log cannot
collect a cosignature and a restored backup is older than what the witnesses hold.

Formats (c2sp.org/tlog-cosignature, c2sp.org/tlog-witness):

* key ID = SHA-256(name || 0x0A || 0x04 || 32-byte Ed25519 public key)[:4]; vkey
  ``name+<hex key ID>+base64(0x04 || public key)``.
* signature line payload = key ID (4) || timestamp (u64 big-endian, POSIX seconds) || Ed25519
  signature (64) over ``"cosignature/v1\\ntime <timestamp>\\n" || checkpoint note text``.
* add-checkpoint request body: ``old <size>\\n``, up to 63 base64 proof lines, an empty line, then
  the signed checkpoint note.

The signer and verifier fit :class:`casetrail_verify.signed_note.Signer` / ``Verifier``, so a
cosignature is checked with :func:`casetrail_verify.signed_note.open_note` like any note signature.
"""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from casetrail_verify.signed_note import MalformedNoteError, NoteKey, format_skey, split_key

#: Signature type byte of Ed25519 cosignatures (c2sp.org/tlog-cosignature).
ALG_COSIGNATURE_V1 = 0x04
#: The client MUST NOT send more than 63 consistency proof lines (c2sp.org/tlog-witness).
MAX_PROOF_LINES = 63
_INT63_MAX = 2**63 - 1
_OLD = re.compile(r"old (0|[1-9][0-9]*)\Z")


def cosigned_message(timestamp: int, note_text: bytes) -> bytes:
    """The bytes an Ed25519 cosignature signs: header line, time line, then the note text."""
    if not 0 <= timestamp <= _INT63_MAX:
        raise ValueError("cosignature timestamp must be in 0..2^63-1")
    return b"cosignature/v1\ntime %d\n" % timestamp + note_text


class CosignatureVerifier(NoteKey):
    """Checks ``cosignature/v1`` signature lines by one witness key (type 0x04)."""

    TYPE = bytes([ALG_COSIGNATURE_V1])

    def __init__(self, name: str, public_key: bytes) -> None:
        if len(public_key) != 32:
            raise ValueError("an Ed25519 public key is 32 bytes")
        super().__init__(name, public_key)
        self._key = Ed25519PublicKey.from_public_bytes(public_key)

    def verify(self, message: bytes, signature: bytes) -> bool:
        if len(signature) != 8 + 64:
            return False
        timestamp = int.from_bytes(signature[:8], "big")
        if timestamp > _INT63_MAX:
            return False
        try:
            self._key.verify(signature[8:], cosigned_message(timestamp, message))
        except InvalidSignature:
            return False
        return True


def timestamp_of(signature: bytes) -> int:
    """The POSIX time a cosignature (key ID already stripped) was made."""
    return int.from_bytes(signature[:8], "big")


class CosignatureSigner:
    """A witness's cosigning key. ``sign`` returns ``timestamp || signature`` as the spec asks."""

    def __init__(
        self, name: str, private_key: Ed25519PrivateKey, clock: Callable[[], float] = time.time
    ) -> None:
        self._private = private_key
        raw = private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self._verifier = CosignatureVerifier(name, raw)
        self._clock = clock

    @classmethod
    def generate(cls, name: str) -> CosignatureSigner:
        return cls(name, Ed25519PrivateKey.generate())

    @property
    def name(self) -> str:
        return self._verifier.name

    @property
    def key_id(self) -> int:
        return self._verifier.key_id

    def sign(self, message: bytes) -> bytes:
        timestamp = int(self._clock())
        signature = self._private.sign(cosigned_message(timestamp, message))
        return timestamp.to_bytes(8, "big") + signature

    def verifier(self) -> CosignatureVerifier:
        return self._verifier

    def vkey(self) -> str:
        return self._verifier.vkey()

    def skey(self) -> str:
        """``PRIVATE+KEY+name+keyid+base64(0x04 || seed)``. Secret."""
        seed = self._private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        return format_skey(self.name, self.key_id, CosignatureVerifier.TYPE, seed)

    @classmethod
    def from_skey(cls, skey: str) -> CosignatureSigner:
        name, hex_id, seed = split_key(skey, CosignatureVerifier.TYPE, private=True)
        if len(seed) != 32:
            raise ValueError("not an Ed25519 cosignature/v1 (type 0x04) signer key")
        signer = cls(name, Ed25519PrivateKey.from_private_bytes(seed))
        if f"{signer.key_id:08x}" != hex_id:
            raise ValueError(f"signer key ID {hex_id} does not match the name and key")
        return signer


# --- add-checkpoint request body (c2sp.org/tlog-witness) -------------------------------------


@dataclass(frozen=True)
class AddCheckpoint:
    """A parsed ``add-checkpoint`` request: old size, consistency proof, signed checkpoint note."""

    old_size: int
    proof: tuple[bytes, ...]
    note: str


def format_add_checkpoint(old_size: int, proof: list[bytes] | tuple[bytes, ...], note: str) -> str:
    if len(proof) > MAX_PROOF_LINES:
        raise ValueError(f"at most {MAX_PROOF_LINES} consistency proof lines")
    lines = [f"old {old_size}", *(base64.b64encode(h).decode("ascii") for h in proof)]
    return "\n".join(lines) + "\n\n" + note


def parse_add_checkpoint(body: bytes) -> AddCheckpoint:
    """Parse a request body strictly; raises :class:`MalformedNoteError` (→ 400)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedNoteError("request body is not UTF-8") from exc
    head, sep, note = text.partition("\n\n")
    if not sep:
        raise MalformedNoteError("request has no empty line before the checkpoint")
    lines = head.split("\n")
    match = _OLD.match(lines[0])
    if match is None:
        raise MalformedNoteError("first line must be 'old <size>'")
    if len(lines) - 1 > MAX_PROOF_LINES:
        raise MalformedNoteError(f"more than {MAX_PROOF_LINES} consistency proof lines")
    proof = []
    for line in lines[1:]:
        try:
            proof.append(base64.b64decode(line.encode("ascii"), validate=True))
        except (ValueError, UnicodeEncodeError) as exc:
            raise MalformedNoteError("a consistency proof line is not base64") from exc
    return AddCheckpoint(int(match.group(1)), tuple(proof), note)
