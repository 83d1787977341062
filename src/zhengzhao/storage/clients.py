"""API clients and their hashed secrets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from zhengzhao.model.parties import Role
from zhengzhao.storage.tables import api_clients

__all__ = [
    "ClientRecord",
    "client_by_id",
    "insert_client",
    "list_clients",
    "set_disabled",
]


@dataclass(frozen=True, kw_only=True)
class ClientRecord:
    """A stored API client; the secret is kept only as its hash."""

    client_id: str
    name: str
    secret_hash: str
    role: Role
    department_id: int | None
    #: The using party a `using-party` client acts for.
    party_id: int | None
    demo: bool
    created_at: datetime
    disabled_at: datetime | None


def _client(row: Any) -> ClientRecord:
    return ClientRecord(
        client_id=row.client_id,
        name=row.name,
        secret_hash=row.secret_hash,
        role=Role(row.role),
        department_id=row.department_id,
        party_id=row.party_id,
        demo=row.demo,
        created_at=row.created_at,
        disabled_at=row.disabled_at,
    )


def insert_client(
    conn: Connection,
    *,
    client_id: str,
    name: str,
    secret_hash: str,
    role: Role,
    department_id: int | None,
    party_id: int | None = None,
    demo: bool,
    now: datetime,
) -> None:
    conn.execute(
        api_clients.insert().values(
            client_id=client_id,
            name=name,
            secret_hash=secret_hash,
            role=role.value,
            department_id=department_id,
            party_id=party_id,
            demo=demo,
            created_at=now,
        )
    )


def client_by_id(conn: Connection, client_id: str) -> ClientRecord | None:
    row = conn.execute(
        select(api_clients).where(api_clients.c.client_id == client_id)
    ).first()
    return _client(row) if row else None


def list_clients(conn: Connection) -> list[ClientRecord]:
    rows = conn.execute(select(api_clients).order_by(api_clients.c.client_id))
    return [_client(row) for row in rows]


def set_disabled(conn: Connection, client_id: str, *, now: datetime) -> None:
    """Disable a client from ``now``; a client disabled already keeps its time."""
    conn.execute(
        update(api_clients)
        .where(
            api_clients.c.client_id == client_id, api_clients.c.disabled_at.is_(None)
        )
        .values(disabled_at=now)
    )
