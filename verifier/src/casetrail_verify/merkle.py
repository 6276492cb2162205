"""RFC 6962 / RFC 9162 Merkle tree hashing, proofs and proof verification, for SHA-256 and SM3.

Why: the CaseTrail ledger is an append-only transparency log. Its tree head (root) is signed
in checkpoints; inclusion proofs show that one entry is in a signed tree, and consistency
proofs show that a later tree extends an earlier one without rewriting it. The hashing is
RFC 9162 §2.1.1 with the hash function as a parameter (``h`` is an algorithm name from
:mod:`casetrail_verify.digests`, "sha256" or "sm3"):

* ``MTH({}) = HASH()``                               (the empty tree)
* ``MTH({d0}) = HASH(0x00 || d0)``                   (:func:`leaf_hash`)
* ``MTH(D[n]) = HASH(0x01 || MTH(D[0:k]) || MTH(D[k:n]))``, k the largest power of two < n
  (:func:`node_hash`)

The verifiers (:func:`root_from_inclusion_proof`, :func:`verify_inclusion`,
:func:`verify_consistency`) are the RFC 9162 §2.1.3.2 and §2.1.4.2 algorithms step by step,
with the same edge-case decisions as transparency-dev/merkle (checked against its test
vectors in ``tests/vectors/rfc6962``).

Node addressing (what the ledger stores)
----------------------------------------
A *perfect node* ``(level, index)`` is the root of the perfect subtree over the ``2**level``
leaves ``[index * 2**level, (index + 1) * 2**level)``. Level 0 nodes are the leaf hashes
themselves: ``(0, i)`` is ``leaf_hash(h, entry_i)``. ``(level, index)`` for level > 0 is
``node_hash(h, (level-1, 2*index), (level-1, 2*index+1))``. A perfect node exists once the
tree has at least ``(index + 1) * 2**level`` leaves and never changes afterwards, so the
ledger can store each one once, in an insert-only table keyed by (level, index):
:func:`perfect_nodes_completed_by_append` / :func:`nodes_for_append` say which nodes appear
when a leaf is appended (on average two per leaf).

A :class:`NodeRef` is a leaf range ``[start, end)`` whose MTH a proof needs. Every range that
appears in an RFC 9162 proof is *left-aligned*: ``start`` is a multiple of a power of two that
is at least ``end - start``. Such a range is a run of perfect nodes of decreasing size (one per
set bit of ``end - start``), so :func:`subtree_root` computes it with at most ~log2(n) node
lookups and no leaf scan. ``get_node(level, index) -> bytes`` is the caller's lookup, e.g. one
SELECT ... WHERE (level, index) IN (...) per proof via :meth:`NodeRef.perfect_nodes`.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from casetrail_verify import digests

#: ``get_node(level, index)`` returns the stored hash of perfect node (level, index).
GetNode = Callable[[int, int], bytes]

# RFC 9162 §2.1.1 domain separation prefixes.
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


class ProofError(ValueError):
    """A Merkle proof did not verify (or was malformed)."""


# --- hashing (RFC 9162 §2.1.1) ------------------------------------------------------------


def empty_root(h: str) -> bytes:
    """MTH({}) = HASH() - the root of the tree with no leaves."""
    return digests.digest(h, b"")


def leaf_hash(h: str, data: bytes) -> bytes:
    """MTH({d}) = HASH(0x00 || d)."""
    hasher = digests.new_hasher(h, _LEAF_PREFIX)
    hasher.update(data)
    return hasher.digest()


def node_hash(h: str, left: bytes, right: bytes) -> bytes:
    """HASH(0x01 || left || right)."""
    hasher = digests.new_hasher(h, _NODE_PREFIX)
    hasher.update(left)
    hasher.update(right)
    return hasher.digest()


def _split(n: int) -> int:
    """k = the largest power of two smaller than n (n >= 2), RFC 9162 §2.1.1."""
    return 1 << ((n - 1).bit_length() - 1)


def root(h: str, leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH of the tree whose level-0 nodes are ``leaf_hashes`` (already leaf-hashed)."""
    if not leaf_hashes:
        return empty_root(h)
    return _range_root(h, leaf_hashes, 0, len(leaf_hashes))


