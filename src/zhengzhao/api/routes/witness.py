"""The witness role (C2SP tlog-witness): POST add-checkpoint, answered as the spec
says, in plain text, with its exact status codes."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import PlainTextResponse

from zhengzhao.api.body_limit import read_body
from zhengzhao.api.deps import CurrentNode, Now
from zhengzhao.errors import (
    InputError,
    LogProofInvalid,
    NotFound,
    PermissionDenied,
    RequestTooLarge,
    SplitView,
    WitnessSizeMismatch,
)
from zhengzhao.node import Node
from zhengzhao.translog.witness_keys import node_witness

router = APIRouter(prefix="/witness", tags=["witness"])

#: A request body larger than this is not an add-checkpoint request: a checkpoint
#: note with a few signatures and 63 proof lines of 45 bytes fit in a few KiB.
MAX_BODY = 64 * 1024


@router.post("/add-checkpoint", response_class=PlainTextResponse)
async def add_checkpoint(
    request: Request, node: CurrentNode, now: Now
) -> PlainTextResponse:
    """Cosign a checkpoint that extends the one this witness last cosigned.

    Public by design: the log's signature on the checkpoint is the authentication.
    A body over `MAX_BODY` is refused (413) before it is read.
    """
    try:
        body = await read_body(request, limit=MAX_BODY)
    except RequestTooLarge as exc:
        return _refusal(exc)
    try:
        text = body.decode()
    except UnicodeDecodeError:
        return PlainTextResponse("the request is not UTF-8\n", status_code=400)
    return await run_in_threadpool(_cosign, node, text, now)


def _cosign(node: Node, text: str, now: datetime) -> PlainTextResponse:
    if not node.settings.witness_name:
        return PlainTextResponse(
            "this node is not a witness: it has no witness_name\n", status_code=404
        )
    try:
        witness = node_witness(node, now=now)
        return PlainTextResponse(witness.add_checkpoint(text, now=now))
    except WitnessSizeMismatch as exc:
        return PlainTextResponse(
            f"{exc.size}\n", status_code=409, media_type="text/x.tlog.size"
        )
    except SplitView as exc:
        return PlainTextResponse(_evidence(exc), status_code=409)
    except LogProofInvalid as exc:
        return _refusal(exc, status=422)
    except NotFound as exc:
        return _refusal(exc, status=404)
    except PermissionDenied as exc:
        return _refusal(exc, status=403)
    except InputError as exc:
        return _refusal(exc, status=400)


def _refusal(
    exc: InputError | NotFound | PermissionDenied, *, status: int | None = None
) -> PlainTextResponse:
    """A refusal as tlog-witness answers it, in plain text, the platform's error
    code first."""
    return PlainTextResponse(
        f"{exc.code}: {exc.message}\n", status_code=status or exc.http_status
    )


def _evidence(exc: SplitView) -> str:
    cosigned = exc.details.get("cosigned", "")
    return (
        f"{exc.code}: {exc.message}\n\nThe checkpoint this witness cosigned:\n"
        f"{cosigned}\nThe checkpoint offered cannot be in the same append-only log;"
        " both are kept as evidence.\n"
    )
