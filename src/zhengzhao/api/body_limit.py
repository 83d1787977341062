"""How large a request body the API takes: refused before it is read.

`BodyLimit` is an ASGI middleware around the whole app. A request whose
`Content-Length` is above the limit is answered 413 `request-too-large` at once,
without reading its body; a body sent without a length (chunked) is counted as it
streams in and refused the moment it passes the limit, so no more than the limit is
ever held. A route with a limit of its own (a gathering upload, larger) is exempt by
method and path and enforces that limit itself. `read_body` reads a body under a
route's own, smaller limit (the witness's) in the same way.
"""

from __future__ import annotations

from collections.abc import Collection

from fastapi import Request
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from zhengzhao.errors import RequestTooLarge

__all__ = ["BodyLimit", "BodyTooLarge", "read_body"]


def _too_large(limit: int, *, setting: str | None) -> RequestTooLarge:
    who = f" (the node's operator sets the limit with `{setting}`)" if setting else ""
    return RequestTooLarge(
        f"the request body is larger than the {limit:,} bytes this endpoint takes;"
        f" send a smaller one{who}"
    )


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` once a streamed body passes the limit.

    An HTTP exception, not one of the platform's: FastAPI turns any other error
    raised while it reads a body into a 400, and lets an HTTP exception through to
    the error handler, which answers 413 `request-too-large` with this message.
    """

    def __init__(self, error: RequestTooLarge) -> None:
        super().__init__(status_code=error.http_status, detail=error.message)


class BodyLimit:
    """Refuses request bodies above ``limit`` bytes, except for the ``exempt``
    (method, path) pairs, which enforce limits of their own."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        limit: int,
        setting: str | None = None,
        exempt: Collection[tuple[str, str]] = (),
    ) -> None:
        self._app = app
        self._limit = limit
        self._setting = setting
        self._exempt = frozenset(exempt)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (scope["method"], scope["path"]) in self._exempt:
            await self._app(scope, receive, send)
            return
        error = _too_large(self._limit, setting=self._setting)
        declared = _declared_length(Headers(scope=scope))
        if declared is not None and declared > self._limit:
            response = JSONResponse(error.to_dict(), status_code=error.http_status)
            await response(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self._limit:
                    raise BodyTooLarge(error)
            return message

        await self._app(scope, counted, send)


async def read_body(request: Request, *, limit: int) -> bytes:
    """The whole body of ``request``, if it is at most ``limit`` bytes; raises
    `RequestTooLarge` as soon as the declared length or the bytes received so far
    say it is larger."""
    declared = _declared_length(request.headers)
    if declared is not None and declared > limit:
        raise _too_large(limit, setting=None)
    pieces = []
    received = 0
    async for piece in request.stream():
        received += len(piece)
        if received > limit:
            raise _too_large(limit, setting=None)
        pieces.append(piece)
    return b"".join(pieces)


def _declared_length(headers: Headers) -> int | None:
    value = headers.get("content-length", "")
    return int(value) if value.isascii() and value.isdigit() else None
