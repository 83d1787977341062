"""The log as tiles (c2sp.org/tlog-tiles): tile paths, stored hashes, entry bundles.

A tile at level L and index N holds the hashes of the complete subtrees of height 8L
with indices ``N * 256`` to ``N * 256 + W - 1``; full tiles are 256 hashes wide and a
partial tile, of width W below 256, ends at the tree's right edge. The storage keeps
exactly those hashes ("tile-level" hashes, heights 0, 8, 16, ...): `TiledHashReader`
answers any height from them, and `stored_hashes_after_append` says which ones an
append completes.

Paths are ``tile/<L>/<N>[.p/<W>]`` and ``tile/entries/<N>[.p/<W>]``, with N written
in 3-digit groups, all but the last prefixed ``x`` (1234067 is ``x001/x234/067``).
Entry bundles are entries each preceded by a big-endian uint16 length.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final, Literal, Protocol

from zhengzhao.errors import InvalidRequest, LogStoreDamaged
from zhengzhao.translog.merkle import node_hash, root_from_leaf_hashes

__all__ = [
    "ENTRIES",
    "MAX_ENTRY_SIZE",
    "MAX_LEVEL",
    "TILE_HEIGHT",
    "TILE_WIDTH",
    "StoredHashes",
    "TilePath",
    "TiledHashReader",
    "WholeTiles",
    "decode_entry_bundle",
    "encode_entry_bundle",
    "entries_path",
    "parse_tile_path",
    "stored_hashes_after_append",
    "tile_path",
    "tile_widths",
    "tiles_for_tree",
]

#: tlog-tiles: a full tile is 256 hashes, the leaves of a subtree of height 8.
TILE_HEIGHT: Final = 8
TILE_WIDTH: Final = 1 << TILE_HEIGHT
#: tlog-tiles: ``<L>`` is "a decimal ASCII integer between 0 and 63".
MAX_LEVEL: Final = 63
#: tlog-tiles: entries carry a big-endian uint16 length.
MAX_ENTRY_SIZE: Final = 0xFFFF
#: The level of entry bundles in a `TilePath`.
ENTRIES: Final = "entries"
#: RFC 9162 section 4.10: tree sizes are uint64, so no tile starts at 2**64 or later.
_TREE_SIZE_LIMIT = 1 << 64
#: The digits of an index below 2**64 fit in 7 groups of 3.
_MAX_INDEX_GROUPS = 7
_LENGTH_PREFIX = 2

_PATH = re.compile(
    r"tile/(?P<level>entries|0|[1-9][0-9]?)/(?P<index>(?:x[0-9]{3}/)*[0-9]{3})"
    r"(?:\.p/(?P<width>[1-9][0-9]{0,2}))?"
)


class StoredHashes(Protocol):
    """The log's store of tile-level hashes; one call is one read."""

    def read(self, level: int, start: int, end: int) -> list[bytes]:
        """Hashes ``start .. end-1`` at tile level ``level`` (subtree height 8L)."""
        ...


class TiledHashReader:
    """A `HashReader` over tile-level hashes: one `read` per call.

    Height ``8L + r`` is folded from ``2**r`` hashes per subtree at level L, all read
    at once, so the O(log n) bounds of the proof generators carry over unchanged.
    """

    def __init__(self, stored: StoredHashes) -> None:
        self._stored = stored

    def hashes(self, height: int, start: int, end: int) -> list[bytes]:
        level, rest = divmod(height, TILE_HEIGHT)
        row = _read_exactly(self._stored.read, level, start << rest, end << rest)
        for _ in range(rest):
            row = [node_hash(row[i], row[i + 1]) for i in range(0, len(row), 2)]
        return row


class WholeTiles:
    """A `StoredHashes` that reads whole tiles of one tree and keeps them.

    A proof's siblings below height 8 all lie in one level-0 tile, those of heights
    8 to 15 in one level-1 tile, and so on; reading each tile whole makes a proof
    cost about one read per tile level instead of one per tree height. Only tiles
    within the tree of ``size`` are read, so the answer does not depend on what the
    sequencer appends meanwhile.
    """

    def __init__(self, stored: StoredHashes, size: int) -> None:
        self._stored = stored
        self._size = size
        self._tiles: dict[tuple[int, int], list[bytes]] = {}

    def read(self, level: int, start: int, end: int) -> list[bytes]:
        available = self._size >> (TILE_HEIGHT * level)
        if not 0 <= start < end <= available:
            return self._stored.read(level, start, end)  # the caller sees the gap
        first, last = start // TILE_WIDTH, (end - 1) // TILE_WIDTH
        missing = [t for t in range(first, last + 1) if (level, t) not in self._tiles]
        if missing:
            low = missing[0] * TILE_WIDTH
            high = min((missing[-1] + 1) * TILE_WIDTH, available)
            row = self._stored.read(level, low, high)
            if len(row) != high - low:
                return row  # incomplete store: reported by the caller's length check
            for offset in range(0, len(row), TILE_WIDTH):
                self._tiles[level, (low + offset) // TILE_WIDTH] = row[
                    offset : offset + TILE_WIDTH
                ]
        hashes = [h for t in range(first, last + 1) for h in self._tiles[level, t]]
        skip = first * TILE_WIDTH
        return hashes[start - skip : end - skip]