def _range_root(h: str, leaf_hashes: Sequence[bytes], start: int, end: int) -> bytes:
    # The RFC 9162 §2.1.1 recursion, verbatim: split at the largest power of two < n.
    # (Deliberately independent of the perfect-node code path so tests can compare them.)
    n = end - start
    if n == 1:
        return leaf_hashes[start]
    k = _split(n)
    return node_hash(
        h,
        _range_root(h, leaf_hashes, start, start + k),
        _range_root(h, leaf_hashes, start + k, end),
    )


def _perfect_decomposition(start: int, end: int) -> list[tuple[int, int]]:
    """Split a left-aligned [start, end) into perfect nodes (level, index), largest first."""
    parts: list[tuple[int, int]] = []
    pos = start
    remaining = end - start
    while remaining:
        level = remaining.bit_length() - 1
        size = 1 << level
        if pos % size:
            raise ValueError(f"range [{start}, {end}) is not left-aligned")
        parts.append((level, pos >> level))
        pos += size
        remaining -= size
    return parts


def _fold_right(h: str, hashes: list[bytes]) -> bytes:
    # MTH of a left-aligned range = H(p1, H(p2, ... H(p_{m-1}, p_m))) for its perfect parts
    # p1 > p2 > ... (RFC 9162 §2.1.1: the split point k is always the largest part).
    result = hashes[-1]
    for part in reversed(hashes[:-1]):
        result = node_hash(h, part, result)
    return result


