"""In-memory logs for the tests, from RFC 9162's definitions written out literally.

`mth` is the recursive Merkle Tree Hash of RFC 9162 section 2.1.1, independent of the
level-by-level `root_from_leaf_hashes`; the readers count their calls so that tests
can hold the generators to their O(log n) bounds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

TILE_WIDTH = 256


def mth(leaf_hashes: Sequence[bytes]) -> bytes:
    """RFC 9162 section 2.1.1: MTH(D[n]), split at the largest power of two < n."""
    n = len(leaf_hashes)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return leaf_hashes[0]
    k = 1
    while k * 2 < n:
        k *= 2
    left, right = mth(leaf_hashes[:k]), mth(leaf_hashes[k:])
    return hashlib.sha256(b"\x01" + left + right).digest()


def leaf(index: int) -> bytes:
    """A leaf hash for position ``index``: RFC 9162's 0x00 prefix over some data."""
    return hashlib.sha256(b"\x00" + f"event {index}".encode()).digest()


@dataclass
class MemoryHashReader:
    """A `HashReader` that computes subtree hashes from the leaves, counting calls."""

    leaf_hashes: Sequence[bytes]
    calls: list[tuple[int, int, int]] = field(default_factory=list)

    def hashes(self, height: int, start: int, end: int) -> list[bytes]:
        self.calls.append((height, start, end))
        assert end << height <= len(self.leaf_hashes), "read beyond the tree"
        width = 1 << height
        return [
            mth(self.leaf_hashes[i * width : (i + 1) * width])
            for i in range(start, end)
        ]


@dataclass
class MemoryStore:
    """A `StoredHashes` holding tile-level hashes per level, counting reads.

    Refuses reads of hashes it does not hold, as a real store would.
    """

    levels: dict[int, list[bytes]] = field(default_factory=dict)
    reads: list[tuple[int, int, int]] = field(default_factory=list)

    @classmethod
    def of_leaves(cls, leaf_hashes: Sequence[bytes]) -> MemoryStore:
        """Every tile-level hash of a tree, computed directly with `mth`."""
        store = cls()
        width = 1
        level = 0
        while width <= len(leaf_hashes):
            count = len(leaf_hashes) // width
            store.levels[level] = [
                mth(leaf_hashes[i * width : (i + 1) * width]) for i in range(count)
            ]
            width *= TILE_WIDTH
            level += 1
        return store

    def read(self, level: int, start: int, end: int) -> list[bytes]:
        self.reads.append((level, start, end))
        row = self.levels.get(level, [])
        assert 0 <= start <= end <= len(row), f"level {level} has no [{start}, {end})"
        return row[start:end]

    def write(self, triples: Sequence[tuple[int, int, bytes]]) -> None:
        for level, index, value in triples:
            row = self.levels.setdefault(level, [])
            assert index == len(row), (
                f"level {level}: wrote {index}, expected {len(row)}"
            )
            row.append(value)
