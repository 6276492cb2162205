"""One interface for the two hash functions CaseTrail uses: SM3 (GB/T 32905-2016) and SHA-256.

Why: Chinese government deployments are expected to use the national SM3 hash, while
SHA-256 keeps the ledger verifiable with standard transparency-log tooling. Every
evidence file and ledger node is therefore hashed with both, through this module only,
so no caller has to know where an algorithm comes from.

Both algorithms come from the OpenSSL that Python's ``hashlib`` is linked against.
``hashlib.new("sm3")`` works with OpenSSL 1.1.1+ and 3.x builds that kept SM3 enabled;
:func:`check_available` turns a missing SM3 into one clear start-up error instead of a
failure deep inside a request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import Protocol

#: The algorithms this project supports, in the order they are reported.
ALGORITHMS: tuple[str, ...] = ("sm3", "sha256")

#: Output size in bytes of every supported algorithm (both are 256-bit hashes).
DIGEST_SIZES: dict[str, int] = {"sm3": 32, "sha256": 32}


class DigestUnavailable(RuntimeError):
    """A supported algorithm cannot be computed by this Python installation."""


class Hasher(Protocol):
    """The hashlib-style streaming object returned by :func:`new_hasher`."""

    @property
    def name(self) -> str: ...

    @property
    def digest_size(self) -> int: ...

    def update(self, data: bytes, /) -> None: ...

    def digest(self) -> bytes: ...

    def hexdigest(self) -> str: ...

    def copy(self) -> Hasher: ...


def _check_name(name: str) -> str:
    if name not in DIGEST_SIZES:
        raise ValueError(f"unknown digest algorithm {name!r}; use one of: {', '.join(ALGORITHMS)}")
    return name


def new_hasher(name: str, data: bytes = b"") -> Hasher:
    """Return a fresh streaming hasher for ``name`` ("sm3" or "sha256")."""
    _check_name(name)
    if name == "sha256":
        return hashlib.sha256(data)
    try:
        return hashlib.new("sm3", data)
    except ValueError as exc:  # "unsupported hash type sm3"
        if _PURE_SM3:
            from casetrail_verify.sm3 import SM3

            return SM3(data)
        raise DigestUnavailable(_sm3_message()) from exc


# The offline verifier may run on a laptop whose OpenSSL lacks SM3: it switches to the pure-Python
# SM3 (slow, but a copy package holds few entries). The server never does: it refuses to start
# without OpenSSL's SM3 (check_available) rather than hash its log a hundred times slower.
_PURE_SM3 = False


def allow_pure_python_sm3() -> bool:
    """Let :func:`new_hasher` fall back to the pure-Python SM3 when OpenSSL has none. Returns
    True when the fallback will be used (OpenSSL lacks SM3)."""
    global _PURE_SM3
    _PURE_SM3 = True
    try:
        hashlib.new("sm3")
    except ValueError:
        return True
    return False


def digest(name: str, data: bytes) -> bytes:
    """Hash ``data`` in one call and return the raw digest."""
    return new_hasher(name, data).digest()


def hexdigest(name: str, data: bytes) -> str:
    """Hash ``data`` in one call and return the lowercase hex digest."""
    return new_hasher(name, data).hexdigest()


def digest_size(name: str) -> int:
    """Output size in bytes of ``name``."""
    return DIGEST_SIZES[_check_name(name)]


def _sm3_message() -> str:
    import ssl

    return (
        "SM3 is not available from this Python's OpenSSL (hashlib.new('sm3') failed; "
        f"linked against {ssl.OPENSSL_VERSION}). Install a Python built with an OpenSSL "
        "that has SM3 enabled (OpenSSL 1.1.1 or 3.x without no-sm3), e.g. the distribution's "
        "python3 or a pyenv build against the system OpenSSL."
    )


# Standard test vector from GB/T 32905-2016 Appendix A.1: SM3("abc").
_SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def check_available() -> None:
    """Raise :class:`DigestUnavailable` unless every algorithm in ALGORITHMS works correctly.

    Call this at start-up (e.g. from a Django system check) so a server without SM3 refuses
    to run rather than writing ledger entries it cannot hash.
    """
    try:
        got = hashlib.new("sm3", b"abc").hexdigest()
    except ValueError as exc:
        raise DigestUnavailable(_sm3_message()) from exc
    if got != _SM3_ABC:  # pragma: no cover - would mean a broken OpenSSL
        raise DigestUnavailable(
            f"this Python's OpenSSL computes SM3('abc') = {got}, expected {_SM3_ABC}"
        )


class MultiHasher:
    """Feed one stream of chunks to several algorithms at once.

    Used for streaming uploads: each chunk is read once and hashed by every algorithm,
    and the total byte count is kept alongside.
    """

    def __init__(self, names: Iterable[str] = ALGORITHMS) -> None:
        names = tuple(names)
        if not names:
            raise ValueError("MultiHasher needs at least one algorithm")
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate algorithm in {names!r}")
        self._hashers: dict[str, Hasher] = {name: new_hasher(name) for name in names}
        self.size = 0

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._hashers)

    def update(self, chunk: bytes) -> MultiHasher:
        for hasher in self._hashers.values():
            hasher.update(chunk)
        self.size += len(chunk)
        return self

    def digests(self) -> dict[str, bytes]:
        return {name: hasher.digest() for name, hasher in self._hashers.items()}

    def hexdigests(self) -> dict[str, str]:
        return {name: hasher.hexdigest() for name, hasher in self._hashers.items()}
