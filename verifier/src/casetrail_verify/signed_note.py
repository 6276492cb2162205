"""C2SP signed notes, tlog checkpoints and tlog proofs, with Ed25519 keys.

Why: the ledger publishes its tree heads as C2SP checkpoints (c2sp.org/tlog-checkpoint),
which are C2SP signed notes (c2sp.org/signed-note). That is the format the transparency-log
ecosystem (Go's golang.org/x/mod/sumdb/note, transparency-dev, witnesses) already verifies,
so an auditor can check a CaseTrail log with existing tools. A proof that one entry is in
the log is the offline-verifiable c2sp.org/tlog-proof@v1 text.

Formats implemented (see the specs for the full text):

* signed note: ``text`` (ends with "\\n") + "\\n" + one or more lines
  ``— <key name> <base64(4-byte big-endian key ID || signature)>\\n`` (U+2014 EM DASH).
  Valid UTF-8, no control characters other than newline; the text is separated from the
  signatures by the *last* blank line. At most :data:`MAX_SIGNATURES` signature lines.
* key ID (Ed25519) = SHA-256(key name || 0x0A || 0x01 || 32-byte public key)[:4].
* verifier key ``<name>+<hex key ID>+<base64(0x01 || public key)>``; signer key
  ``PRIVATE+KEY+<name>+<hex key ID>+<base64(0x01 || 32-byte seed)>`` (the sumdb/note form).
* checkpoint text: origin line, decimal tree size line (no leading zeros), base64 root hash
  line, then optional non-empty extension lines.
* tlog proof: ``c2sp.org/tlog-proof@v1``, optional ``extra <base64>``, ``index <N>``, one
  base64 hash per line (the RFC 9162 inclusion path, leaf's sibling first), a blank line,
  then the signed checkpoint verbatim. The spec says SHA-256; a CaseTrail log whose tree is
  hashed with SM3 carries SM3 hashes in the same 32-byte slots (the verifier is told which).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, Self

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from casetrail_verify import merkle

#: Signature type identifier byte for Ed25519 (c2sp.org/signed-note, "Signature types").
ALG_ED25519 = 0x01

#: Most signature lines accepted in one note. The spec requires accepting at least 16;
#: 100 is the limit of Go's sumdb/note.
MAX_SIGNATURES = 100

EM_DASH = "\u2014"
_SIG_PREFIX = EM_DASH + " "

TLOG_PROOF_HEADER = "c2sp.org/tlog-proof@v1"

_DECIMAL = re.compile(r"(?:0|[1-9][0-9]*)\Z")
_HEX_KEY_ID = re.compile(r"[0-9a-f]{8}\Z")
_UINT64_MAX = 2**64 - 1


class NoteError(ValueError):
    """A note, key, checkpoint or proof is malformed or does not verify."""


class MalformedNoteError(NoteError):
    """The text does not follow the signed-note / checkpoint / tlog-proof syntax."""


class InvalidSignatureError(NoteError):
    """A signature by a known key (name and key ID both match) failed to verify."""


class UnverifiedNoteError(NoteError):
    """No signature by any known key was found on the note."""


# --- base64 and names ---------------------------------------------------------------------


def _b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _b64decode(text: str, what: str, *, canonical: bool = False) -> bytes:
    # Standard alphabet with padding (RFC 4648 §4), no whitespace or other characters.
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error) as exc:
        raise MalformedNoteError(f"{what} is not valid base64") from exc
    if canonical and _b64encode(data) != text:
        raise MalformedNoteError(f"{what} is not canonical base64")
    return data


def is_valid_key_name(name: str) -> bool:
    """Key names are non-empty, with no Unicode spaces and no '+' (c2sp.org/signed-note)."""
    return (
        bool(name)
        and "+" not in name
        and not any(ch.isspace() for ch in name)
        and not _has_forbidden_chars(name, allow_newline=False)
    )


def _has_forbidden_chars(text: str, *, allow_newline: bool) -> bool:
    # Notes MUST be valid UTF-8 (no lone surrogates in a Python str) and MUST NOT contain
    # ASCII control characters other than newline (c2sp.org/signed-note, "Format").
    for ch in text:
        code = ord(ch)
        if code < 0x20 and not (allow_newline and ch == "\n"):
            return True
        if 0xD800 <= code <= 0xDFFF:
            return True
    return False


def key_id(name: str, alg_and_public_key: bytes) -> int:
    """Key ID = SHA-256(key name || 0x0A || signature type || public key)[:4], big-endian."""
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + alg_and_public_key).digest()
    return int.from_bytes(digest[:4], "big")


# --- signers and verifiers ----------------------------------------------------------------


class Signer(Protocol):
    """Something that can sign note text under a (name, key ID)."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> int: ...

    def sign(self, message: bytes) -> bytes: ...


