"""The pure-Python SM3 of the offline verifier against GB/T 32905-2016 and OpenSSL, and the
fallback switch (the server never turns it on)."""

from __future__ import annotations

import hashlib
import os

import pytest
from casetrail_verify import digests
from casetrail_verify.sm3 import SM3


def test_it_matches_the_standards_vectors() -> None:
    assert SM3(b"abc").hexdigest() == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )
    assert SM3(b"abcd" * 16).hexdigest() == (
        "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
    )


@pytest.mark.parametrize("size", [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000])
def test_it_matches_openssl_across_block_boundaries(size: int) -> None:
    data = os.urandom(size)
    hasher = SM3(data[: size // 3])
    hasher.update(data[size // 3 :])
    assert hasher.digest() == hashlib.new("sm3", data).digest()
    assert hasher.copy().digest() == hasher.digest()


def test_it_falls_back_only_when_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    real_new = hashlib.new

    def no_sm3(name: str, data: bytes = b"", **kwargs: object) -> object:
        if name == "sm3":
            raise ValueError("unsupported hash type sm3")
        return real_new(name, data, **kwargs)

    monkeypatch.setattr(hashlib, "new", no_sm3)
    monkeypatch.setattr(digests, "_PURE_SM3", False)
    with pytest.raises(digests.DigestUnavailable):
        digests.new_hasher("sm3")
    assert digests.allow_pure_python_sm3() is True
    assert digests.digest("sm3", b"abc") == SM3(b"abc").digest()
