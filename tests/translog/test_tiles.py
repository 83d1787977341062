"""Tiles (c2sp.org/tlog-tiles): paths, widths, tiled reads, stored hashes, bundles."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from translog.memory import MemoryHashReader, MemoryStore, leaf, mth
from zhengzhao.errors import InvalidRequest, ZhengzhaoError
from zhengzhao.translog.merkle import (
    consistency_proof,
    inclusion_proof,
    root_from_leaf_hashes,
    root_hash,
    verify_consistency,
    verify_inclusion,
)
from zhengzhao.translog.tiles import (
    ENTRIES,
    TiledHashReader,
    TilePath,
    decode_entry_bundle,
    encode_entry_bundle,
    entries_path,
    parse_tile_path,
    stored_hashes_after_append,
    tile_path,
    tile_widths,
    tiles_for_tree,
)

BIG_TREE = [leaf(i) for i in range(2048)]
BIG_STORE = MemoryStore.of_leaves(BIG_TREE)


# --- paths -----------------------------------------------------------------------


def test_tile_path_splits_the_index_as_the_spec_example() -> None:
    # tlog-tiles: "index 1234067 will be encoded as x001/x234/067".
    assert tile_path(0, 1234067) == "tile/0/x001/x234/067"


@pytest.mark.parametrize(
    ("path", "tile"),
    [
        ("tile/0/000", TilePath(0, 0)),
        ("tile/0/999", TilePath(0, 999)),
        ("tile/1/x001/000", TilePath(1, 1000)),
        ("tile/2/x001/x234/067.p/17", TilePath(2, 1234067, 17)),
        ("tile/63/000.p/1", TilePath(63, 0, 1)),
        ("tile/entries/x001/x234/067", TilePath(ENTRIES, 1234067)),
        ("tile/entries/000.p/255", TilePath(ENTRIES, 0, 255)),
    ],
)
def test_parse_tile_path_reads_canonical_paths(path: str, tile: TilePath) -> None:
    assert parse_tile_path(path) == tile
    assert tile.path == path


def test_entries_path_uses_the_tile_index_encoding() -> None:
    assert entries_path(1000, 3) == "tile/entries/x001/000.p/3"
    assert entries_path(5) == "tile/entries/005"


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("tile/00/000", "not a tile path"),  # level with a leading zero
        ("tile/01/000", "not a tile path"),
        ("tile/64/000", "tile level 64 is not 0-63"),
        ("tile/-1/000", "not a tile path"),
        ("tile/0/67", "not a tile path"),  # index group not of 3 digits
        ("tile/0/0067", "not a tile path"),
        ("tile/0/x067", "not a tile path"),  # the last group takes no x
        ("tile/0/001/067", "not a tile path"),  # earlier groups need their x
        ("tile/0/x000/067", "not canonical; the tile's path is tile/0/067"),
        ("tile/0/000.p/0", "not a tile path"),
        ("tile/0/000.p/007", "not a tile path"),  # width with leading zeros
        ("tile/0/000.p/256", "partial tile width 256 is not 1-255"),
        ("tile/0/000.p/", "not a tile path"),
        ("tile/0/000/", "not a tile path"),
        ("/tile/0/000", "not a tile path"),
        ("tile/0/\u0660\u0660\u0660", "not a tile path"),  # Arabic-Indic digits
        ("tile/data/000", "not a tile path"),
        ("tile/0/x018/x446/x744/x073/x709/x551/615", "outside any tree"),
        ("tile/0/x001/x000/x000/x000/x000/x000/x000/000", "beyond any uint64 tree"),
    ],
)
def test_parse_tile_path_refuses_malformed_paths(path: str, reason: str) -> None:
    with pytest.raises(InvalidRequest, match=reason):
        parse_tile_path(path)


@pytest.mark.parametrize(
    ("level", "index", "width"),
    [(64, 0, None), (-1, 0, None), (0, -1, None), (0, 0, 0), (0, 0, 256), (7, 1, 1)],
)
def test_tile_path_out_of_range_is_refused(
    level: int, index: int, width: int | None
) -> None:
    # (7, 1): a level-7 tile starts at leaf 2**64, beyond any uint64 tree.
    with pytest.raises(InvalidRequest):
        tile_path(level, index, width)


@given(
    data=st.data(),
    level=st.one_of(st.integers(min_value=0, max_value=6), st.just(ENTRIES)),
    width=st.one_of(st.none(), st.integers(min_value=1, max_value=255)),
)
def test_tile_path_then_parse_is_the_identity(
    data: st.DataObject, level: int | str, width: int | None
) -> None:
    height = 0 if level == ENTRIES else 8 * int(level)
    index = data.draw(st.integers(min_value=0, max_value=(2**64 >> (height + 8)) - 1))
    tile = TilePath(level, index, width)  # type: ignore[arg-type]  # drawn level

    assert parse_tile_path(tile.path) == tile


# --- widths ----------------------------------------------------------------------


def test_tile_widths_match_the_spec_example_of_70000_leaves() -> None:
    # tlog-tiles: 273 full level 0 tiles, a partial one of width 112, one full
    # level 1 tile, a partial one of width 17, and a partial level 2 tile of width 1.
    assert tile_widths(70_000, 0) == (273, 112)
    assert tile_widths(70_000, 1) == (1, 17)
    assert tile_widths(70_000, 2) == (0, 1)
    assert tile_widths(70_000, 3) == (0, 0)


def test_tiles_for_tree_of_70000_leaves_lists_every_tile() -> None:
    tiles = tiles_for_tree(70_000)

    assert len(tiles) == 273 + 1 + 1 + 1 + 1
    assert tiles[272:] == [
        TilePath(0, 272),
        TilePath(0, 273, 112),
        TilePath(1, 0),
        TilePath(1, 1, 17),
        TilePath(2, 0, 1),
    ]


def test_tiles_for_tree_of_256_leaves_is_a_full_tile_and_a_partial_above() -> None:
    # tlog-tiles: "a tree of size 256 will be represented by a full level 0 tile
    # and a partial level 1 tile of width 1".
    assert tiles_for_tree(256) == [TilePath(0, 0), TilePath(1, 0, 1)]


def test_tiles_for_empty_tree_is_empty() -> None:
    assert tiles_for_tree(0) == []


def test_tile_widths_for_negative_size_is_refused() -> None:
    with pytest.raises(InvalidRequest, match="no tiles for size -1"):
        tile_widths(-1, 0)


# --- the tiled reader ------------------------------------------------------------


@settings(deadline=None)
@given(data=st.data(), size=st.integers(min_value=1, max_value=2000))
def test_tiled_reader_agrees_with_the_reference(data: st.DataObject, size: int) -> None:
    height = data.draw(st.integers(min_value=0, max_value=size.bit_length() - 1))
    count = size >> height
    start = data.draw(st.integers(min_value=0, max_value=count - 1))
    end = data.draw(st.integers(min_value=start + 1, max_value=count))
    store = MemoryStore(levels=BIG_STORE.levels)

    hashes = TiledHashReader(store).hashes(height, start, end)

    assert hashes == MemoryHashReader(BIG_TREE).hashes(height, start, end)
    assert len(store.reads) == 1


@settings(deadline=None)
@given(data=st.data(), size=st.integers(min_value=1, max_value=2000))
def test_proofs_from_tiles_verify_within_the_read_bound(
    data: st.DataObject, size: int
) -> None:
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    old = data.draw(st.integers(min_value=0, max_value=size))
    store = MemoryStore(levels=BIG_STORE.levels)
    reader = TiledHashReader(store)
    root = root_hash(size, reader)

    inclusion = inclusion_proof(index, size, reader)
    consistency = consistency_proof(old, size, reader)

    assert root == mth(BIG_TREE[:size])
    verify_inclusion(
        leaf_hash=BIG_TREE[index], index=index, size=size, proof=inclusion, root=root
    )
    verify_consistency(
        old_size=old,
        new_size=size,
        old_root=mth(BIG_TREE[:old]),
        new_root=root,
        proof=consistency,
    )
    assert len(store.reads) <= 5 * size.bit_length()


def test_proofs_in_a_tree_of_three_tile_levels_read_little() -> None:
    size = 70_000
    leaves = [leaf(i) for i in range(size)]
    store = MemoryStore()
    store.write(stored_hashes_after_append(0, leaves, store.read))
    reader = TiledHashReader(store)
    root = root_from_leaf_hashes(leaves)

    for index in (0, 65_535, 65_536, 69_999):
        store.reads.clear()
        proof = inclusion_proof(index, size, reader)
        verify_inclusion(
            leaf_hash=leaves[index], index=index, size=size, proof=proof, root=root
        )
        assert len(store.reads) <= 2 * size.bit_length()
    store.reads.clear()
    proof = consistency_proof(65_537, size, reader)
    verify_consistency(
        old_size=65_537,
        new_size=size,
        old_root=root_from_leaf_hashes(leaves[:65_537]),
        new_root=root,
        proof=proof,
    )
    assert len(store.reads) <= 2 * size.bit_length()


# --- stored hashes ---------------------------------------------------------------


@settings(deadline=None)
@given(batches=st.lists(st.integers(min_value=0, max_value=300), max_size=12))
def test_appending_in_batches_stores_every_tile_level_hash(batches: list[int]) -> None:
    store = MemoryStore()
    size = 0
    for count in batches:
        store.reads.clear()
        new = BIG_TREE[size : size + count]

        store.write(stored_hashes_after_append(size, new, store.read))

        size += len(new)
        assert len(store.reads) <= 2  # at most once per level above the leaves
        assert all(end - start <= 255 for _, start, end in store.reads)
    assert store.levels == MemoryStore.of_leaves(BIG_TREE[:size]).levels


def test_appending_across_a_level_2_tile_stores_its_hash() -> None:
    leaves = [leaf(i) for i in range(65_536 + 10)]
    store = MemoryStore()
    store.write(stored_hashes_after_append(0, leaves[:65_530], store.read))

    stored = stored_hashes_after_append(65_530, leaves[65_530:], store.read)

    assert [(level, index) for level, index, _ in stored if level > 0] == [
        (1, 255),
        (2, 0),
    ]
    assert stored[-1][2] == root_from_leaf_hashes(leaves[:65_536])


def test_appending_nothing_stores_nothing() -> None:
    store = MemoryStore()

    assert stored_hashes_after_append(7, [], store.read) == []
    assert store.reads == []


def test_appending_over_an_incomplete_store_is_refused() -> None:
    def short_read(level: int, start: int, end: int) -> list[bytes]:
        return [b"\x00" * 32] * (end - start - 1)

    with pytest.raises(ZhengzhaoError, match="the store is incomplete") as info:
        stored_hashes_after_append(250, BIG_TREE[250:260], short_read)

    assert info.value.code == "log-store-damaged"


def test_appending_to_a_negative_size_is_refused() -> None:
    with pytest.raises(InvalidRequest, match="cannot be negative"):
        stored_hashes_after_append(-1, BIG_TREE[:1], MemoryStore().read)


# --- entry bundles ---------------------------------------------------------------


@given(st.lists(st.binary(max_size=600), min_size=1, max_size=256))
def test_entry_bundle_round_trips(entries: list[bytes]) -> None:
    assert decode_entry_bundle(encode_entry_bundle(entries)) == entries


def test_entry_bundle_is_big_endian_uint16_length_prefixed() -> None:
    bundle = encode_entry_bundle([b"abc", b"", b"x" * 258])

    assert bundle == b"\x00\x03abc" + b"\x00\x00" + b"\x01\x02" + b"x" * 258


def test_entry_of_the_largest_size_round_trips() -> None:
    entry = b"\xff" * 65_535

    assert decode_entry_bundle(encode_entry_bundle([entry])) == [entry]


def test_entry_over_65535_bytes_is_refused() -> None:
    with pytest.raises(InvalidRequest, match="entry 1 is 65536 bytes"):
        encode_entry_bundle([b"ok", b"\x00" * 65_536])


@pytest.mark.parametrize("count", [0, 257])
def test_entry_bundle_of_no_entries_or_more_than_a_tile_is_refused(count: int) -> None:
    with pytest.raises(InvalidRequest, match=f"this one has {count}"):
        encode_entry_bundle([b"e"] * count)
    with pytest.raises(InvalidRequest, match=f"this one has {count}"):
        decode_entry_bundle(b"\x00\x01e" * count)


def test_entry_bundle_cut_inside_an_entry_is_refused() -> None:
    bundle = encode_entry_bundle([b"abc", b"", b"defg"])
    boundaries = {5, 7, 13}

    for cut in set(range(1, len(bundle))) - boundaries:
        with pytest.raises(InvalidRequest, match="the entry bundle is truncated"):
            decode_entry_bundle(bundle[:cut])


def test_entry_bundle_truncation_says_what_is_missing() -> None:
    with pytest.raises(InvalidRequest, match="entry 1 declares 500 bytes but 2 remain"):
        decode_entry_bundle(b"\x00\x01a" + b"\x01\xf4zz")
    with pytest.raises(InvalidRequest, match="entry 1 has 1 of its 2 length bytes"):
        decode_entry_bundle(b"\x00\x01a\x00")