class Verifier(Protocol):
    """Something that can check signatures made under a (name, key ID)."""

    @property
    def name(self) -> str: ...

    @property
    def key_id(self) -> int: ...

    def verify(self, message: bytes, signature: bytes) -> bool: ...


def _raw_public(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


class NoteKey:
    """Base of a verifier key of another signature type (cosignature/v1, SM2): a name, the type
    bytes ``TYPE`` and the public key make the key ID and the ``name+keyid+base64`` vkey."""

    TYPE: bytes = b""

    def __init__(self, name: str, public_key: bytes) -> None:
        if not is_valid_key_name(name):
            raise ValueError(f"invalid key name {name!r}: must be non-empty, no spaces, no '+'")
        self._name = name
        self._raw = public_key
        self._key_id = key_id(name, self.TYPE + public_key)

    @property
    def name(self) -> str:
        return self._name

    @property
    def key_id(self) -> int:
        return self._key_id

    @property
    def public_bytes(self) -> bytes:
        return self._raw

    def vkey(self) -> str:
        return f"{self._name}+{self._key_id:08x}+{_b64encode(self.TYPE + self._raw)}"

    @classmethod
    def from_vkey(cls, vkey: str) -> Self:
        """Parse a vkey of this type; the key ID must match the name and key. ValueError."""
        name, hex_id, raw = split_key(vkey, cls.TYPE, private=False)
        verifier = cls(name, raw)
        if f"{verifier.key_id:08x}" != hex_id:
            raise ValueError(f"verifier key ID {hex_id} does not match the name and key")
        return verifier


def split_key(text: str, type_bytes: bytes, *, private: bool) -> tuple[str, str, bytes]:
    """``(name, hex key ID, key material after the type bytes)`` of a vkey, or with ``private`` of
    a ``PRIVATE+KEY+…`` signer key. Raises ValueError when malformed or of another type."""
    parts = text.strip().split("+", 4 if private else 2)
    if private:
        if len(parts) != 5 or parts[:2] != ["PRIVATE", "KEY"]:
            raise ValueError("a signer key has the form PRIVATE+KEY+name+keyid+base64key")
        parts = parts[2:]
    if len(parts) != 3:
        raise ValueError("a verifier key has the form name+keyid+base64key")
    name, hex_id, key64 = parts
    if not is_valid_key_name(name) or not _HEX_KEY_ID.match(hex_id):
        raise ValueError("malformed key name or key ID")
    try:
        raw = _b64decode(key64, "key")
    except MalformedNoteError as exc:
        raise ValueError(str(exc)) from exc
    if not raw.startswith(type_bytes):
        raise ValueError("key of another signature type")
    return name, hex_id, raw[len(type_bytes) :]


def format_skey(name: str, key_id_: int, type_bytes: bytes, secret: bytes) -> str:
    """``PRIVATE+KEY+name+keyid+base64(type bytes || secret)``. Secret."""
    return f"PRIVATE+KEY+{name}+{key_id_:08x}+{_b64encode(type_bytes + secret)}"


class Ed25519Verifier(NoteKey):
    """Verifies Ed25519 note signatures (signature type 0x01)."""

    TYPE = bytes([ALG_ED25519])

    def __init__(self, name: str, public_key: Ed25519PublicKey | bytes) -> None:
        if not is_valid_key_name(name):
            raise ValueError(f"invalid key name {name!r}: must be non-empty, no spaces, no '+'")
        if isinstance(public_key, bytes):
            if len(public_key) != 32:
                raise ValueError(f"an Ed25519 public key is 32 bytes, got {len(public_key)}")
            public_key = Ed25519PublicKey.from_public_bytes(public_key)
        self._public_key = public_key
        super().__init__(name, _raw_public(public_key))

    def verify(self, message: bytes, signature: bytes) -> bool:
        if len(signature) != 64:
            return False
        try:
            self._public_key.verify(signature, message)
        except InvalidSignature:
            return False
        return True

    @classmethod
    def from_vkey(cls, vkey: str) -> Ed25519Verifier:
        """Parse a verifier key string; the key ID must match the name and key."""
        # The name and the hex ID contain no '+'; the base64 key may.
        parts = vkey.split("+", 2)
        if len(parts) != 3:
            raise ValueError("a verifier key has the form name+keyid+base64key")
        name, hex_id, key64 = parts
        if not is_valid_key_name(name) or not _HEX_KEY_ID.match(hex_id):
            raise ValueError(f"malformed verifier key {vkey!r}")
        try:
            key = _b64decode(key64, "verifier key")
        except MalformedNoteError as exc:
            raise ValueError(str(exc)) from exc
        if len(key) != 33 or key[0] != ALG_ED25519:
            raise ValueError("verifier key is not an Ed25519 (type 0x01) 32-byte public key")
        verifier = cls(name, key[1:])
        if verifier.key_id != int(hex_id, 16):
            raise ValueError(f"verifier key ID {hex_id} does not match the name and key")
        return verifier


class Ed25519Signer:
    """Signs notes with an Ed25519 private key (signature type 0x01)."""

    def __init__(self, name: str, private_key: Ed25519PrivateKey) -> None:
        self._private_key = private_key
        self._verifier = Ed25519Verifier(name, private_key.public_key())

    @classmethod
    def generate(cls, name: str) -> Ed25519Signer:
        return cls(name, Ed25519PrivateKey.generate())

    @property
    def name(self) -> str:
        return self._verifier.name

    @property
    def key_id(self) -> int:
        return self._verifier.key_id

    def sign(self, message: bytes) -> bytes:
        return self._private_key.sign(message)

    def verifier(self) -> Ed25519Verifier:
        return self._verifier

    def vkey(self) -> str:
        return self._verifier.vkey()

    def skey(self) -> str:
        """The signer key string ``PRIVATE+KEY+name+keyid+base64(0x01 || seed)``. Secret."""
        seed = self._private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
        encoded = _b64encode(bytes([ALG_ED25519]) + seed)
        return f"PRIVATE+KEY+{self.name}+{self.key_id:08x}+{encoded}"

    @classmethod
    def from_skey(cls, skey: str) -> Ed25519Signer:
        """Parse a signer key string; the key ID must match the derived public key."""
        parts = skey.split("+", 4)
        if len(parts) != 5 or parts[0] != "PRIVATE" or parts[1] != "KEY":
            raise ValueError("a signer key has the form PRIVATE+KEY+name+keyid+base64key")
        name, hex_id, key64 = parts[2:]
        if not is_valid_key_name(name) or not _HEX_KEY_ID.match(hex_id):
            raise ValueError("malformed signer key")
        try:
            key = _b64decode(key64, "signer key")
        except MalformedNoteError as exc:
            raise ValueError(str(exc)) from exc
        if len(key) != 33 or key[0] != ALG_ED25519:
            raise ValueError("signer key is not an Ed25519 (type 0x01) 32-byte seed")
        signer = cls(name, Ed25519PrivateKey.from_private_bytes(key[1:]))
        if signer.key_id != int(hex_id, 16):
            raise ValueError(f"signer key ID {hex_id} does not match the name and key")
        return signer


def generate_keys(name: str) -> tuple[str, str]:
    """Create a new Ed25519 key pair; returns ``(skey, vkey)`` strings."""
    signer = Ed25519Signer.generate(name)
    return signer.skey(), signer.vkey()


# --- notes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoteSignature:
    """One signature line: key name, key ID and the raw signature (without the key ID)."""

    name: str
    key_id: int
    signature: bytes

    def line(self) -> str:
        payload = self.key_id.to_bytes(4, "big") + self.signature
        return f"{_SIG_PREFIX}{self.name} {_b64encode(payload)}\n"


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise MalformedNoteError("note text must end with a newline")
    if _has_forbidden_chars(text, allow_newline=True):
        raise MalformedNoteError(
            "note text must be valid UTF-8 without control characters other than newline"
        )


def sign_note(text: str, signers: Sequence[Signer], existing: Sequence[NoteSignature] = ()) -> str:
    """Sign ``text`` with every signer and return the signed note.

    ``existing`` signatures (e.g. from :func:`parse_note`, when cosigning) are kept after the
    new ones, except those by a (name, key ID) that is signing now.
    """
    _check_text(text)
    if not signers and not existing:
        raise ValueError("a signed note needs at least one signature")
    message = text.encode("utf-8")
    lines: list[str] = []
    seen: set[tuple[str, int]] = set()
    for signer in signers:
        if not is_valid_key_name(signer.name):
            raise ValueError(f"invalid key name {signer.name!r}")
        ident = (signer.name, signer.key_id)
        if ident in seen:
            raise ValueError(f"two signers share the name and key ID {ident!r}")
        seen.add(ident)
        sig = NoteSignature(signer.name, signer.key_id, signer.sign(message))
        lines.append(sig.line())
    for sig in existing:
        if (sig.name, sig.key_id) not in seen:
            lines.append(sig.line())
    if len(lines) > MAX_SIGNATURES:
        raise ValueError(f"a note may carry at most {MAX_SIGNATURES} signatures")
    return text + "\n" + "".join(lines)


def parse_note(note: str | bytes) -> tuple[str, list[NoteSignature]]:
    """Split a signed note into its text and signature lines, checking only the syntax."""
    if isinstance(note, bytes):
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedNoteError("signed note is not valid UTF-8") from exc
    if _has_forbidden_chars(note, allow_newline=True):
        raise MalformedNoteError(
            "signed note must be valid UTF-8 without control characters other than newline"
        )
    # The text is separated from the signatures by the last blank line.
    split = note.rfind("\n\n")
    if split < 0:
        raise MalformedNoteError("signed note has no blank line before its signatures")
    text, block = note[: split + 1], note[split + 2 :]
    if not block or not block.endswith("\n"):
        raise MalformedNoteError("signed note must end with signature lines and a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNoteError(f"signed note has more than {MAX_SIGNATURES} signatures")
    signatures = []
    for line in lines:
        if not line.startswith(_SIG_PREFIX):
            raise MalformedNoteError(
                "signature lines must start with an em dash (U+2014) and a space"
            )
        name, space, b64 = line[len(_SIG_PREFIX) :].partition(" ")
        if not space or not is_valid_key_name(name) or not b64:
            raise MalformedNoteError(f"malformed signature line {line!r}")
        payload = _b64decode(b64, f"the signature by {name}")
        if len(payload) < 5:
            raise MalformedNoteError(f"the signature by {name} is too short")
        signatures.append(NoteSignature(name, int.from_bytes(payload[:4], "big"), payload[4:]))
    return text, signatures


def open_note(note: str | bytes, verifiers: Iterable[Verifier]) -> tuple[str, list[NoteSignature]]:
    """Verify a signed note; return its text and the signatures by known keys.

    Signatures whose (name, key ID) matches no verifier are ignored. Raises
    :class:`MalformedNoteError` for bad syntax, :class:`InvalidSignatureError` if any
    signature by a known key fails, and :class:`UnverifiedNoteError` if none is by a known key.
    """
    known: dict[tuple[str, int], Verifier] = {}
    for verifier in verifiers:
        ident = (verifier.name, verifier.key_id)
        if ident in known:
            raise ValueError(f"two verifiers share the name and key ID {ident!r}")
        known[ident] = verifier
    text, signatures = parse_note(note)
    message = text.encode("utf-8")
    verified: list[NoteSignature] = []
    for sig in signatures:
        known_verifier = known.get((sig.name, sig.key_id))
        if known_verifier is None:
            continue  # unknown key: MUST be ignored, even if name or ID alone matches
        # Every signature by a known key is checked, duplicates included, and any failure
        # rejects the whole note (signed-note §Signatures: "SHOULD reject the whole note").
        if not known_verifier.verify(message, sig.signature):
            raise InvalidSignatureError(
                f"invalid signature by {sig.name} (key ID {sig.key_id:08x})"
            )
        if sig not in verified:
            verified.append(sig)
    if not verified:
        raise UnverifiedNoteError("the note has no signature by a known key")
    return text, verified


# --- checkpoints (c2sp.org/tlog-checkpoint) -----------------------------------------------


@dataclass(frozen=True)
class Checkpoint:
    """A log's tree head: origin, tree size, root hash and opaque extension lines."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def text(self) -> str:
        return format_checkpoint(self.origin, self.size, self.root, self.extensions)


def _check_line(value: str, what: str) -> None:
    if not value or "\n" in value or _has_forbidden_chars(value, allow_newline=False):
        raise ValueError(f"{what} must be a non-empty line without control characters")


def format_checkpoint(
    origin: str, size: int, root_hash: bytes, extensions: Sequence[str] = ()
) -> str:
    """The checkpoint note text (unsigned): origin, size, base64 root, extension lines."""
    _check_line(origin, "the origin")
    if not 0 <= size <= _UINT64_MAX:
        raise ValueError(f"tree size {size} is not an unsigned 64-bit integer")
    if not root_hash:
        raise ValueError("the root hash must not be empty")
    for ext in extensions:
        _check_line(ext, "an extension line")
    lines = [origin, str(size), _b64encode(root_hash), *extensions]
    return "\n".join(lines) + "\n"


def _parse_decimal(value: str, what: str) -> int:
    if not _DECIMAL.match(value):
        raise MalformedNoteError(f"{what} {value!r} is not a decimal without leading zeros")
    number = int(value)
    if number > _UINT64_MAX:
        raise MalformedNoteError(f"{what} {value} does not fit in 64 bits")
    return number


def parse_checkpoint(text: str, *, hash_size: int = 32) -> Checkpoint:
    """Parse checkpoint note text (as returned by :func:`open_note`), strictly."""
    _check_text(text)
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise MalformedNoteError("a checkpoint has at least origin, size and root hash lines")
    if any(not line for line in lines):
        raise MalformedNoteError("checkpoint lines must not be empty")
    origin, size_line, root_line, *extensions = lines
    size = _parse_decimal(size_line, "checkpoint tree size")
    root_hash = _b64decode(root_line, "checkpoint root hash", canonical=True)
    if len(root_hash) != hash_size:
        raise MalformedNoteError(
            f"checkpoint root hash is {len(root_hash)} bytes, expected {hash_size}"
        )
    return Checkpoint(origin, size, root_hash, tuple(extensions))


def sign_checkpoint(checkpoint: Checkpoint, signers: Sequence[Signer]) -> str:
    """The signed checkpoint note."""
    return sign_note(checkpoint.text(), signers)


def open_checkpoint(
    note: str | bytes,
    verifiers: Iterable[Verifier],
    *,
    origin: str | None = None,
    hash_size: int = 32,
) -> tuple[Checkpoint, list[NoteSignature]]:
    """Verify a signed checkpoint and parse it; ``origin`` if given must match exactly."""
    text, signatures = open_note(note, verifiers)
    checkpoint = parse_checkpoint(text, hash_size=hash_size)
    if origin is not None and checkpoint.origin != origin:
        raise NoteError(f"checkpoint origin {checkpoint.origin!r} is not {origin!r}")
    return checkpoint, signatures


# --- tlog proofs (c2sp.org/tlog-proof@v1) -------------------------------------------------


@dataclass(frozen=True)
class TlogProof:
    """An offline proof: leaf index, inclusion path, signed checkpoint, optional extra data."""

    index: int
    proof: tuple[bytes, ...]
    checkpoint: str
    extra: bytes | None = None


def format_tlog_proof(
    index: int,
    proof: Sequence[bytes],
    signed_checkpoint: str,
    extra: bytes | None = None,
) -> str:
    """Serialise a c2sp.org/tlog-proof@v1 text."""
    if not 0 <= index <= _UINT64_MAX:
        raise ValueError(f"index {index} is not an unsigned 64-bit integer")
    if any(not p for p in proof):
        raise ValueError("proof hashes must not be empty")
    parse_note(signed_checkpoint)  # must be a syntactically valid signed note
    lines = [TLOG_PROOF_HEADER]
    if extra:
        lines.append("extra " + _b64encode(extra))
    lines.append(f"index {index}")
    lines.extend(_b64encode(p) for p in proof)
    return "\n".join(lines) + "\n\n" + signed_checkpoint


def parse_tlog_proof(text: str, *, hash_size: int = 32) -> TlogProof:
    """Parse a c2sp.org/tlog-proof@v1 text (signatures are not checked here)."""
    if _has_forbidden_chars(text, allow_newline=True):
        raise MalformedNoteError("a tlog proof must be UTF-8 without control characters")
    header, sep, rest = text.partition("\n")
    if header != TLOG_PROOF_HEADER or not sep:
        raise MalformedNoteError(f"a tlog proof starts with the line {TLOG_PROOF_HEADER}")
    line, sep, rest = rest.partition("\n")
    extra: bytes | None = None
    if line.startswith("extra "):
        extra = _b64decode(line[len("extra ") :], "tlog proof extra data", canonical=True)
        if not extra:
            raise MalformedNoteError("tlog proof extra line is empty")
        line, sep, rest = rest.partition("\n")
    if not line.startswith("index ") or not sep:
        raise MalformedNoteError("tlog proof is missing its 'index N' line")
    index = _parse_decimal(line[len("index ") :], "tlog proof index")
    hashes: list[bytes] = []
    while True:
        line, sep, rest = rest.partition("\n")
        if not sep:
            raise MalformedNoteError("tlog proof has no blank line before its checkpoint")
        if not line:
            break
        value = _b64decode(line, "tlog proof hash", canonical=True)
        if len(value) != hash_size:
            raise MalformedNoteError(f"tlog proof hash is {len(value)} bytes, not {hash_size}")
        hashes.append(value)
    parse_note(rest)
    return TlogProof(index, tuple(hashes), rest, extra)


def verify_tlog_proof(
    proof: str | TlogProof,
    leaf_hash: bytes,
    verifiers: Iterable[Verifier],
    *,
    origin: str,
    hash_name: str = "sha256",
) -> Checkpoint:
    """Verify a tlog proof for ``leaf_hash`` (the RFC 9162 leaf hash of the entry).

    Checks the checkpoint's signatures and origin, then the inclusion path. Returns the
    checkpoint; raises :class:`NoteError` or :class:`casetrail_verify.merkle.ProofError`.
    """
    parsed = parse_tlog_proof(proof) if isinstance(proof, str) else proof
    checkpoint, _ = open_checkpoint(parsed.checkpoint, verifiers, origin=origin)
    merkle.verify_inclusion(
        hash_name, parsed.index, checkpoint.size, leaf_hash, parsed.proof, checkpoint.root
    )
    return checkpoint
