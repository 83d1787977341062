"""Merkle Tree Hash, inclusion and consistency proofs (RFC 9162 section 2.1).

The log is an RFC 9162 Merkle tree over SHA-256: a leaf hashes as
``SHA-256(0x00 || data)``, an inner node as ``SHA-256(0x01 || left || right)``, and the
empty tree as ``SHA-256()`` (section 2.1.1).

Proofs are generated from stored hashes of complete subtrees, read through a
`HashReader`. A proof names at most one subtree that is not complete (the right edge
of the tree), which is folded from at most ``log2(n)`` complete subtrees, so every
generator makes O(log n) reads; each function states its bound.

Verification follows RFC 9162 sections 2.1.3.2 and 2.1.4.2. Its edge cases are those
of transparency-dev/merkle v0.0.2 (``proof.VerifyConsistency``): a tree of size 0 is
consistent with any tree given an empty proof, which is also what c2sp.org/tlog-witness
requires for a first checkpoint; trees of equal size are consistent only with an
empty proof and equal roots.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Protocol

from zhengzhao.errors import InvalidRequest, LogProofInvalid, LogStoreDamaged, SplitView

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "Frontier",
    "HashReader",
    "consistency_proof",
    "forked_prefix",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "root_from_leaf_hashes",
    "root_hash",
    "verify_consistency",
    "verify_inclusion",
]

#: SHA-256 output size: RFC 9162 takes the hash from the log's parameters, tlog-tiles
#: fixes SHA-256.
HASH_SIZE = 32
#: RFC 9162 section 2.1.1: the prefixes that separate leaf from node preimages.
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"
#: RFC 9162 section 2.1.1: MTH({}) = HASH().
EMPTY_ROOT = hashlib.sha256(b"").digest()

#: A complete subtree: (height, index), covering leaves [index * 2**height, +2**height).
_Node = tuple[int, int]
#: A range of leaves [start, end) whose MTH is a proof element or a root.
_Range = tuple[int, int]


class HashReader(Protocol):
    """Reads stored hashes of complete subtrees; one call is one read."""

    def hashes(self, height: int, start: int, end: int) -> list[bytes]:
        """The hashes of subtrees ``start .. end-1`` of height ``height``.

        Subtree ``i`` of height ``h`` covers leaves ``[i * 2**h, (i + 1) * 2**h)``;
        height 0 is the leaves. Only complete subtrees are asked for.
        """
        ...


def leaf_hash(data: bytes) -> bytes:
    """The RFC 9162 hash of one log entry."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The RFC 9162 hash of an inner node from its two children."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """The Merkle Tree Hash of a whole list of leaf hashes, in memory.

    Hashes level by level, carrying a lone last node up unchanged: the same tree as
    RFC 9162's split at the largest power of two below the size.
    """
    if not hashes:
        return EMPTY_ROOT
    level = list(hashes)
    while len(level) > 1:
        pairs = range(0, len(level) - 1, 2)
        paired = [node_hash(level[i], level[i + 1]) for i in pairs]
        level = paired + level[len(paired) * 2 :]
    return level[0]


class Frontier:
    """The right edge of a tree built leaf hash by leaf hash: its root at every size.

    Holds one hash per complete subtree on the edge, at most ``log2(n) + 1`` of
    them, so a tree of any size is rebuilt in constant memory from a stream of its
    leaf hashes (RFC 9162 section 2.1.1, folded as a compact range).
    """

    def __init__(self) -> None:
        #: (height, hash) of each complete subtree on the edge, tallest first.
        self._edge: list[tuple[int, bytes]] = []
        self._size = 0

    @property
    def size(self) -> int:
        """How many leaf hashes were pushed."""
        return self._size

    def push(self, leaf: bytes) -> None:
        """Append one leaf hash (not leaf data) to the tree."""
        node, height = leaf, 0
        while self._edge and self._edge[-1][0] == height:
            node = node_hash(self._edge.pop()[1], node)
            height += 1
        self._edge.append((height, node))
        self._size += 1

    def root(self) -> bytes:
        """The Merkle Tree Hash of the leaves pushed so far."""
        if not self._edge:
            return EMPTY_ROOT
        value = self._edge[-1][1]
        for _height, left in reversed(self._edge[:-1]):
            value = node_hash(left, value)
        return value

    def copy(self) -> Frontier:
        twin = Frontier()
        twin._edge = list(self._edge)
        twin._size = self._size
        return twin


