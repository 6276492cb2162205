"""SM2 note signatures (GB/T 32918.2-2016, SM2 over SM3 with the default user ID of GB/T 35276-2017),
behind the same Signer / Verifier protocol as Ed25519 (casetrail_verify.signed_note).

Why: 国密 compliance asks for SM2 signatures; C2SP tools understand Ed25519. A checkpoint therefore
carries two signature lines of the same note under the same key name (the log's origin): the
Ed25519 line (type 0x01) and an SM2 line whose key ID and verifier key use signature type 0xff
(c2sp.org/signed-note: "signature types without an identifier byte assigned by this
specification", followed by a longer identifier):

* type bytes  = 0xff || "GB/T32918-SM2-SM3" || 0x00
* public key  = 65 bytes, uncompressed point 0x04 || x || y on sm2p256v1
* key ID      = SHA-256(name || 0x0A || type bytes || public key)[:4]
* vkey        = ``name+<hex key ID>+base64(type bytes || public key)``
* signature   = 64 bytes r || s (each 32 bytes big-endian) over the note text:
  e = SM3(Z_A || text), Z_A = SM3(ENTL || ID || a || b || x_G || y_G || x_A || y_A), ID = the
  16 bytes "1234567812345678" (GB/T 35276 §10 default), ENTL = 0x0080.

The curve arithmetic is gmssl's (pure Python): an SM2 signature costs milliseconds, so it is for
checkpoints, never per entry. ``openssl pkeyutl -verify -rawin -digest sm3`` checks the same
signature (DER-encoded r, s) with the default ID — see the tests.
"""

from __future__ import annotations

import base64
import hashlib
import secrets

from gmssl import sm2 as _gmssl_sm2

from casetrail_verify.signed_note import NoteKey, format_skey, split_key

#: The signed-note type bytes of an SM2-with-SM3 signature line (0xff + identifier + NUL).
SM2_TYPE = b"\xff" + b"GB/T32918-SM2-SM3" + b"\x00"
#: GB/T 35276-2017 §10: the default signer ID when none is agreed.
DEFAULT_ID = b"1234567812345678"

CURVE = _gmssl_sm2.default_ecc_table
_N = int(CURVE["n"], 16)


def _sm3(data: bytes) -> bytes:
    return hashlib.new("sm3", data).digest()


def z_value(
    public_key: bytes, *, user_id: bytes = DEFAULT_ID, curve: dict[str, str] = CURVE
) -> bytes:
    """Z_A of GB/T 32918.2 §5.5 for a 65-byte uncompressed public key."""
    entl = (len(user_id) * 8).to_bytes(2, "big")
    params = bytes.fromhex(curve["a"] + curve["b"] + curve["g"])
    return _sm3(entl + user_id + params + public_key[1:])


def digest(message: bytes, public_key: bytes, **kwargs: object) -> bytes:
    """e = SM3(Z_A || M), the value the SM2 signature is computed over."""
    return _sm3(z_value(public_key, **kwargs) + message)  # type: ignore[arg-type]


class SM2Verifier(NoteKey):
    """Checks SM2 signature lines by one key (type bytes :data:`SM2_TYPE`)."""

    TYPE = SM2_TYPE

    def __init__(self, name: str, public_key: bytes) -> None:
        if len(public_key) != 65 or public_key[0] != 0x04:
            raise ValueError("an SM2 public key is a 65-byte uncompressed point (04 || x || y)")
        super().__init__(name, public_key)
        self._impl = _gmssl_sm2.CryptSM2(private_key=None, public_key=public_key[1:].hex())

    def verify(self, message: bytes, signature: bytes) -> bool:
        if len(signature) != 64:
            return False
        r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
        if not (0 < r < _N and 0 < s < _N):
            return False
        try:
            return bool(self._impl.verify(signature.hex(), digest(message, self._raw)))
        except (ValueError, ZeroDivisionError):
            return False


