"""Dependencies: the node, the clock, and the authenticated caller.

A handler's signature reads as its preconditions: ``principal: Caller`` means the
request carries valid credentials; the services check what the caller may do.
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

__all__ = ["Caller", "CurrentNode", "Now"]

_bearer = HTTPBearer(
    auto_error=False,
    description="An API client's token: `Authorization: Bearer zz_<id>_<secret>`",
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