def stored_hashes_after_append(
    size_before: int,
    new_leaf_hashes: Sequence[bytes],
    read: Callable[[int, int, int], list[bytes]],
) -> list[tuple[int, int, bytes]]:
    """The (level, index, hash) triples to store after appending leaves.

    The new leaf hashes themselves at level 0, then every subtree of height 8, 16,
    ... that the append completes. ``read`` is `StoredHashes.read`; it is called at
    most once per level, for the at most 255 earlier hashes that share a tile with
    the first new one.
    """
    if size_before < 0:
        raise InvalidRequest(f"a tree size cannot be negative; got {size_before}")
    stored = [(0, size_before + i, value) for i, value in enumerate(new_leaf_hashes)]
    level, first, fresh = 0, size_before, list(new_leaf_hashes)
    while True:
        tile_start = first - first % TILE_WIDTH
        complete_end = (first + len(fresh)) // TILE_WIDTH * TILE_WIDTH
        if complete_end <= tile_start:
            return stored
        earlier = (
            _read_exactly(read, level, tile_start, first) if tile_start < first else []
        )
        row = earlier + fresh[: complete_end - first]
        fresh = [
            root_from_leaf_hashes(row[i : i + TILE_WIDTH])
            for i in range(0, len(row), TILE_WIDTH)
        ]
        level, first = level + 1, tile_start // TILE_WIDTH
        stored.extend((level, first + i, value) for i, value in enumerate(fresh))


@dataclass(frozen=True)
class TilePath:
    """One resource of a tiled log, as its path names it."""

    #: The tile level 0-63 (hashes of subtrees of height 8 * level), or `ENTRIES`
    #: for an entry bundle.
    level: int | Literal["entries"]
    #: The tile's position within its level, from 0.
    index: int
    #: The number of hashes or entries of a partial tile (1-255); None when full.
    width: int | None = None

    def __post_init__(self) -> None:
        level = 0 if self.level == ENTRIES else self.level
        if not isinstance(level, int) or not 0 <= level <= MAX_LEVEL:
            raise InvalidRequest(f"tile level {self.level!r} is not 0-63 or 'entries'")
        if self.width is not None and not 0 < self.width < TILE_WIDTH:
            raise InvalidRequest(f"partial tile width {self.width} is not 1-255")
        first_leaf = self.index << (TILE_HEIGHT * (level + 1))
        if not 0 <= first_leaf < _TREE_SIZE_LIMIT:
            raise InvalidRequest(
                f"tile index {self.index} at level {self.level} is outside any tree"
                " of at most 2**64 leaves"
            )

    @property
    def path(self) -> str:
        """The tlog-tiles path, without the log's URL prefix."""
        partial = "" if self.width is None else f".p/{self.width}"
        return f"tile/{self.level}/{_index_path(self.index)}{partial}"


def tile_path(level: int, index: int, width: int | None = None) -> str:
    """``tile/<L>/<N>[.p/<W>]``; raises `InvalidRequest` for values out of range."""
    return TilePath(level, index, width).path


def entries_path(index: int, width: int | None = None) -> str:
    """``tile/entries/<N>[.p/<W>]``; raises `InvalidRequest` for values out of range."""
    return TilePath(ENTRIES, index, width).path


