"""Reading the log: checkpoints, tiles, entry bundles and proofs.

Everything here reads committed, append-only data: a tile or proof computed for a
tree size never changes once that size is signed, so readers need no lock against
the sequencer.

Checkpoints are served with the witness cosignatures collected for them. When the
node has witnesses, `/log/checkpoint` serves the latest checkpoint they cosigned
(the newest until any is), and a proof leads to the latest cosigned checkpoint that
covers what it proves, or to the newest checkpoint when none does yet (an event
within the last cosigning round): a verifier holding the witnesses' keys can then
check that the log showed it the view the witnesses saw.
"""

from __future__ import annotations

import base64
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from zhengzhao.errors import NotFound
from zhengzhao.node import Node
from zhengzhao.storage import licenses as license_store
from zhengzhao.storage import log as log_store
from zhengzhao.translog.leaves import read_leaf
from zhengzhao.translog.merkle import consistency_proof, inclusion_proof, leaf_hash
from zhengzhao.translog.note import CosignatureVerifier
from zhengzhao.translog.sequencer import DatabaseHashes
from zhengzhao.translog.tiles import (
    TILE_WIDTH,
    TiledHashReader,
    TilePath,
    WholeTiles,
    encode_entry_bundle,
)

__all__ = [
    "EventInclusion",
    "LicenseInclusion",
    "RecordInclusion",
    "access_inclusion",
    "consistency",
    "cosigned_checkpoint",
    "license_inclusion",
    "read_tile",
    "witness_names",
]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _latest(conn: Connection) -> log_store.StoredCheckpoint:
    latest = log_store.latest_checkpoint(conn)
    if latest is None:
        raise NotFound("the log has no checkpoint yet; its sequencer has not run")
    return latest


def witness_names(node: Node) -> list[str]:
    """The names of the node's configured witnesses' keys."""
    return [CosignatureVerifier.from_vkey(w.vkey).name for w in node.settings.witnesses]


def cosigned_checkpoint(node: Node) -> str:
    """The checkpoint to serve, with every witness cosignature collected for it:
    the latest one the configured witnesses cosigned, else the newest."""
    names = witness_names(node)
    with node.database.reading() as conn:
        latest = _latest(conn)
        if names:
            latest = log_store.latest_cosigned_checkpoint(conn, names) or latest
        return _with_cosignatures(conn, latest)


def _with_cosignatures(conn: Connection, checkpoint: log_store.StoredCheckpoint) -> str:
    lines = log_store.cosignatures(conn, checkpoint.size)
    return checkpoint.note + "".join(f"{line}\n" for line in lines)


def _proved_against(
    conn: Connection,
    *,
    size: int | None,
    reaching: int,
    witnesses: Collection[str],
) -> log_store.StoredCheckpoint | None:
    """The checkpoint a proof leads to: the one of ``size`` when asked (raises
    `NotFound` if none was signed), else the latest checkpoint cosigned by one of
    ``witnesses`` (the configured ones, by key name) whose tree holds index
    ``reaching``, else the newest; None before the first."""
    if size is not None:
        chosen = log_store.checkpoint_at(conn, size)
        if chosen is None:
            raise NotFound(
                f"the log signed no checkpoint of size {size}; ask for a size"
                " /log/checkpoint served"
            )
        return chosen
    cosigned = (
        log_store.latest_cosigned_checkpoint(conn, witnesses) if witnesses else None
    )
    if cosigned is not None and cosigned.size > reaching:
        return cosigned
    return log_store.latest_checkpoint(conn)


def read_tile(node: Node, tile: TilePath) -> tuple[bytes, bool]:
    """A tile's bytes, and whether it is a full (immutable) tile.

    Raises `NotFound` for a tile, or a partial width, beyond the latest tree.
    """
    with node.database.reading() as conn:
        size = _latest(conn).size
        width = tile.width or TILE_WIDTH
        start = tile.index * TILE_WIDTH
        level = 0 if tile.level == "entries" else int(tile.level)
        available = size >> (8 * level)
        if start + width > available:
            raise NotFound(
                f"tile {tile.path} lies beyond the tree of size {size}"
                f" ({available} hashes at level {level})"
            )
        if tile.level == "entries":
            data = encode_entry_bundle(log_store.entries(conn, start, start + width))
        else:
            data = b"".join(log_store.read_hashes(conn, level, start, start + width))
    return data, tile.width is None


