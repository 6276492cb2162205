"""RFC 6962 / RFC 9162 Merkle trees, checked against transparency-dev/merkle's test vectors."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from casetrail.lib import merkle

VECTORS = Path(__file__).parent / "vectors" / "rfc6962" / "testdata"
INCLUSION_FILES = sorted((VECTORS / "inclusion").rglob("*.json"))
CONSISTENCY_FILES = sorted((VECTORS / "consistency").rglob("*.json"))

# The eight standard leaves of RFC 6962 test suites (vectors/README.md).
LEAVES = [
    bytes.fromhex(x)
    for x in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
ROOT_8 = "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
# The size-4 root appears in no vector file; it is the value of the RFC 6962 reference
# test suite (certificate-transparency), and the other sizes cross-check the code.
ROOT_4 = "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"

HASHES = ("sha256", "sm3")
ROUND_TRIP_MAX = 40


def _b64(value: str) -> bytes:
    return base64.b64decode(value)


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def _proof(data: dict[str, Any]) -> list[bytes]:
    return [_b64(p) for p in data["proof"] or []]


def _id(path: Path) -> str:
    return str(path.relative_to(VECTORS))


def _std_leaf_hashes(h: str = "sha256") -> list[bytes]:
    return [merkle.leaf_hash(h, leaf) for leaf in LEAVES]


def _expected_roots() -> dict[int, bytes]:
    roots = {0: merkle.empty_root("sha256"), 4: bytes.fromhex(ROOT_4), 8: bytes.fromhex(ROOT_8)}
    for path in INCLUSION_FILES:
        data = _load(path)
        if not data["wantErr"] and "additional" not in path.parts:
            roots[data["treeSize"]] = _b64(data["root"])
    for path in CONSISTENCY_FILES:
        data = _load(path)
        if not data["wantErr"] and "additional" not in path.parts:
            roots[data["size1"]] = _b64(data["root1"])
            roots[data["size2"]] = _b64(data["root2"])
    return roots


def _store(h: str, leaf_hashes: list[bytes]) -> dict[tuple[int, int], bytes]:
    """Build the perfect-node table the way the ledger will: one append at a time."""
    nodes: dict[tuple[int, int], bytes] = {}
    for size_before, leaf in enumerate(leaf_hashes):
        for level, index, value in merkle.nodes_for_append(
            h, lambda lv, ix: nodes[(lv, ix)], size_before, leaf
        ):
            assert (level, index) not in nodes
            nodes[(level, index)] = value
    return nodes


def _leaf_hashes(h: str, count: int) -> list[bytes]:
    return [merkle.leaf_hash(h, f"entry {i}".encode()) for i in range(count)]


def _getter(nodes: dict[tuple[int, int], bytes]) -> Callable[[int, int], bytes]:
    return lambda level, index: nodes[(level, index)]


# --- tree hashes --------------------------------------------------------------------------


def test_it_has_every_expected_root_for_sizes_0_to_8() -> None:
    assert sorted(_expected_roots()) == list(range(9))


@pytest.mark.parametrize("size", range(9))
def test_it_computes_the_roots_of_the_standard_leaves(size: int) -> None:
    leaf_hashes = _std_leaf_hashes()
    assert merkle.root("sha256", leaf_hashes[:size]) == _expected_roots()[size]


def test_it_hashes_the_empty_tree_as_the_hash_of_nothing() -> None:
    assert merkle.root("sha256", []).hex() == (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    assert merkle.root("sm3", []) == merkle.empty_root("sm3")


def test_it_separates_leaves_from_nodes() -> None:
    left, right = b"\x11" * 32, b"\x22" * 32
    assert merkle.node_hash("sha256", left, right) != merkle.leaf_hash("sha256", left + right)
    assert merkle.leaf_hash("sm3", b"") != merkle.empty_root("sm3")


# --- transparency-dev vectors -------------------------------------------------------------


@pytest.mark.parametrize("path", INCLUSION_FILES, ids=_id)
def test_it_verifies_inclusion_vectors_like_the_reference(path: Path) -> None:
    data = _load(path)
    args = (data["leafIdx"], data["treeSize"], _b64(data["leafHash"]), _proof(data))
    if data["wantErr"]:
        with pytest.raises(merkle.ProofError):
            merkle.verify_inclusion("sha256", *args, _b64(data["root"]))
    else:
        merkle.verify_inclusion("sha256", *args, _b64(data["root"]))
        assert merkle.root_from_inclusion_proof("sha256", *args) == _b64(data["root"])


@pytest.mark.parametrize("path", CONSISTENCY_FILES, ids=_id)
def test_it_verifies_consistency_vectors_like_the_reference(path: Path) -> None:
    data = _load(path)
    args = (data["size1"], data["size2"], _b64(data["root1"]), _b64(data["root2"]), _proof(data))
    if data["wantErr"]:
        with pytest.raises(merkle.ProofError):
            merkle.verify_consistency("sha256", *args)
    else:
        merkle.verify_consistency("sha256", *args)


def test_it_has_all_the_vector_files() -> None:
    assert len(INCLUSION_FILES) + len(CONSISTENCY_FILES) == 196


HAPPY_INCLUSION = [p for p in INCLUSION_FILES if p.name == "happy-path.json"]
HAPPY_CONSISTENCY = [p for p in CONSISTENCY_FILES if p.name == "happy-path.json"]


@pytest.mark.parametrize("path", HAPPY_INCLUSION, ids=_id)
def test_it_generates_the_vector_inclusion_proofs(path: Path) -> None:
    data = _load(path)
    leaf_hashes = _std_leaf_hashes()
    index, size = data["leafIdx"], data["treeSize"]
    assert leaf_hashes[index] == _b64(data["leafHash"])
    assert merkle.inclusion_proof("sha256", leaf_hashes, index, size) == _proof(data)
    nodes = _store("sha256", leaf_hashes[:size])
    assert merkle.inclusion_proof_from_store("sha256", _getter(nodes), index, size) == _proof(data)


@pytest.mark.parametrize("path", HAPPY_CONSISTENCY, ids=_id)
def test_it_generates_the_vector_consistency_proofs(path: Path) -> None:
    data = _load(path)
    leaf_hashes = _std_leaf_hashes()
    first, second = data["size1"], data["size2"]
    assert merkle.consistency_proof("sha256", leaf_hashes, first, second) == _proof(data)
    nodes = _store("sha256", leaf_hashes[:second])
    got = merkle.consistency_proof_from_store("sha256", _getter(nodes), first, second)
    assert got == _proof(data)


# --- round trips --------------------------------------------------------------------------


@pytest.mark.parametrize("h", HASHES)
def test_it_round_trips_every_inclusion_proof_up_to_40_leaves(h: str) -> None:
    leaf_hashes = _leaf_hashes(h, ROUND_TRIP_MAX)
    nodes = _store(h, leaf_hashes)
    get_node = _getter(nodes)
    for size in range(1, ROUND_TRIP_MAX + 1):
        tree_root = merkle.root(h, leaf_hashes[:size])
        assert merkle.root_from_store(h, get_node, size) == tree_root
        for index in range(size):
            proof = merkle.inclusion_proof(h, leaf_hashes, index, size)
            assert merkle.inclusion_proof_from_store(h, get_node, index, size) == proof
            merkle.verify_inclusion(h, index, size, leaf_hashes[index], proof, tree_root)
            if size > 1:
                other = (index + 1) % size
                with pytest.raises(merkle.ProofError):
                    merkle.verify_inclusion(h, other, size, leaf_hashes[index], proof, tree_root)


@pytest.mark.parametrize("h", HASHES)
def test_it_round_trips_every_consistency_proof_up_to_40_leaves(h: str) -> None:
    leaf_hashes = _leaf_hashes(h, ROUND_TRIP_MAX)
    nodes = _store(h, leaf_hashes)
    get_node = _getter(nodes)
    roots = [merkle.root(h, leaf_hashes[:size]) for size in range(ROUND_TRIP_MAX + 1)]
    for second in range(1, ROUND_TRIP_MAX + 1):
        for first in range(1, second + 1):
            proof = merkle.consistency_proof(h, leaf_hashes, first, second)
            assert merkle.consistency_proof_from_store(h, get_node, first, second) == proof
            merkle.verify_consistency(h, first, second, roots[first], roots[second], proof)
            if first < second:
                with pytest.raises(merkle.ProofError):
                    merkle.verify_consistency(
                        h,
                        first,
                        second,
                        roots[first - 1] if first > 1 else b"",
                        roots[second],
                        proof,
                    )


def test_it_refuses_a_proof_with_the_wrong_hash_length() -> None:
    leaf_hashes = _leaf_hashes("sm3", 5)
    proof = merkle.inclusion_proof("sm3", leaf_hashes, 2)
    tree_root = merkle.root("sm3", leaf_hashes)
    with pytest.raises(merkle.ProofError, match="proof element 1 is 31 bytes"):
        merkle.verify_inclusion("sm3", 2, 5, leaf_hashes[2], [proof[0], proof[1][:31]], tree_root)


def test_it_does_not_mix_up_sha256_and_sm3() -> None:
    leaf_hashes = _leaf_hashes("sm3", 7)
    proof = merkle.inclusion_proof("sm3", leaf_hashes, 3)
    with pytest.raises(merkle.ProofError):
        merkle.verify_inclusion(
            "sha256", 3, 7, leaf_hashes[3], proof, merkle.root("sm3", leaf_hashes)
        )


def test_it_refuses_to_generate_impossible_proofs() -> None:
    with pytest.raises(ValueError):
        merkle.inclusion_proof_nodes(3, 3)
    with pytest.raises(ValueError):
        merkle.consistency_proof_nodes(0, 5)
    with pytest.raises(ValueError):
        merkle.consistency_proof_nodes(6, 5)
    with pytest.raises(ValueError):
        merkle.inclusion_proof("sha256", _leaf_hashes("sha256", 3), 0, 4)


# --- node addressing ----------------------------------------------------------------------


def test_it_lists_the_perfect_nodes_an_append_completes() -> None:
    assert merkle.perfect_nodes_completed_by_append(0) == [(0, 0)]
    assert merkle.perfect_nodes_completed_by_append(1) == [(0, 1), (1, 0)]
    assert merkle.perfect_nodes_completed_by_append(2) == [(0, 2)]
    assert merkle.perfect_nodes_completed_by_append(3) == [(0, 3), (1, 1), (2, 0)]
    assert merkle.perfect_nodes_completed_by_append(11) == [(0, 11), (1, 5), (2, 2)]
    assert merkle.perfect_nodes_completed_by_append(15) == [(0, 15), (1, 7), (2, 3), (3, 1), (4, 0)]


def test_it_stores_exactly_the_complete_perfect_nodes() -> None:
    for h in HASHES:
        leaf_hashes = _leaf_hashes(h, 37)
        nodes = _store(h, leaf_hashes)
        expected = {(level, index) for level in range(6) for index in range(37 >> level)}
        assert set(nodes) == expected
        for (level, index), value in nodes.items():
            start = index << level
            assert value == merkle.root(h, leaf_hashes[start : start + (1 << level)])


def test_it_describes_proof_elements_as_perfect_node_runs() -> None:
    refs = merkle.inclusion_proof_nodes(5, 13)
    assert refs == [
        merkle.NodeRef(4, 5),
        merkle.NodeRef(6, 8),
        merkle.NodeRef(0, 4),
        merkle.NodeRef(8, 13),
    ]
    assert [ref.is_perfect for ref in refs] == [True, True, True, False]
    assert (refs[1].level, refs[1].index) == (1, 3)
    assert refs[3].perfect_nodes() == [(2, 2), (0, 12)]
    assert merkle.consistency_proof_nodes(6, 8) == [
        merkle.NodeRef(4, 6),
        merkle.NodeRef(6, 8),
        merkle.NodeRef(0, 4),
    ]


def test_it_computes_left_aligned_ranges_with_one_lookup_per_set_bit() -> None:
    leaf_hashes = _leaf_hashes("sha256", 64)
    nodes = _store("sha256", leaf_hashes)
    calls: list[tuple[int, int]] = []

    def get_node(level: int, index: int) -> bytes:
        calls.append((level, index))
        return nodes[(level, index)]

    value = merkle.subtree_root("sha256", get_node, 32, 32 + 23)
    assert value == merkle.root("sha256", leaf_hashes[32:55])
    assert calls == [(4, 2), (2, 12), (1, 26), (0, 54)]


def test_it_computes_unaligned_ranges_correctly() -> None:
    leaf_hashes = _leaf_hashes("sm3", 30)
    nodes = _store("sm3", leaf_hashes)
    for start in range(30):
        for end in range(start + 1, 31):
            got = merkle.subtree_root("sm3", _getter(nodes), start, end)
            assert got == merkle.root("sm3", leaf_hashes[start:end])
