"""Authorizations holders grant using parties; uses are counted down atomically."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, bindparam, select

from zhengzhao.model.license import HolderKind
from zhengzhao.storage.tables import (
    authorizations,
    holder_agents,
    service_matters,
    using_parties,
)

__all__ = [
    "StoredAuthorization",
    "authorization_by_public_id",
    "authorizations_of_holder",
    "authorizations_of_party",
    "insert_authorization",
    "take_use",
    "withdraw",
]

_granted_by = holder_agents.alias("granted_by")
_withdrawn_by = holder_agents.alias("withdrawn_by")


@dataclass(frozen=True, kw_only=True)
class StoredAuthorization:
    row_id: int
    public_id: str
    holder_kind: HolderKind
    holder_index: str
    holder_cipher: bytes
    party_id: int
    party_code: str
    party_name: str
    matter_id: int
    matter_code: str
    #: ``[{"type_code": ..., "fields": [...]}, ...]``
    grants: list[dict[str, Any]]
    purpose: str
    expires_at: datetime
    uses_allowed: int
    uses_left: int
    granted_at: datetime
    #: Rows and public ids of the agents who granted or withdrew it, if any did.
    granted_by_agent_id: int | None
    granted_by_agent: str | None
    withdrawn_at: datetime | None
    withdrawn_by_agent_id: int | None
    withdrawn_by_agent: str | None


def _query() -> Select[Any]:
    return (
        select(
            authorizations,
            using_parties.c.credit_code.label("party_code"),
            using_parties.c.name.label("party_name"),
            service_matters.c.code.label("matter_code"),
            _granted_by.c.public_id.label("granted_by_agent"),
            _withdrawn_by.c.public_id.label("withdrawn_by_agent"),
        )
        .join(using_parties, using_parties.c.id == authorizations.c.party_id)
        .join(service_matters, service_matters.c.id == authorizations.c.matter_id)
        .outerjoin(
            _granted_by, _granted_by.c.id == authorizations.c.granted_by_agent_id
        )
        .outerjoin(
            _withdrawn_by, _withdrawn_by.c.id == authorizations.c.withdrawn_by_agent_id
        )
    )


def _stored(row: Any) -> StoredAuthorization:
    return StoredAuthorization(
        row_id=int(row.id),
        public_id=row.public_id,
        holder_kind=HolderKind(row.holder_kind),
        holder_index=row.holder_index,
        holder_cipher=bytes(row.holder_cipher),
        party_id=int(row.party_id),
        party_code=row.party_code,
        party_name=row.party_name,
        matter_id=int(row.matter_id),
        matter_code=row.matter_code,
        grants=list(row.grants),
        purpose=row.purpose,
        expires_at=row.expires_at,
        uses_allowed=int(row.uses_allowed),
        uses_left=int(row.uses_left),
        granted_at=row.granted_at,
        granted_by_agent_id=row.granted_by_agent_id,
        granted_by_agent=row.granted_by_agent,
        withdrawn_at=row.withdrawn_at,
        withdrawn_by_agent_id=row.withdrawn_by_agent_id,
        withdrawn_by_agent=row.withdrawn_by_agent,
    )


def insert_authorization(
    conn: Connection,
    *,
    public_id: str,
    holder_kind: HolderKind,
    holder_index: str,
    holder_cipher: bytes,
    party_id: int,
    matter_id: int,
    grants: list[dict[str, Any]],
    purpose: str,
    expires_at: datetime,
    uses: int,
    agent_id: int | None,
    now: datetime,
) -> StoredAuthorization:
    conn.execute(
        authorizations.insert().values(
            public_id=public_id,
            holder_kind=holder_kind.value,
            holder_index=holder_index,
            holder_cipher=holder_cipher,
            party_id=party_id,
            matter_id=matter_id,
            grants=grants,
            purpose=purpose,
            expires_at=expires_at,
            uses_allowed=uses,
            uses_left=uses,
            granted_at=now,
            granted_by_agent_id=agent_id,
        )
    )
    found = authorization_by_public_id(conn, public_id)
    assert found is not None
    return found


# Statements of every share and check are built once: building and keying one costs
# about what running it does.
_BY_PUBLIC_ID = _query().where(authorizations.c.public_id == bindparam("public_id"))
_TAKE_USE = (
    authorizations.update()
    .where(
        authorizations.c.id == bindparam("row_id"),
        authorizations.c.uses_left > 0,
        authorizations.c.withdrawn_at.is_(None),
        authorizations.c.expires_at > bindparam("now"),
    )
    .values(uses_left=authorizations.c.uses_left - 1)
    .returning(authorizations.c.uses_left)
)


def authorization_by_public_id(
    conn: Connection, public_id: str
) -> StoredAuthorization | None:
    row = conn.execute(_BY_PUBLIC_ID, {"public_id": public_id}).first()
    return _stored(row) if row else None


def authorizations_of_holder(
    conn: Connection, holder_index: str, *, before_row_id: int | None, limit: int
) -> list[StoredAuthorization]:
    """A holder's authorizations, the newest first, from before ``before_row_id``."""
    query = (
        _query()
        .where(authorizations.c.holder_index == holder_index)
        .order_by(authorizations.c.id.desc())
        .limit(limit)
    )
    if before_row_id is not None:
        query = query.where(authorizations.c.id < before_row_id)
    return [_stored(row) for row in conn.execute(query)]


def authorizations_of_party(
    conn: Connection,
    party_id: int,
    holder_index: str,
    *,
    before_row_id: int | None,
    limit: int,
) -> list[StoredAuthorization]:
    """The authorizations one holder granted one party, the newest first, from
    before ``before_row_id``."""
    query = (
        _query()
        .where(
            authorizations.c.party_id == party_id,
            authorizations.c.holder_index == holder_index,
        )
        .order_by(authorizations.c.id.desc())
        .limit(limit)
    )
    if before_row_id is not None:
        query = query.where(authorizations.c.id < before_row_id)
    return [_stored(row) for row in conn.execute(query)]


def take_use(conn: Connection, row_id: int, *, now: datetime) -> int | None:
    """Use the authorization once; the uses left after, or None when it may not be
    used (used up, withdrawn or expired).

    One statement: of two transactions taking the last use, the second waits for the
    first's row lock (PostgreSQL) or the write lock (SQLite), then finds none left.
    """
    result = conn.execute(_TAKE_USE, {"row_id": row_id, "now": now}).first()
    return None if result is None else int(result.uses_left)


def withdraw(
    conn: Connection, row_id: int, *, agent_id: int | None, now: datetime
) -> None:
    conn.execute(
        authorizations.update()
        .where(authorizations.c.id == row_id, authorizations.c.withdrawn_at.is_(None))
        .values(withdrawn_at=now, withdrawn_by_agent_id=agent_id)
    )