def root_hash(size: int, reader: HashReader) -> bytes:
    """The root of the tree of the first ``size`` leaves.

    Reads once per complete subtree on the right edge: ``popcount(size)`` calls.
    """
    _require(size >= 0, f"a tree size cannot be negative; got {size}")
    if size == 0:
        return EMPTY_ROOT
    return _hash_ranges([(0, size)], reader)[0]


def inclusion_proof(index: int, size: int, reader: HashReader) -> list[bytes]:
    """RFC 9162 section 2.1.3.1 PATH(index, D[0:size]), bottom to top.

    Raises `InvalidRequest` unless ``0 <= index < size``. At most
    ``2 * size.bit_length()`` calls: one per complete sibling and one per piece of
    the single incomplete sibling.
    """
    _require(0 <= index < size, f"leaf {index} is not in a tree of size {size}")
    return _hash_ranges(_path_ranges(index, size), reader)


def consistency_proof(old_size: int, new_size: int, reader: HashReader) -> list[bytes]:
    """RFC 9162 section 2.1.4.1 PROOF(old_size, D[0:new_size]), bottom to top.

    Empty when ``old_size`` is 0 or equals ``new_size`` (what tlog-witness sends);
    raises `InvalidRequest` unless ``0 <= old_size <= new_size``. At most
    ``2 * new_size.bit_length()`` calls, as for `inclusion_proof`.
    """
    _require(
        0 <= old_size <= new_size,
        f"no consistency proof from size {old_size} to size {new_size}: the old size"
        " must be between 0 and the new size",
    )
    if old_size in (0, new_size):
        return []
    return _hash_ranges(_subproof_ranges(old_size, new_size), reader)


