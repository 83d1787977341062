"""Merkle tree hashes and proofs: transparency-dev/merkle's vectors, then properties."""

from __future__ import annotations

import base64
import itertools
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from translog.memory import MemoryHashReader, leaf, mth
from zhengzhao.errors import InvalidRequest, LogProofInvalid, SplitView, ZhengzhaoError
from zhengzhao.translog.merkle import (
    EMPTY_ROOT,
    Frontier,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_from_leaf_hashes,
    root_hash,
    verify_consistency,
    verify_inclusion,
)

VECTORS = Path(__file__).parent / "vectors"
REFERENCE = json.loads((VECTORS / "merkle_reference_tree.json").read_text())
INCLUSION = json.loads((VECTORS / "merkle_inclusion_probes.json").read_text())["probes"]
CONSISTENCY = json.loads((VECTORS / "merkle_consistency_probes.json").read_text())[
    "probes"
]
SAMPLES = json.loads((VECTORS / "merkle_testdata_samples.json").read_text())["files"]

LEAVES = [bytes.fromhex(data) for data in REFERENCE["leaves_hex"]]
ROOTS = [bytes.fromhex(root) for root in REFERENCE["roots_hex"]]
#: Leaf hashes of a tree big enough for every size the properties draw.
BIG_TREE = [leaf(i) for i in range(2048)]


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value or "")


def _verify_inclusion_probe(probe: dict[str, Any]) -> None:
    verify_inclusion(
        leaf_hash=_b64(probe["leaf_hash"]),
        index=probe["leaf_index"],
        size=probe["tree_size"],
        proof=[_b64(item) for item in probe["proof"] or []],
        root=_b64(probe["root"]),
    )


def _verify_consistency_probe(probe: dict[str, Any]) -> None:
    verify_consistency(
        old_size=probe["size1"],
        new_size=probe["size2"],
        old_root=_b64(probe["root1"]),
        new_root=_b64(probe["root2"]),
        proof=[_b64(item) for item in probe["proof"] or []],
    )


# --- the reference tree of transparency-dev/merkle --------------------------------


def test_leaf_and_node_hashes_match_the_reference_tree() -> None:
    levels = [[bytes.fromhex(h) for h in row] for row in REFERENCE["node_hashes_hex"]]

    assert [leaf_hash(data) for data in LEAVES] == levels[0]
    for below, above in itertools.pairwise(levels):
        pairs = zip(below[0::2], below[1::2], strict=True)
        assert [node_hash(left, right) for left, right in pairs] == above


def test_empty_root_is_sha256_of_nothing() -> None:
    assert EMPTY_ROOT == ROOTS[0]
    assert root_from_leaf_hashes([]) == EMPTY_ROOT


@pytest.mark.parametrize("size", range(9))
def test_root_hash_matches_the_reference_root_for_each_size(size: int) -> None:
    hashes = [leaf_hash(data) for data in LEAVES]

    assert root_from_leaf_hashes(hashes[:size]) == ROOTS[size]
    assert root_hash(size, MemoryHashReader(hashes)) == ROOTS[size]


@pytest.mark.parametrize(
    "vector", REFERENCE["inclusion_proofs"], ids=lambda v: f"{v['index']}-{v['size']}"
)
def test_inclusion_proof_reproduces_the_published_proof(vector: dict[str, Any]) -> None:
    reader = MemoryHashReader([leaf_hash(data) for data in LEAVES])

    proof = inclusion_proof(vector["index"], vector["size"], reader)

    assert [item.hex() for item in proof] == vector["proof_hex"]


@pytest.mark.parametrize(
    "vector",
    REFERENCE["consistency_proofs"],
    ids=lambda v: f"{v['old_size']}-{v['new_size']}",
)
def test_consistency_proof_reproduces_the_published_proof(
    vector: dict[str, Any],
) -> None:
    reader = MemoryHashReader([leaf_hash(data) for data in LEAVES])

    proof = consistency_proof(vector["old_size"], vector["new_size"], reader)

    assert [item.hex() for item in proof] == vector["proof_hex"]


# --- the named probes: happy paths accepted, every corruption refused ------------


@pytest.mark.parametrize("probe", INCLUSION, ids=lambda p: p["case"])
def test_verify_inclusion_follows_the_published_probe(probe: dict[str, Any]) -> None:
    if probe["want_error"]:
        with pytest.raises(LogProofInvalid):
            _verify_inclusion_probe(probe)
    else:
        _verify_inclusion_probe(probe)