@dataclass(frozen=True, kw_only=True)
class EventInclusion:
    """One logged event of a license and its inclusion proof."""

    sequence: int
    event: str
    index: int
    leaf: bytes
    proof: list[bytes]

    def to_json(self) -> dict[str, Any]:
        return {
            "sequence": self.sequence,
            "event": self.event,
            "index": self.index,
            "leaf": _b64(self.leaf),
            "leafHash": _b64(leaf_hash(self.leaf)),
            "inclusionProof": [_b64(item) for item in self.proof],
        }


@dataclass(frozen=True, kw_only=True)
class LicenseInclusion:
    """A license version's logged events, proved against one checkpoint."""

    license: str
    size: int
    #: The signed checkpoint note every proof leads to.
    checkpoint: str
    events: list[EventInclusion]

    def to_json(self) -> dict[str, Any]:
        return {
            "license": self.license,
            "size": self.size,
            "checkpoint": self.checkpoint,
            "events": [event.to_json() for event in self.events],
        }


def license_inclusion(
    conn: Connection,
    identifier: str,
    *,
    witnesses: Collection[str],
    size: int | None = None,
) -> LicenseInclusion | None:
    """Proofs of the logged events of license ``identifier`` against one
    checkpoint (see the module docstring; ``witnesses`` are the names of the
    configured witnesses, `witness_names`; ``size`` asks for a signed size), with
    its cosignatures. None when none of the events is in that checkpoint. Raises
    `NotFound` for an unknown license or a size never signed."""
    stored = license_store.license_by_identifier(conn, identifier)
    if stored is None:
        raise NotFound(f"no license {identifier}")
    indices = [
        index for _sequence, index in log_store.entries_of_license(conn, stored.row_id)
    ]
    checkpoint = _proved_against(
        conn, size=size, reaching=max(indices, default=0), witnesses=witnesses
    )
    if checkpoint is None:
        return None
    reader = TiledHashReader(WholeTiles(DatabaseHashes(conn), checkpoint.size))
    events = []
    for index in indices:
        if index >= checkpoint.size:
            continue
        (leaf,) = log_store.entries(conn, index, index + 1)
        decoded = read_leaf(leaf)
        events.append(
            EventInclusion(
                sequence=decoded.sequence,
                event=decoded.event,
                index=index,
                leaf=leaf,
                proof=inclusion_proof(index, checkpoint.size, reader),
            )
        )
    if not events:
        return None
    return LicenseInclusion(
        license=identifier,
        size=checkpoint.size,
        checkpoint=_with_cosignatures(conn, checkpoint),
        events=events,
    )


@dataclass(frozen=True, kw_only=True)
class RecordInclusion:
    """An access record's leaf, proved against one checkpoint."""

    index: int
    leaf: bytes
    proof: list[bytes]
    size: int
    checkpoint: str

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "leaf": _b64(self.leaf),
            "leafHash": _b64(leaf_hash(self.leaf)),
            "inclusionProof": [_b64(item) for item in self.proof],
            "size": self.size,
            "checkpoint": self.checkpoint,
        }


def access_inclusion(
    conn: Connection,
    index: int | None,
    *,
    witnesses: Collection[str],
    size: int | None = None,
) -> RecordInclusion | None:
    """The inclusion proof of the leaf at ``index`` (an access record's), against
    the checkpoint `license_inclusion` would choose; None while it is not yet in
    that checkpoint."""
    if index is None:
        return None
    checkpoint = _proved_against(conn, size=size, reaching=index, witnesses=witnesses)
    if checkpoint is None or index >= checkpoint.size:
        return None
    (leaf,) = log_store.entries(conn, index, index + 1)
    reader = TiledHashReader(WholeTiles(DatabaseHashes(conn), checkpoint.size))
    return RecordInclusion(
        index=index,
        leaf=leaf,
        proof=inclusion_proof(index, checkpoint.size, reader),
        size=checkpoint.size,
        checkpoint=_with_cosignatures(conn, checkpoint),
    )


def consistency(node: Node, old_size: int, new_size: int) -> list[bytes]:
    """RFC 9162 consistency proof between two signed tree sizes."""
    with node.database.reading() as conn:
        latest = _latest(conn)
        if new_size > latest.size:
            raise NotFound(
                f"the log has {latest.size} leaves; size {new_size} is not signed yet"
            )
        return consistency_proof(
            old_size,
            new_size,
            TiledHashReader(WholeTiles(DatabaseHashes(conn), new_size)),
        )
