"""SM3 and SHA-256 through one interface, checked against published test vectors."""

from __future__ import annotations

import hashlib

import pytest

from casetrail.lib import digests

# GB/T 32905-2016 Appendix A examples 1 and 2.
SM3_ABC = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
SM3_ABCD_16 = "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
SHA256_ABC = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_it_has_sm3_available() -> None:
    digests.check_available()


def test_it_computes_the_sm3_standard_vectors() -> None:
    assert digests.hexdigest("sm3", b"abc") == SM3_ABC
    assert digests.digest("sm3", b"abcd" * 16) == bytes.fromhex(SM3_ABCD_16)


def test_it_computes_sha256() -> None:
    assert digests.hexdigest("sha256", b"abc") == SHA256_ABC


def test_it_streams_like_hashlib() -> None:
    hasher = digests.new_hasher("sm3")
    for chunk in (b"ab", b"cd") * 16:
        hasher.update(chunk)
    assert hasher.hexdigest() == SM3_ABCD_16
    assert hasher.digest_size == 32


def test_it_reports_digest_sizes() -> None:
    assert [digests.digest_size(name) for name in digests.ALGORITHMS] == [32, 32]


def test_it_refuses_unknown_algorithms() -> None:
    with pytest.raises(ValueError, match="unknown digest algorithm 'md5'; use one of: sm3"):
        digests.new_hasher("md5")


def test_it_explains_a_missing_sm3(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_sm3(name: str, data: bytes = b"") -> object:
        raise ValueError(f"unsupported hash type {name}")

    monkeypatch.setattr(hashlib, "new", no_sm3)
    with pytest.raises(digests.DigestUnavailable, match="SM3 is not available"):
        digests.check_available()
    with pytest.raises(digests.DigestUnavailable, match="OpenSSL"):
        digests.new_hasher("sm3")


def test_it_hashes_one_stream_with_several_algorithms() -> None:
    multi = digests.MultiHasher(("sha256", "sm3"))
    multi.update(b"a").update(b"bc")
    assert multi.hexdigests() == {"sha256": SHA256_ABC, "sm3": SM3_ABC}
    assert multi.digests()["sm3"] == bytes.fromhex(SM3_ABC)
    assert multi.size == 3
    assert multi.names == ("sha256", "sm3")


def test_it_defaults_to_every_algorithm() -> None:
    assert set(digests.MultiHasher().hexdigests()) == set(digests.ALGORITHMS)


def test_it_refuses_empty_or_duplicate_algorithm_lists() -> None:
    with pytest.raises(ValueError):
        digests.MultiHasher(())
    with pytest.raises(ValueError):
        digests.MultiHasher(("sm3", "sm3"))
