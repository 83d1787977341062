"""Monitoring a remote log: each new checkpoint must extend the one seen before.

A monitor keeps its view of a log in a small JSON state file: the log's URL, origin
and verifier key, and the last checkpoint it accepted. On each look it fetches the
log's checkpoint, checks the log's signature, and proves consistency with its last
view *from the log's public tiles*, computing the proof itself rather than trusting
one the log hands out. A checkpoint that does not extend the last view is a fork:
`follow` raises `SplitView` carrying both checkpoints as evidence, and keeps the old
view.

A checkpoint smaller than the last view is not taken for a fork by itself: a web
cache may serve an old checkpoint while the tiles are current (tiles never change,
so caches keep them right). If the tiles prove the smaller tree a prefix of the one
seen, the checkpoint is only stale and the view stays; it is a fork when they prove
otherwise, or when the log no longer serves the tiles of the size it showed.
"""

from __future__ import annotations

import base64
import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx

from zhengzhao.errors import InvalidDocument, LogProofInvalid, NotFound, SplitView
from zhengzhao.translog.merkle import consistency_proof, verify_consistency
from zhengzhao.translog.note import Checkpoint, NoteVerifier, open_note
from zhengzhao.translog.tiles import TILE_WIDTH, TiledHashReader, tile_path

__all__ = ["HttpTiles", "LogView", "first_view", "follow", "load_view", "save_view"]

logger = logging.getLogger(__name__)

#: Seconds to wait for the log.
HTTP_TIMEOUT = 10.0


@dataclass(frozen=True)
class LogView:
    """What a monitor last accepted of one log."""

    log_url: str
    origin: str
    vkey: str
    size: int
    #: Base64 root hash of that size.
    root_hash: str
    #: The checkpoint note as fetched, cosignatures included.
    checkpoint: str


def load_view(path: Path) -> LogView | None:
    if not path.exists():
        return None
    try:
        return LogView(**json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError) as exc:
        raise InvalidDocument(f"{path} is not a monitor state file: {exc}") from exc


def save_view(path: Path, view: LogView) -> None:
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(json.dumps(asdict(view), indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)  # atomic: a crash never leaves half a state file


class HttpTiles:
    """Tile-level hashes read from a log's tiles over HTTP (`tiles.StoredHashes`)."""

    def __init__(self, client: httpx.Client, log_url: str, size: int) -> None:
        self._client = client
        self._log_url = log_url
        self._size = size
        self._tiles: dict[str, bytes] = {}

    def read(self, level: int, start: int, end: int) -> list[bytes]:
        available = self._size >> (8 * level)
        hashes: list[bytes] = []
        for index in range(start // TILE_WIDTH, (end - 1) // TILE_WIDTH + 1):
            width = min(TILE_WIDTH, available - index * TILE_WIDTH)
            data = self._tile(
                tile_path(level, index, None if width == TILE_WIDTH else width)
            )
            hashes += [data[i : i + 32] for i in range(0, len(data), 32)]
        first = start % TILE_WIDTH
        return hashes[first : first + end - start]

    def _tile(self, path: str) -> bytes:
        if path not in self._tiles:
            self._tiles[path] = _get(self._client, f"{self._log_url}/{path}").content
        return self._tiles[path]


def follow(client: httpx.Client, view: LogView) -> tuple[LogView, str]:
    """Fetch the log's checkpoint and accept it if it extends ``view``.

    Returns the new view and a line saying what happened (an older checkpoint
    that the tiles prove a prefix of ``view`` is stale, and the view stays).
    Raises `SplitView` with both checkpoints in ``details`` when the log forked or
    went back.
    """
    note = _get(client, f"{view.log_url}/checkpoint").text
    opened = open_note(note, [NoteVerifier.from_vkey(view.vkey)])
    current = Checkpoint.parse(opened.body)
    if current.origin != view.origin:
        raise InvalidDocument(
            f"the log now calls itself {current.origin!r}, not {view.origin!r}"
        )
    old_root = base64.b64decode(view.root_hash)
    evidence = {"previous": view.checkpoint, "current": note}
    if current.size < view.size:
        return view, _stale(client, view, current, evidence)
    if current.size == view.size:
        if current.root_hash != old_root:
            raise SplitView(
                f"fork: two different trees of size {current.size} of {view.origin}",
                details=evidence,
            )
        return view, f"no change: size {current.size}"
    reader = TiledHashReader(HttpTiles(client, view.log_url, current.size))
    proof = consistency_proof(view.size, current.size, reader)
    try:
        verify_consistency(
            old_size=view.size,
            new_size=current.size,
            old_root=old_root,
            new_root=current.root_hash,
            proof=proof,
        )
    except LogProofInvalid as exc:
        raise SplitView(
            f"fork: size {current.size} of {view.origin} does not extend size"
            f" {view.size}: {exc.message}",
            details=evidence,
        ) from exc
    new_view = LogView(
        log_url=view.log_url,
        origin=view.origin,
        vkey=view.vkey,
        size=current.size,
        root_hash=base64.b64encode(current.root_hash).decode(),
        checkpoint=note,
    )
    return new_view, f"consistent: size {view.size} -> {current.size}"


def _stale(
    client: httpx.Client,
    view: LogView,
    current: Checkpoint,
    evidence: dict[str, str],
) -> str:
    """Prove from the tiles that the smaller ``current`` is a prefix of ``view``;
    raises `SplitView` when it is not, or when the tiles of ``view`` are gone."""
    try:
        reader = TiledHashReader(HttpTiles(client, view.log_url, view.size))
        proof = consistency_proof(current.size, view.size, reader)
    except NotFound as exc:
        if exc.details.get("status") != 404:
            raise  # no answer: look again later
        raise SplitView(
            f"fork: {view.origin} went back from size {view.size} to {current.size}"
            f" and no longer serves the tiles of size {view.size}",
            details=evidence,
        ) from exc
    try:
        verify_consistency(
            old_size=current.size,
            new_size=view.size,
            old_root=current.root_hash,
            new_root=base64.b64decode(view.root_hash),
            proof=proof,
        )
    except LogProofInvalid as exc:
        raise SplitView(
            f"fork: size {current.size} of {view.origin} is not a prefix of the size"
            f" {view.size} seen before: {exc.message}",
            details=evidence,
        ) from exc
    return (
        f"stale: served size {current.size}, older than size {view.size} seen but"
        " consistent with it (an old checkpoint from a cache); keeping the view"
    )


def first_view(client: httpx.Client, log_url: str, vkey: str) -> LogView:
    """The view of a log not seen before, from its current checkpoint."""
    note = _get(client, f"{log_url}/checkpoint").text
    current = Checkpoint.parse(open_note(note, [NoteVerifier.from_vkey(vkey)]).body)
    return LogView(
        log_url=log_url,
        origin=current.origin,
        vkey=vkey,
        size=current.size,
        root_hash=base64.b64encode(current.root_hash).decode(),
        checkpoint=note,
    )


def _get(client: httpx.Client, url: str) -> httpx.Response:
    try:
        response = client.get(url, timeout=HTTP_TIMEOUT)
    except httpx.HTTPError as exc:
        raise NotFound(f"cannot reach {url}: {exc}") from exc
    if response.status_code != 200:
        raise NotFound(
            f"{url} answered HTTP {response.status_code}",
            details={"status": response.status_code},
        )
    return response