@pytest.mark.parametrize("probe", CONSISTENCY, ids=lambda p: p["case"])
def test_verify_consistency_follows_the_published_probe(probe: dict[str, Any]) -> None:
    # Two probes expect main's refusal of every old size 0; we follow v0.0.2 and
    # tlog-witness, which accept it with an empty proof (the JSON says why).
    want_error = probe.get("v0_0_2_want_error", probe["want_error"])
    if want_error:
        with pytest.raises((LogProofInvalid, SplitView)):
            _verify_consistency_probe(probe)
    else:
        _verify_consistency_probe(probe)


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda s: s["path"])
def test_verify_follows_the_upstream_testdata_file(sample: dict[str, Any]) -> None:
    content = sample["content"]
    want_error = content["wantErr"] and "deviation" not in sample
    if "size1" in content:
        check = _verify_consistency_probe
        probe = content
    else:
        check = _verify_inclusion_probe
        index = content.get("leafIdx", content.get("leafIndex"))
        probe = {**content, "leaf_index": index, "tree_size": content["treeSize"]}
        probe |= {"leaf_hash": content["leafHash"]}
    if want_error:
        with pytest.raises((LogProofInvalid, SplitView)):
            check(probe)
    else:
        check(probe)


# --- messages --------------------------------------------------------------------


def _reference_proof(index: int, size: int) -> list[bytes]:
    return inclusion_proof(index, size, MemoryHashReader(BIG_TREE))


def test_verify_inclusion_index_beyond_size_says_so() -> None:
    with pytest.raises(
        LogProofInvalid, match="leaf index 8 is beyond the tree of size 8"
    ):
        verify_inclusion(
            leaf_hash=BIG_TREE[0], index=8, size=8, proof=[], root=EMPTY_ROOT
        )


def test_verify_inclusion_wrong_proof_length_says_expected_length() -> None:
    proof = _reference_proof(2, 5)

    with pytest.raises(
        LogProofInvalid, match="has 2 hashes; a proof for leaf 2 of size 5 has 3"
    ):
        verify_inclusion(
            leaf_hash=BIG_TREE[2],
            index=2,
            size=5,
            proof=proof[:2],
            root=mth(BIG_TREE[:5]),
        )


def test_verify_inclusion_short_leaf_hash_says_hash_size() -> None:
    with pytest.raises(
        LogProofInvalid, match="the leaf hash is 9 bytes; a SHA-256 hash is 32"
    ):
        verify_inclusion(
            leaf_hash=b"WrongLeaf", index=0, size=1, proof=[], root=EMPTY_ROOT
        )


def test_verify_inclusion_other_root_names_both_roots() -> None:
    proof = _reference_proof(3, 7)
    other = mth(BIG_TREE[:8])

    with pytest.raises(LogProofInvalid, match=f"expected {other.hex()}"):
        verify_inclusion(
            leaf_hash=BIG_TREE[3], index=3, size=7, proof=proof, root=other
        )


def test_verify_consistency_shrinking_log_is_refused() -> None:
    with pytest.raises(LogProofInvalid, match="a log only grows"):
        verify_consistency(
            old_size=5, new_size=4, old_root=EMPTY_ROOT, new_root=EMPTY_ROOT, proof=[]
        )


def test_verify_consistency_two_roots_for_one_size_is_a_split_view() -> None:
    old, new = mth(BIG_TREE[:5]), mth(BIG_TREE[1:6])

    with pytest.raises(
        SplitView, match="two trees of size 5 have different roots"
    ) as info:
        verify_consistency(old_size=5, new_size=5, old_root=old, new_root=new, proof=[])

    assert info.value.details == {"size": 5, "roots": [old.hex(), new.hex()]}


def test_verify_consistency_from_empty_tree_needs_an_empty_proof() -> None:
    verify_consistency(
        old_size=0,
        new_size=3,
        old_root=EMPTY_ROOT,
        new_root=mth(BIG_TREE[:3]),
        proof=[],
    )
    with pytest.raises(
        LogProofInvalid, match="a proof for an old tree of size 0 has 0"
    ):
        verify_consistency(
            old_size=0,
            new_size=3,
            old_root=EMPTY_ROOT,
            new_root=mth(BIG_TREE[:3]),
            proof=[EMPTY_ROOT],
        )


def test_verify_consistency_empty_proof_between_sizes_says_empty() -> None:
    with pytest.raises(LogProofInvalid, match="from size 2 to 5 is empty"):
        verify_consistency(
            old_size=2,
            new_size=5,
            old_root=mth(BIG_TREE[:2]),
            new_root=mth(BIG_TREE[:5]),
            proof=[],
        )


@pytest.mark.parametrize(("index", "size"), [(0, 0), (5, 5), (-1, 3)])
def test_inclusion_proof_for_a_leaf_outside_the_tree_is_refused(
    index: int, size: int
) -> None:
    with pytest.raises(
        InvalidRequest, match=f"leaf {index} is not in a tree of size {size}"
    ):
        inclusion_proof(index, size, MemoryHashReader(BIG_TREE))


@pytest.mark.parametrize(("old", "new"), [(5, 4), (-1, 3)])
def test_consistency_proof_with_sizes_out_of_order_is_refused(
    old: int, new: int
) -> None:
    with pytest.raises(InvalidRequest, match="the old size must be between 0 and"):
        consistency_proof(old, new, MemoryHashReader(BIG_TREE))