# --- node references ----------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class NodeRef:
    """The MTH of leaves ``[start, end)`` - one element of a proof, before hashing."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end:
            raise ValueError(f"invalid leaf range [{self.start}, {self.end})")

    @property
    def size(self) -> int:
        return self.end - self.start

    @property
    def is_perfect(self) -> bool:
        """True if the range is exactly one stored perfect node."""
        size = self.size
        return size & (size - 1) == 0 and self.start % size == 0

    @property
    def level(self) -> int:
        """Level of the perfect node (only when :attr:`is_perfect`)."""
        if not self.is_perfect:
            raise ValueError(f"{self} is not a perfect node")
        return self.size.bit_length() - 1

    @property
    def index(self) -> int:
        """Index of the perfect node at its level (only when :attr:`is_perfect`)."""
        return self.start >> self.level

    def perfect_nodes(self) -> list[tuple[int, int]]:
        """The (level, index) perfect nodes whose right fold is this range's MTH.

        Largest first; a single element when :attr:`is_perfect`. Only defined for left-aligned
        ranges, which are the only kind RFC 9162 proofs contain.
        """
        return _perfect_decomposition(self.start, self.end)


def subtree_root(h: str, get_node: GetNode, start: int, end: int) -> bytes:
    """MTH(D[start:end]) computed from stored perfect nodes.

    Left-aligned ranges (all proof elements, and every prefix [0, n)) cost one lookup per
    set bit of ``end - start``. Other ranges follow the RFC 9162 §2.1.1 recursion down to
    perfect nodes, which is correct but may need more lookups.
    """
    if not 0 <= start < end:
        raise ValueError(f"invalid leaf range [{start}, {end})")
    size = end - start
    if size & (size - 1) == 0 and start % size == 0:
        level = size.bit_length() - 1
        return get_node(level, start >> level)
    top = 1 << (size.bit_length() - 1)
    if start % top == 0:
        return _fold_right(
            h, [get_node(level, index) for level, index in _perfect_decomposition(start, end)]
        )
    k = _split(size)
    return node_hash(
        h, subtree_root(h, get_node, start, start + k), subtree_root(h, get_node, start + k, end)
    )


def root_from_store(h: str, get_node: GetNode, size: int) -> bytes:
    """The tree head of the first ``size`` leaves, from stored perfect nodes."""
    if size < 0:
        raise ValueError(f"tree size must not be negative, got {size}")
    if size == 0:
        return empty_root(h)
    return subtree_root(h, get_node, 0, size)


def perfect_nodes_completed_by_append(size_before: int) -> list[tuple[int, int]]:
    """The perfect nodes (level, index) that become complete when leaf ``size_before`` is
    appended (growing the tree from ``size_before`` to ``size_before + 1`` leaves).

    Always ``(0, size_before)`` (the leaf hash itself), then one node per trailing zero bit of
    the new size, lowest level first - so each node's children already exist when it is
    computed in this order.
    """
    if size_before < 0:
        raise ValueError(f"tree size must not be negative, got {size_before}")
    new_size = size_before + 1
    nodes = [(0, size_before)]
    level = 1
    while new_size % (1 << level) == 0:
        nodes.append((level, (new_size >> level) - 1))
        level += 1
    return nodes


def nodes_for_append(
    h: str, get_node: GetNode, size_before: int, new_leaf_hash: bytes
) -> list[tuple[int, int, bytes]]:
    """Compute the hashes of :func:`perfect_nodes_completed_by_append` for a new leaf.

    Returns ``[(level, index, hash), ...]`` to insert. Only left siblings are looked up
    (one per new node above level 0); each right child is the node computed just before.
    """
    result: list[tuple[int, int, bytes]] = []
    current = new_leaf_hash
    for level, index in perfect_nodes_completed_by_append(size_before):
        if level > 0:
            current = node_hash(h, get_node(level - 1, 2 * index), current)
        result.append((level, index, current))
    return result


# --- proof generation (RFC 9162 §2.1.3.1 and §2.1.4.1) ----------------------------------


def inclusion_proof_nodes(index: int, size: int) -> list[NodeRef]:
    """Which subtree hashes form the inclusion proof of leaf ``index`` in a tree of ``size``.

    RFC 9162 §2.1.3.1 PATH(m, D[n]), ordered from the leaf's sibling up to the root's child.
    """
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is not in a tree of size {size}")
    top_down: list[NodeRef] = []
    start, end = 0, size
    while end - start > 1:
        mid = start + _split(end - start)
        if index < mid:  # PATH(m, D[0:k]) : MTH(D[k:n])
            top_down.append(NodeRef(mid, end))
            end = mid
        else:  # PATH(m - k, D[k:n]) : MTH(D[0:k])
            top_down.append(NodeRef(start, mid))
            start = mid
    top_down.reverse()
    return top_down


def consistency_proof_nodes(first: int, second: int) -> list[NodeRef]:
    """Which subtree hashes form the consistency proof from tree size ``first`` to ``second``.

    RFC 9162 §2.1.4.1 PROOF(m, D[n]) = SUBPROOF(m, D[n], true). ``first`` must be at least 1:
    every tree is trivially consistent with the empty tree, and the RFC defines no proof
    for it (the verifier refuses it, as transparency-dev/merkle does).
    """
    if not 0 < first <= second:
        raise ValueError(
            f"consistency proofs need 0 < first <= second, got first={first} second={second}"
        )
    top_down: list[NodeRef] = []
    start, end, m, complete = 0, second, first, True
    while True:
        n = end - start
        if m == n:
            # SUBPROOF(m, D[m], true) = {}; SUBPROOF(m, D[m], false) = {MTH(D[m])}
            if not complete:
                top_down.append(NodeRef(start, end))
            break
        k = _split(n)
        if m <= k:  # SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
            top_down.append(NodeRef(start + k, end))
            end = start + k
        else:  # SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
            top_down.append(NodeRef(start, start + k))
            start += k
            m -= k
            complete = False
    top_down.reverse()
    return top_down


def proof_from_nodes(h: str, get_node: GetNode, refs: Sequence[NodeRef]) -> list[bytes]:
    """Hash each :class:`NodeRef` from stored perfect nodes."""
    return [subtree_root(h, get_node, ref.start, ref.end) for ref in refs]


def inclusion_proof(
    h: str, leaf_hashes: Sequence[bytes], index: int, size: int | None = None
) -> list[bytes]:
    """Inclusion proof for leaf ``index`` in the tree of the first ``size`` leaf hashes."""
    size = len(leaf_hashes) if size is None else size
    if size > len(leaf_hashes):
        raise ValueError(f"tree size {size} exceeds the {len(leaf_hashes)} leaves given")
    return [
        _range_root(h, leaf_hashes, ref.start, ref.end)
        for ref in inclusion_proof_nodes(index, size)
    ]


def consistency_proof(
    h: str, leaf_hashes: Sequence[bytes], first: int, second: int | None = None
) -> list[bytes]:
    """Consistency proof between the trees of the first ``first`` and ``second`` leaves."""
    second = len(leaf_hashes) if second is None else second
    if second > len(leaf_hashes):
        raise ValueError(f"tree size {second} exceeds the {len(leaf_hashes)} leaves given")
    return [
        _range_root(h, leaf_hashes, ref.start, ref.end)
        for ref in consistency_proof_nodes(first, second)
    ]


def inclusion_proof_from_store(h: str, get_node: GetNode, index: int, size: int) -> list[bytes]:
    """Inclusion proof computed from stored perfect nodes."""
    return proof_from_nodes(h, get_node, inclusion_proof_nodes(index, size))


def consistency_proof_from_store(h: str, get_node: GetNode, first: int, second: int) -> list[bytes]:
    """Consistency proof computed from stored perfect nodes."""
    return proof_from_nodes(h, get_node, consistency_proof_nodes(first, second))


# --- verification (RFC 9162 §2.1.3.2 and §2.1.4.2) --------------------------------------


def _check_hash(h: str, value: bytes, what: str) -> None:
    size = digests.digest_size(h)
    if len(value) != size:
        raise ProofError(f"{what} is {len(value)} bytes; a {h} hash is {size} bytes")


def _same(a: bytes, b: bytes) -> bool:
    return hmac.compare_digest(a, b)


def root_from_inclusion_proof(
    h: str, index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes]
) -> bytes:
    """The root implied by an inclusion proof (RFC 9162 §2.1.3.2 steps 1-4).

    Raises :class:`ProofError` when the proof has the wrong length for (index, size).
    """
    # Step 1: the leaf must be inside the tree.
    if index < 0 or size < 0 or index >= size:
        raise ProofError(f"leaf index {index} is not in a tree of size {size}")
    _check_hash(h, leaf_hash, "the leaf hash")
    for i, p in enumerate(proof):
        _check_hash(h, p, f"proof element {i}")
    # Step 2-3.
    fn, sn = index, size - 1
    r = leaf_hash
    # Step 4.
    for p in proof:
        if sn == 0:
            raise ProofError("the inclusion proof is longer than the path to the root")
        if fn & 1 or fn == sn:
            r = node_hash(h, p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(h, r, p)
        fn >>= 1
        sn >>= 1
    # Step 5 (first half): the proof must reach the root.
    if sn != 0:
        raise ProofError("the inclusion proof is shorter than the path to the root")
    return r


def verify_inclusion(
    h: str, index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf_hash`` is leaf ``index`` of the tree of ``size`` with ``root``.

    Returns None on success, raises :class:`ProofError` otherwise (RFC 9162 §2.1.3.2).
    """
    computed = root_from_inclusion_proof(h, index, size, leaf_hash, proof)
    # Step 5 (second half).
    if not _same(computed, root):
        raise ProofError(f"inclusion proof for leaf {index} does not match the tree root")


