"""The transparency log, served as C2SP tlog-tiles plus JSON proofs. All public.

Tiles never change once served: a full tile is final, and a partial tile ``.p/W``
always holds the same first W hashes (tlog-tiles names a grown tile by another
width). Both are sent as immutable; only the checkpoint changes as the log grows.
Full tiles are also kept in memory, so that the log's hottest resource costs no
database read.
"""

from __future__ import annotations

import base64
import threading
from collections import OrderedDict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from zhengzhao.api.deps import CurrentNode
from zhengzhao.api.schemas import ErrorBody
from zhengzhao.errors import NotFound
from zhengzhao.translog.service import (
    consistency,
    cosigned_checkpoint,
    license_inclusion,
    read_tile,
    witness_names,
)
from zhengzhao.translog.tiles import TilePath, parse_tile_path

router = APIRouter(prefix="/log", tags=["log"])

_IMMUTABLE = "public, max-age=31536000, immutable"
_CHANGING = "public, max-age=1"
_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody},
    422: {"model": ErrorBody},
}


class FullTiles:
    """Full tiles by path: immutable, so cached without expiry (up to a bound).

    One per app (``app.state.full_tiles``), as the tiles belong to its node's log.
    """

    #: 4,096 tiles of at most 8 KiB: at most 32 MiB.
    SIZE = 4096

    def __init__(self) -> None:
        self._tiles: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, path: str) -> bytes | None:
        with self._lock:
            data = self._tiles.get(path)
            if data is not None:
                self._tiles.move_to_end(path)
            return data

    def put(self, path: str, data: bytes) -> None:
        with self._lock:
            self._tiles[path] = data
            if len(self._tiles) > self.SIZE:
                self._tiles.popitem(last=False)


@router.get("/checkpoint", response_class=PlainTextResponse, responses=_ERRORS)
def checkpoint(node: CurrentNode) -> PlainTextResponse:
    """The checkpoint to rely on (C2SP tlog-checkpoint), with witness cosignatures:
    the latest one the node's witnesses cosigned, or the newest while none has."""
    return PlainTextResponse(
        cosigned_checkpoint(node), headers={"Cache-Control": _CHANGING}
    )


@router.get("/tile/{path:path}", responses=_ERRORS, summary="A tile or entry bundle")
async def tile(path: str, node: CurrentNode, request: Request) -> Response:
    """A hash tile ``tile/<L>/<N>[.p/<W>]`` or entry bundle ``tile/entries/<N>...``,
    exactly as C2SP tlog-tiles lays them out."""
    parsed: TilePath = parse_tile_path(f"tile/{path}")
    key = parsed.path
    full_tiles: FullTiles = request.app.state.full_tiles
    cached = full_tiles.get(key) if parsed.width is None else None
    if cached is None:
        data, full = await run_in_threadpool(read_tile, node, parsed)
        if full:
            full_tiles.put(key, data)
    else:
        data = cached
    return Response(
        data,
        media_type="application/octet-stream",
        headers={"Cache-Control": _IMMUTABLE},
    )


@router.get("/proofs/license/{identifier}", responses=_ERRORS)
def license_proofs(
    identifier: str,
    node: CurrentNode,
    size: Annotated[
        int | None,
        Query(
            ge=0,
            le=2**63 - 1,
            description="Prove against the checkpoint of this size (one the log"
            " signed). Default: the latest cosigned checkpoint that holds the events,"
            " else the newest.",
        ),
    ] = None,
) -> JSONResponse:
    """Inclusion proofs of a license version's logged events, against one checkpoint,
    served with its witness cosignatures.

    An event recorded in the last merge delay may not be in a checkpoint yet.
    """
    with node.database.reading() as conn:
        found = license_inclusion(
            conn, identifier, size=size, witnesses=witness_names(node)
        )
    if found is None:
        where = f"the checkpoint of size {size}" if size is not None else "a checkpoint"
        raise NotFound(
            f"no event of license {identifier} is in {where} yet; try again after"
            " the log's merge delay"
        )
    return JSONResponse(found.to_json())


@router.get("/proofs/consistency", responses=_ERRORS)
def consistency_proof(
    node: CurrentNode,
    old: Annotated[int, Query(ge=0, le=2**63 - 1)],
    new: Annotated[int, Query(ge=0, le=2**63 - 1)],
) -> dict[str, Any]:
    """RFC 9162 consistency proof between two signed tree sizes."""
    proof = consistency(node, old, new)
    return {
        "old": old,
        "new": new,
        "proof": [base64.b64encode(item).decode() for item in proof],
    }
