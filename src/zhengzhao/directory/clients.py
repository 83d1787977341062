"""API clients: their credentials, and authenticating a request's bearer token.

A token reads ``zz_<client id>_<secret>``. The secret is 32 random bytes; the node keeps
only its SHA-256, which is enough for a secret of that strength (a slow password hash
would buy nothing and cost every request).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from zhengzhao.errors import (
    AuthenticationRequired,
    ClientDisabled,
    Conflict,
    InvalidRequest,
    NotFound,
)
from zhengzhao.model.parties import Principal, Role
from zhengzhao.model.permissions import require_role
from zhengzhao.storage import clients as client_store
from zhengzhao.storage import departments as department_store
from zhengzhao.storage import parties as party_store

__all__ = [
    "IssuedCredentials",
    "authenticate",
    "create_client",
    "disable_client",
    "hash_secret",
    "list_clients",
]

logger = logging.getLogger(__name__)

_PREFIX = "zz"
#: The prefix of a holder's session token (`zhengzhao.sharing.holders`).
_HOLDER_PREFIX = "zh"


@dataclass(frozen=True, kw_only=True)
class IssuedCredentials:
    """What a new client receives once; the node cannot show the token again."""

    client_id: str
    role: Role
    token: str


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_client(
    conn: Connection,
    *,
    principal: Principal | None,
    name: str,
    role: Role,
    department_code: str | None = None,
    party_code: str | None = None,
    demo: bool = False,
    now: datetime,
) -> IssuedCredentials:
    """Create an API client (operators only; ``principal`` None is the local CLI).

    A department client names its department, a using-party client its party.
    """
    if principal is not None:
        require_role(principal, Role.OPERATOR)
    party_id = _party_id(conn, role, party_code)
    department_id = None
    if role is Role.DEPARTMENT:
        if department_code is None:
            raise InvalidRequest(
                "a department client needs the department's credit code"
            )
        department = department_store.department_by_code(conn, department_code)
        if department is None:
            raise InvalidRequest(f"no department with credit code {department_code}")
        department_id = department.id
    elif department_code is not None:
        raise InvalidRequest(f"a {role.value} client acts for no department")
    client_id = secrets.token_hex(8)
    if client_store.client_by_id(conn, client_id) is not None:
        raise Conflict("client id collision; try again")
    secret = secrets.token_urlsafe(32)
    client_store.insert_client(
        conn,
        client_id=client_id,
        name=name,
        secret_hash=hash_secret(secret),
        role=role,
        department_id=department_id,
        party_id=party_id,
        demo=demo,
        now=now,
    )
    return IssuedCredentials(
        client_id=client_id, role=role, token=f"{_PREFIX}_{client_id}_{secret}"
    )


def list_clients(
    conn: Connection, *, principal: Principal | None
) -> list[client_store.ClientRecord]:
    """Every API client, disabled ones included (operators and auditors; ``principal``
    None is the local CLI). Secrets are never part of a record."""
    if principal is not None:
        require_role(principal, Role.OPERATOR, Role.AUDITOR)
    return client_store.list_clients(conn)


def disable_client(
    conn: Connection, *, principal: Principal | None, client_id: str, now: datetime
) -> client_store.ClientRecord:
    """Disable API client ``client_id`` from ``now`` (operators only; ``principal``
    None is the local CLI): its token is refused from then on, with `ClientDisabled`.

    Disabling a client disabled already changes nothing and returns it as it is.
    Raises `NotFound` for an unknown client.
    """
    if principal is not None:
        require_role(principal, Role.OPERATOR)
    if client_store.client_by_id(conn, client_id) is None:
        raise NotFound(f"no API client {client_id}")
    client_store.set_disabled(conn, client_id, now=now)
    record = client_store.client_by_id(conn, client_id)
    assert record is not None
    logger.info("API client %s disabled since %s", client_id, record.disabled_at)
    return record


def _party_id(conn: Connection, role: Role, party_code: str | None) -> int | None:
    if role is not Role.USING_PARTY:
        if party_code is not None:
            raise InvalidRequest(f"{role.value} clients act for no using party")
        return None
    if party_code is None:
        raise InvalidRequest("a using-party client needs the party's credit code")
    party = party_store.party_by_code(conn, party_code)
    if party is None:
        raise InvalidRequest(f"no using party with credit code {party_code}")
    return party.id


def authenticate(conn: Connection, token: str, *, development: bool) -> Principal:
    """The principal behind a bearer token; raises `AuthenticationRequired`."""
    prefix, _, rest = token.partition("_")
    client_id, _, secret = rest.partition("_")
    if prefix == _HOLDER_PREFIX:
        raise AuthenticationRequired(
            "this endpoint needs an API client's token (zz_<client id>_<secret>), not"
            " a holder's session token; holders use /v1/me/..., and read service"
            " matters and the parties serving each at /v1/matters"
        )
    if prefix != _PREFIX or not client_id or not secret:
        raise AuthenticationRequired(
            "the bearer token is malformed; it reads zz_<client id>_<secret>"
        )
    record = client_store.client_by_id(conn, client_id)
    if record is None or not hmac.compare_digest(
        record.secret_hash, hash_secret(secret)
    ):
        raise AuthenticationRequired("unknown client or wrong secret")
    if record.disabled_at is not None:
        raise ClientDisabled(
            f"client {client_id} was disabled at {record.disabled_at.isoformat()};"
            " ask the node's operator for a new client"
        )
    if record.demo and not development:
        logger.warning("refused demo client %s outside development mode", client_id)
        raise AuthenticationRequired(
            f"client {client_id} is a demo client, refused outside development mode"
        )
    department = (
        department_store.department_by_id(conn, record.department_id)
        if record.department_id is not None
        else None
    )
    party = (
        party_store.party_by_id(conn, record.party_id)
        if record.party_id is not None
        else None
    )
    return Principal(
        client_id=record.client_id,
        name=record.name,
        role=record.role,
        department=department,
        party=party,
        demo=record.demo,
    )