class SM2Signer:
    """Signs notes with an SM2 private key (32-byte scalar d, 1 ≤ d ≤ n-2)."""

    def __init__(self, name: str, private_key: bytes) -> None:
        d = int.from_bytes(private_key, "big")
        if not 1 <= d <= _N - 2:
            raise ValueError("an SM2 private key is an integer in [1, n-2]")
        self._d = private_key
        point = _gmssl_sm2.CryptSM2(private_key=private_key.hex(), public_key="")._kg(d, CURVE["g"])
        self._verifier = SM2Verifier(name, b"\x04" + bytes.fromhex(point))
        self._impl = _gmssl_sm2.CryptSM2(private_key=private_key.hex(), public_key=point)

    @classmethod
    def generate(cls, name: str) -> SM2Signer:
        return cls(name, (secrets.randbelow(_N - 2) + 1).to_bytes(32, "big"))

    @property
    def name(self) -> str:
        return self._verifier.name

    @property
    def key_id(self) -> int:
        return self._verifier.key_id

    def sign(self, message: bytes) -> bytes:
        e = digest(message, self._verifier.public_bytes)
        while True:
            k = secrets.randbelow(_N - 1) + 1
            signature = self._impl.sign(e, f"{k:064x}")
            if signature:  # None when r = 0, r + k = n or s = 0: draw another k
                return bytes.fromhex(signature)

    def verifier(self) -> SM2Verifier:
        return self._verifier

    def vkey(self) -> str:
        return self._verifier.vkey()

    def skey(self) -> str:
        """``PRIVATE+KEY+name+keyid+base64(type bytes || d)``. Secret."""
        return format_skey(self.name, self.key_id, SM2_TYPE, self._d)

    @classmethod
    def from_skey(cls, skey: str) -> SM2Signer:
        name, hex_id, d = split_key(skey, SM2_TYPE, private=True)
        if len(d) != 32:
            raise ValueError("not an SM2 signer key")
        signer = cls(name, d)
        if f"{signer.key_id:08x}" != hex_id:
            raise ValueError(f"signer key ID {hex_id} does not match the name and key")
        return signer

    def pem(self) -> bytes:
        """The private key as PKCS#8 PEM for OpenSSL (``openssl pkeyutl``), via SEC1 DER."""
        return _sec1_pem(self._d, self._verifier.public_bytes)


def _der_len(n: int) -> bytes:
    return (
        bytes([n])
        if n < 0x80
        else bytes([0x81, n])
        if n < 0x100
        else bytes([0x82]) + n.to_bytes(2, "big")
    )


def _tlv(tag: int, body: bytes) -> bytes:
    return bytes([tag]) + _der_len(len(body)) + body


def _sec1_pem(d: bytes, public: bytes) -> bytes:
    # ECPrivateKey (RFC 5915) with the sm2p256v1 OID 1.2.156.10197.1.301, which OpenSSL 3 reads.
    oid = _tlv(0x06, bytes.fromhex("2a811ccf5501822d"))
    body = (
        _tlv(0x02, b"\x01")
        + _tlv(0x04, d)
        + _tlv(0xA0, oid)
        + _tlv(0xA1, _tlv(0x03, b"\x00" + public))
    )
    der = _tlv(0x30, body)
    lines = base64.encodebytes(der).decode("ascii").replace("\n", "")
    wrapped = "\n".join(lines[i : i + 64] for i in range(0, len(lines), 64))
    return f"-----BEGIN EC PRIVATE KEY-----\n{wrapped}\n-----END EC PRIVATE KEY-----\n".encode()


def der_signature(signature: bytes) -> bytes:
    """r || s as the DER SEQUENCE { INTEGER r, INTEGER s } OpenSSL expects."""

    def integer(value: bytes) -> bytes:
        value = value.lstrip(b"\x00") or b"\x00"
        if value[0] & 0x80:
            value = b"\x00" + value
        return _tlv(0x02, value)

    return _tlv(0x30, integer(signature[:32]) + integer(signature[32:]))