def verify_consistency(
    h: str, first: int, second: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree of size ``second`` with ``root2`` extends the one of size ``first``
    with ``root1`` (RFC 9162 §2.1.4.2). Raises :class:`ProofError` otherwise.
    """
    # Edge cases decided as transparency-dev/merkle does (its "additional" test vectors):
    if first < 1:
        raise ProofError("a consistency proof from the empty tree proves nothing; first >= 1")
    if second < first:
        raise ProofError(f"second tree size {second} is smaller than first {first}")
    if first == second:
        if proof:
            raise ProofError("equal tree sizes need an empty consistency proof")
        if not _same(root1, root2):
            raise ProofError("equal tree sizes but different roots")
        return
    # Step 1.
    if not proof:
        raise ProofError("empty consistency proof for different tree sizes")
    for i, p in enumerate(proof):
        _check_hash(h, p, f"proof element {i}")
    path = list(proof)
    # Step 2: if first is an exact power of 2, prepend first_hash.
    if first & (first - 1) == 0:
        path.insert(0, root1)
    # Step 3.
    fn, sn = first - 1, second - 1
    # Step 4: if LSB(fn) is set, right-shift fn and sn until it is not.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # Step 5.
    fr = sr = path[0]
    # Step 6.
    for c in path[1:]:
        if sn == 0:
            raise ProofError("the consistency proof is too long")
        if fn & 1 or fn == sn:
            fr = node_hash(h, c, fr)
            sr = node_hash(h, c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(h, sr, c)
        fn >>= 1
        sn >>= 1
    # Step 7.
    if sn != 0:
        raise ProofError("the consistency proof is too short")
    if not _same(fr, root1):
        raise ProofError(f"consistency proof does not match the root of tree size {first}")
    if not _same(sr, root2):
        raise ProofError(f"consistency proof does not match the root of tree size {second}")