@pytest.mark.parametrize(("old", "new"), [(0, 0), (0, 9), (9, 9)])
def test_consistency_proof_from_empty_or_same_tree_is_empty(old: int, new: int) -> None:
    reader = MemoryHashReader(BIG_TREE)

    assert consistency_proof(old, new, reader) == []
    assert reader.calls == []


def test_proof_from_a_reader_missing_hashes_is_refused() -> None:
    class ShortReader(MemoryHashReader):
        def hashes(self, height: int, start: int, end: int) -> list[bytes]:
            return super().hashes(height, start, end)[1:]

    with pytest.raises(ZhengzhaoError, match="the store is incomplete") as info:
        inclusion_proof(3, 7, ShortReader(BIG_TREE))

    assert info.value.code == "log-store-damaged"


# --- properties ------------------------------------------------------------------

sizes = st.integers(min_value=1, max_value=2000)


@settings(deadline=None)
@given(size=st.integers(min_value=0, max_value=2000))
def test_root_hash_agrees_with_the_recursive_definition(size: int) -> None:
    reader = MemoryHashReader(BIG_TREE)

    assert root_hash(size, reader) == mth(BIG_TREE[:size])
    assert root_from_leaf_hashes(BIG_TREE[:size]) == mth(BIG_TREE[:size])
    assert len(reader.calls) <= size.bit_length()


@settings(deadline=None)
@given(data=st.data(), size=sizes)
def test_inclusion_proof_verifies_within_the_read_bound(
    data: st.DataObject, size: int
) -> None:
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    reader = MemoryHashReader(BIG_TREE)

    proof = inclusion_proof(index, size, reader)

    verify_inclusion(
        leaf_hash=BIG_TREE[index],
        index=index,
        size=size,
        proof=proof,
        root=mth(BIG_TREE[:size]),
    )
    assert len(reader.calls) <= 2 * size.bit_length()


@settings(deadline=None)
@given(data=st.data(), size=sizes)
def test_consistency_proof_verifies_within_the_read_bound(
    data: st.DataObject, size: int
) -> None:
    old = data.draw(st.integers(min_value=0, max_value=size))
    reader = MemoryHashReader(BIG_TREE)

    proof = consistency_proof(old, size, reader)

    verify_consistency(
        old_size=old,
        new_size=size,
        old_root=mth(BIG_TREE[:old]),
        new_root=mth(BIG_TREE[:size]),
        proof=proof,
    )
    assert len(reader.calls) <= 2 * size.bit_length()


@settings(deadline=None)
@given(data=st.data(), size=st.integers(min_value=2, max_value=2000))
def test_inclusion_proof_with_one_byte_changed_is_refused(
    data: st.DataObject, size: int
) -> None:
    index = data.draw(st.integers(min_value=0, max_value=size - 1))
    proof = _reference_proof(index, size)
    position = data.draw(st.integers(min_value=0, max_value=len(proof) - 1))
    tampered = bytearray(proof[position])
    tampered[data.draw(st.integers(min_value=0, max_value=31))] ^= 0x01
    proof[position] = bytes(tampered)

    with pytest.raises(LogProofInvalid, match="the proof does not match the tree"):
        verify_inclusion(
            leaf_hash=BIG_TREE[index],
            index=index,
            size=size,
            proof=proof,
            root=mth(BIG_TREE[:size]),
        )


@settings(deadline=None)
@given(data=st.data(), size=st.integers(min_value=2, max_value=2000))
def test_consistency_proof_against_another_tree_is_refused(
    data: st.DataObject, size: int
) -> None:
    old = data.draw(st.integers(min_value=1, max_value=size - 1))
    proof = consistency_proof(old, size, MemoryHashReader(BIG_TREE))
    forked = [*BIG_TREE[:old], leaf(-1), *BIG_TREE[old + 1 : size]]

    with pytest.raises(LogProofInvalid, match="the proof does not match the tree"):
        verify_consistency(
            old_size=old,
            new_size=size,
            old_root=mth(BIG_TREE[:old]),
            new_root=mth(forked),
            proof=proof,
        )


def test_frontier_root_is_the_tree_hash_at_every_size() -> None:
    hashes = [leaf_hash(bytes([n])) for n in range(70)]
    frontier = Frontier()
    assert frontier.root() == EMPTY_ROOT
    for size, value in enumerate(hashes, start=1):
        frontier.push(value)
        assert (frontier.size, frontier.root()) == (
            size,
            root_from_leaf_hashes(hashes[:size]),
        )


def test_frontier_copy_grows_apart_from_the_original() -> None:
    frontier = Frontier()
    frontier.push(leaf_hash(b"a"))
    twin = frontier.copy()
    twin.push(leaf_hash(b"b"))
    assert frontier.root() == leaf_hash(b"a")
    assert twin.root() == root_from_leaf_hashes([leaf_hash(b"a"), leaf_hash(b"b")])
