"""Dependencies: the node, the clock, and the authenticated caller.

A handler's signature reads as its preconditions: ``principal: Caller`` means the
request carries an API client's valid credentials, ``session: Holder`` a holder's
open session, ``caller: ClientOrHolder`` either; the services check what the caller
may do.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from zhengzhao.directory.clients import authenticate
from zhengzhao.errors import AuthenticationRequired
from zhengzhao.model.parties import Principal
from zhengzhao.model.time import Clock
from zhengzhao.node import Node
from zhengzhao.sharing.holders import HolderSession, session_of

__all__ = ["Caller", "ClientOrHolder", "CurrentNode", "Holder", "Now"]

_bearer = HTTPBearer(
    auto_error=False,
    description="An API client's token: `Authorization: Bearer zz_<id>_<secret>`",
)
_holder_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="HolderSession",
    description="A holder's session token from `POST /v1/holder-sessions`:"
    " `Authorization: Bearer zh_<session>_<secret>`",
)


def _node(request: Request) -> Node:
    node: Node = request.app.state.node
    return node


def _now(request: Request) -> datetime:
    clock: Clock = request.app.state.clock
    return clock.now()


CurrentNode = Annotated[Node, Depends(_node)]
Now = Annotated[datetime, Depends(_now)]


def _caller(
    node: CurrentNode,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise AuthenticationRequired(
            "this endpoint needs an API client's bearer token in the Authorization"
            " header"
        )
    with node.database.reading() as conn:
        return authenticate(
            conn,
            credentials.credentials,
            development=node.settings.mode == "development",
        )


Caller = Annotated[Principal, Depends(_caller)]


def _holder(
    node: CurrentNode,
    now: Now,
    credentials: Annotated[
        HTTPAuthorizationCredentials | None, Depends(_holder_bearer)
    ],
) -> HolderSession:
    if credentials is None:
        raise AuthenticationRequired(
            "this endpoint needs a holder's session token in the Authorization"
            " header; log in with POST /v1/holder-sessions"
        )
    with node.database.reading() as conn:
        return session_of(conn, node, token=credentials.credentials, now=now)


Holder = Annotated[HolderSession, Depends(_holder)]


def _client_or_holder(
    node: CurrentNode,
    now: Now,
    client: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    holder: Annotated[HTTPAuthorizationCredentials | None, Depends(_holder_bearer)],
) -> Principal | HolderSession:
    # Both schemes read the same Authorization header; the token's prefix tells
    # which it is, as `zh_` begins every holder session token.
    credentials = client or holder
    if credentials is None:
        raise AuthenticationRequired(
            "this endpoint needs an API client's bearer token, or a holder's session"
            " token from POST /v1/holder-sessions, in the Authorization header"
        )
    token = credentials.credentials
    with node.database.reading() as conn:
        if token.startswith("zh_"):
            return session_of(conn, node, token=token, now=now)
        return authenticate(
            conn, token, development=node.settings.mode == "development"
        )


ClientOrHolder = Annotated[Principal | HolderSession, Depends(_client_or_holder)]