def parse_tile_path(path: str) -> TilePath:
    """Read a tile or entry-bundle path; raise `InvalidRequest` if it is not canonical.

    Refused: leading zeros in the level or width, a level above 63, a width of 0 or
    above 255, index groups not of 3 digits or without their ``x``, a leading
    ``x000`` group, an index beyond any uint64 tree.
    """
    match = _PATH.fullmatch(path)
    if match is None:
        raise InvalidRequest(
            f"{path!r} is not a tile path: expected tile/<L>/<N>[.p/<W>] or"
            " tile/entries/<N>[.p/<W>] with N in 3-digit groups such as x001/x234/067"
        )
    groups = match["index"].split("/")
    if len(groups) > _MAX_INDEX_GROUPS:
        raise InvalidRequest(f"tile index in {path!r} is beyond any uint64 tree")
    level_text, width_text = match["level"], match["width"]
    level: int | Literal["entries"] = (
        ENTRIES if level_text == ENTRIES else int(level_text)
    )
    index = int("".join(group.lstrip("x") for group in groups))
    tile = TilePath(level, index, None if width_text is None else int(width_text))
    if tile.path != path:
        raise InvalidRequest(
            f"{path!r} is not canonical; the tile's path is {tile.path}"
        )
    return tile


def tile_widths(size: int, level: int) -> tuple[int, int]:
    """(full tiles, width of the partial tile or 0) at ``level`` for a tree of ``size``.

    tlog-tiles: the partial tile at level l has ``floor(size / 256**l) mod 256``
    hashes; a tree of 70,000 leaves has ``(273, 112)`` at level 0.
    """
    if size < 0 or not 0 <= level <= MAX_LEVEL:
        raise InvalidRequest(f"no tiles for size {size} at level {level}")
    hashes = size >> (TILE_HEIGHT * level)
    return hashes // TILE_WIDTH, hashes % TILE_WIDTH


def tiles_for_tree(size: int) -> list[TilePath]:
    """Every hash tile of a tree of ``size``, by level, full tiles before the partial.

    Entry bundles mirror the level-0 tiles and are not listed.
    """
    tiles: list[TilePath] = []
    level = 0
    while size >> (TILE_HEIGHT * level):
        full, partial = tile_widths(size, level)
        tiles.extend(TilePath(level, index) for index in range(full))
        if partial:
            tiles.append(TilePath(level, full, partial))
        level += 1
    return tiles


def encode_entry_bundle(entries: Sequence[bytes]) -> bytes:
    """Entries each after a big-endian uint16 length; 1 to 256 of at most 65535 bytes.

    Raises `InvalidRequest` for an entry too long or a bundle empty or over 256.
    """
    _check_entry_count(len(entries))
    out = bytearray()
    for position, entry in enumerate(entries):
        if len(entry) > MAX_ENTRY_SIZE:
            raise InvalidRequest(
                f"entry {position} is {len(entry)} bytes; an entry bundle holds"
                f" entries of at most {MAX_ENTRY_SIZE} bytes (a uint16 length)"
            )
        out += len(entry).to_bytes(_LENGTH_PREFIX, "big") + entry
    return bytes(out)


def decode_entry_bundle(data: bytes) -> list[bytes]:
    """The entries of a bundle; raises `InvalidRequest` if it is truncated.

    Also refused: an empty bundle (tlog-tiles serves no empty tiles) and one of more
    than 256 entries.
    """
    entries: list[bytes] = []
    offset = 0
    while offset < len(data):
        if len(data) - offset < _LENGTH_PREFIX:
            raise InvalidRequest(
                f"the entry bundle is truncated: entry {len(entries)} has"
                f" {len(data) - offset} of its 2 length bytes"
            )
        length = int.from_bytes(data[offset : offset + _LENGTH_PREFIX], "big")
        offset += _LENGTH_PREFIX
        if len(data) - offset < length:
            raise InvalidRequest(
                f"the entry bundle is truncated: entry {len(entries)} declares"
                f" {length} bytes but {len(data) - offset} remain"
            )
        entries.append(data[offset : offset + length])
        offset += length
    _check_entry_count(len(entries))
    return entries


def _index_path(index: int) -> str:
    groups = [f"{index % 1000:03d}"]
    while index >= 1000:
        index //= 1000
        groups.append(f"x{index % 1000:03d}")
    return "/".join(reversed(groups))


def _read_exactly(
    read: Callable[[int, int, int], list[bytes]], level: int, start: int, end: int
) -> list[bytes]:
    hashes = list(read(level, start, end))
    if len(hashes) != end - start:
        raise LogStoreDamaged(
            f"the log store returned {len(hashes)} hashes for level {level},"
            f" [{start}, {end}); expected {end - start}: the store is incomplete",
        )
    return hashes


def _check_entry_count(count: int) -> None:
    if not 0 < count <= TILE_WIDTH:
        raise InvalidRequest(
            f"an entry bundle holds 1 to {TILE_WIDTH} entries; this one has {count}"
        )