def verify_inclusion(
    *, leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check an RFC 9162 section 2.1.3.2 inclusion proof; raise `LogProofInvalid`."""
    _check(0 <= index < size, f"leaf index {index} is beyond the tree of size {size}")
    _check_hash("the leaf hash", leaf_hash)
    inner, border = _decompose(index, size)
    _check_length("inclusion", proof, inner + border, f"leaf {index} of size {size}")
    _check_hashes(proof)
    computed = _chain_inner(leaf_hash, proof[:inner], index)
    computed = _chain_border(computed, proof[inner:])
    _check_root("inclusion proof's", computed, root)


def verify_consistency(
    *,
    old_size: int,
    new_size: int,
    old_root: bytes,
    new_root: bytes,
    proof: Sequence[bytes],
) -> None:
    """Check an RFC 9162 section 2.1.4.2 consistency proof.

    Raises `SplitView` for two different roots of one size, `LogProofInvalid` for
    anything else that fails (sizes out of order, proof of the wrong length, a proof
    that leads to another root).
    """
    _check(
        0 <= old_size <= new_size,
        f"the old tree (size {old_size}) must not be larger than the new tree"
        f" (size {new_size}): a log only grows",
    )
    if old_size == new_size:
        _check_length("consistency", proof, 0, f"equal sizes {old_size}")
        _check_same_view(old_size, old_root, new_root)
        return
    if old_size == 0:
        _check_length("consistency", proof, 0, "an old tree of size 0")
        return
    empty = f"the consistency proof from size {old_size} to {new_size} is empty"
    _check(len(proof) > 0, empty)
    _verify_subproof(old_size, new_size, old_root, new_root, proof)


def forked_prefix(
    *,
    old_size: int,
    new_size: int,
    old_root: bytes,
    new_root: bytes,
    proof: Sequence[bytes],
) -> bytes | None:
    """What a failed consistency proof proves, if anything: the root of the first
    ``old_size`` leaves of the tree whose root is ``new_root``, when the proof leads
    to ``new_root`` and that prefix root is not ``old_root``.

    Every hash of the proof goes into the new root, so a proof that leads to it
    holds the tree's own hashes (short of a SHA-256 collision), and the prefix root
    it yields is that tree's: two signed roots that no append-only log can both
    have. None when the proof proves nothing of the kind: it verifies, it is
    malformed, it does not lead to ``new_root`` (a junk proof), or ``old_size`` is a
    power of two (the proof then carries no hash of the old tree to compare).
    """
    if not 0 < old_size < new_size:
        return None
    try:
        roots = _subproof_roots(old_size, new_size, old_root, proof)
    except LogProofInvalid:
        return None
    old, new, seeded = roots
    if seeded or new != new_root or old == old_root:
        return None
    return old


# --- generation ------------------------------------------------------------------


def _largest_power_below(n: int) -> int:
    """RFC 9162 section 2.1.1's k: the largest power of two smaller than ``n > 1``."""
    return 1 << ((n - 1).bit_length() - 1)


def _path_ranges(index: int, size: int) -> list[_Range]:
    """The leaf ranges whose hashes form PATH(index, D[0:size]), bottom first."""
    ranges: list[_Range] = []
    low, high = 0, size
    while high - low > 1:
        split = low + _largest_power_below(high - low)
        if index < split:
            ranges.append((split, high))
            high = split
        else:
            ranges.append((low, split))
            low = split
    return ranges[::-1]


def _subproof_ranges(old_size: int, new_size: int) -> list[_Range]:
    """The leaf ranges of SUBPROOF(old_size, D[0:new_size], true), bottom first."""
    ranges: list[_Range] = []
    low, high, known = 0, new_size, True
    while old_size - low != high - low:
        split = low + _largest_power_below(high - low)
        if old_size <= split:
            ranges.append((split, high))
            high = split
        else:
            ranges.append((low, split))
            low, known = split, False
    if not known:
        ranges.append((low, high))
    return ranges[::-1]


def _cover(start: int, end: int) -> list[_Node]:
    """Split ``[start, end)`` into the largest aligned complete subtrees, left first.

    For the ranges proofs use, the heights decrease left to right.
    """
    nodes: list[_Node] = []
    while start < end:
        height = (start & -start).bit_length() - 1 if start else end.bit_length()
        while start + (1 << height) > end:
            height -= 1
        nodes.append((height, start >> height))
        start += 1 << height
    return nodes


def _hash_ranges(ranges: Sequence[_Range], reader: HashReader) -> list[bytes]:
    """The MTH of each range, reading every subtree hash needed once."""
    covers = [_cover(start, end) for start, end in ranges]
    known = _read_nodes((node for cover in covers for node in cover), reader)
    results = []
    for cover in covers:
        folded = known[cover[-1]]
        for node in reversed(cover[:-1]):
            folded = node_hash(known[node], folded)
        results.append(folded)
    return results


def _read_nodes(nodes: Iterable[_Node], reader: HashReader) -> dict[_Node, bytes]:
    """Read ``nodes``, one call per run of consecutive indices at one height."""
    by_height: dict[int, set[int]] = {}
    for height, index in nodes:
        by_height.setdefault(height, set()).add(index)
    known: dict[_Node, bytes] = {}
    for height, indices in by_height.items():
        for start, end in _runs(sorted(indices)):
            hashes = reader.hashes(height, start, end)
            if len(hashes) != end - start:
                raise LogStoreDamaged(
                    f"the log store returned {len(hashes)} hashes of height {height}"
                    f" for [{start}, {end}); expected {end - start}: the store is"
                    " incomplete",
                )
            known.update(((height, start + i), value) for i, value in enumerate(hashes))
    return known


def _runs(indices: list[int]) -> list[tuple[int, int]]:
    """Sorted distinct ``indices`` as half-open runs of consecutive values."""
    runs: list[tuple[int, int]] = []
    for index in indices:
        if runs and runs[-1][1] == index:
            runs[-1] = (runs[-1][0], index + 1)
        else:
            runs.append((index, index + 1))
    return runs


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise InvalidRequest(message)


# --- verification ----------------------------------------------------------------


def _decompose(index: int, size: int) -> tuple[int, int]:
    """Split a proof for ``index`` in a tree of ``size`` into (inner, border) lengths.

    Inner hashes sit below the node where the paths to ``index`` and ``size - 1``
    part; border hashes are left siblings above it, one per set bit.
    """
    inner = (index ^ (size - 1)).bit_length()
    return inner, (index >> inner).bit_count()


def _chain_inner(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    for level, sibling in enumerate(proof):
        if (index >> level) & 1:
            seed = node_hash(sibling, seed)
        else:
            seed = node_hash(seed, sibling)
    return seed


def _chain_inner_left(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    """Like `_chain_inner`, keeping only left siblings: the older tree's node."""
    for level, sibling in enumerate(proof):
        if (index >> level) & 1:
            seed = node_hash(sibling, seed)
    return seed


def _chain_border(seed: bytes, proof: Sequence[bytes]) -> bytes:
    for sibling in proof:
        seed = node_hash(sibling, seed)
    return seed


def _verify_subproof(
    old_size: int,
    new_size: int,
    old_root: bytes,
    new_root: bytes,
    proof: Sequence[bytes],
) -> None:
    """RFC 9162 section 2.1.4.2 for ``0 < old_size < new_size``.

    The proof is the inclusion path of the old tree's last complete subtree, whose
    hash comes first unless the old size is a power of two (then it is the old root).
    """
    old, new, _seeded = _subproof_roots(old_size, new_size, old_root, proof)
    _check_root("consistency proof's old", old, old_root)
    _check_root("consistency proof's new", new, new_root)


def _subproof_roots(
    old_size: int, new_size: int, old_root: bytes, proof: Sequence[bytes]
) -> tuple[bytes, bytes, bool]:
    """The old and new roots a consistency proof for ``0 < old_size < new_size``
    leads to, and whether it was seeded with ``old_root`` (an old size that is a
    power of two). Raises `LogProofInvalid` for a proof of the wrong shape."""
    inner, border = _decompose(old_size - 1, new_size)
    shift = (old_size & -old_size).bit_length() - 1
    inner -= shift
    seeded = old_size == 1 << shift
    expected = inner + border + (0 if seeded else 1)
    _check_length("consistency", proof, expected, f"sizes {old_size} to {new_size}")
    _check_hashes(proof)
    seed, path = (old_root, proof) if seeded else (proof[0], proof[1:])
    mask = (old_size - 1) >> shift
    old = _chain_border(_chain_inner_left(seed, path[:inner], mask), path[inner:])
    new = _chain_border(_chain_inner(seed, path[:inner], mask), path[inner:])
    return old, new, seeded


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise LogProofInvalid(message)


def _check_hash(what: str, value: bytes) -> None:
    _check(
        len(value) == HASH_SIZE,
        f"{what} is {len(value)} bytes; a SHA-256 hash is {HASH_SIZE}",
    )


def _check_length(kind: str, proof: Sequence[bytes], expected: int, case: str) -> None:
    _check(
        len(proof) == expected,
        f"the {kind} proof has {len(proof)} hashes; a proof for {case} has {expected}",
    )


def _check_hashes(proof: Sequence[bytes]) -> None:
    for position, item in enumerate(proof):
        _check_hash(f"proof hash {position}", item)


def _check_root(kind: str, computed: bytes, expected: bytes) -> None:
    _check(
        computed == expected,
        f"the {kind} root is {computed.hex()}, expected {expected.hex()}: the proof"
        " does not match the tree",
    )


def _check_same_view(size: int, old_root: bytes, new_root: bytes) -> None:
    if old_root != new_root:
        raise SplitView(
            f"two trees of size {size} have different roots, {old_root.hex()} and"
            f" {new_root.hex()}: the log has shown two views",
            details={"size": size, "roots": [old_root.hex(), new_root.hex()]},
        )
