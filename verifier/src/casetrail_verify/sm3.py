"""SM3 (GB/T 32905-2016) in pure Python, for the offline verifier on a Python whose OpenSSL was
built without SM3. Slow (tens of microseconds a block), correct against the standard's vectors;
``hashlib.new("sm3")`` is always preferred (:mod:`casetrail_verify.digests`)."""

from __future__ import annotations

import struct

_IV = (
    0x7380166F,
    0x4914B2B9,
    0x172442D7,
    0xDA8A0600,
    0xA96F30BC,
    0x163138AA,
    0xE38DEE4D,
    0xB0FB0E4E,
)
_MASK = 0xFFFFFFFF


def _rotl(x: int, n: int) -> int:
    n %= 32
    return ((x << n) | (x >> (32 - n))) & _MASK


def _p0(x: int) -> int:
    return x ^ _rotl(x, 9) ^ _rotl(x, 17)


def _p1(x: int) -> int:
    return x ^ _rotl(x, 15) ^ _rotl(x, 23)


_T = [_rotl(0x79CC4519 if j < 16 else 0x7A879D8A, j) for j in range(64)]


def _compress(v: tuple[int, ...], block: bytes) -> tuple[int, ...]:
    w = list(struct.unpack(">16I", block))
    for j in range(16, 68):
        w.append(_p1(w[j - 16] ^ w[j - 9] ^ _rotl(w[j - 3], 15)) ^ _rotl(w[j - 13], 7) ^ w[j - 6])
    w1 = [w[j] ^ w[j + 4] for j in range(64)]
    a, b, c, d, e, f, g, h = v
    for j in range(64):
        a12 = _rotl(a, 12)
        ss1 = _rotl((a12 + e + _T[j]) & _MASK, 7)
        ss2 = ss1 ^ a12
        if j < 16:
            ff = a ^ b ^ c
            gg = e ^ f ^ g
        else:
            ff = (a & b) | (a & c) | (b & c)
            gg = (e & f) | (~e & g)
        tt1 = (ff + d + ss2 + w1[j]) & _MASK
        tt2 = (gg + h + ss1 + w[j]) & _MASK
        d, c, b, a = c, _rotl(b, 9), a, tt1
        h, g, f, e = g, _rotl(f, 19), e, _p0(tt2)
    return tuple(x ^ y for x, y in zip(v, (a, b, c, d, e, f, g, h), strict=True))


class SM3:
    """A hashlib-style SM3 object (update / digest / hexdigest / copy)."""

    name = "sm3"
    digest_size = 32
    block_size = 64

    def __init__(self, data: bytes = b"") -> None:
        self._v: tuple[int, ...] = _IV
        self._buffer = b""
        self._length = 0
        self.update(data)

    def update(self, data: bytes, /) -> None:
        self._length += len(data)
        buffer = self._buffer + bytes(data)
        whole = len(buffer) - len(buffer) % 64
        v = self._v
        for i in range(0, whole, 64):
            v = _compress(v, buffer[i : i + 64])
        self._v = v
        self._buffer = buffer[whole:]

    def copy(self) -> SM3:
        other = SM3()
        other._v, other._buffer, other._length = self._v, self._buffer, self._length
        return other

    def digest(self) -> bytes:
        bits = self._length * 8
        tail = self._buffer + b"\x80" + b"\x00" * ((55 - len(self._buffer)) % 64)
        tail += bits.to_bytes(8, "big")
        v = self._v
        for i in range(0, len(tail), 64):
            v = _compress(v, tail[i : i + 64])
        return struct.pack(">8I", *v)

    def hexdigest(self) -> str:
        return self.digest().hex()
