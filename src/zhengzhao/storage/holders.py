"""Holders' sessions and the agents they appoint; holders are known by blind index."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from zhengzhao.model.license import HolderKind
from zhengzhao.storage.tables import holder_agents, holder_sessions

__all__ = [
    "StoredAgent",
    "StoredSession",
    "agent_by_id",
    "agent_by_public_id",
    "agents_acting_as",
    "agents_appointed_by",
    "end_session",
    "insert_agent",
    "insert_session",
    "session_by_id",
    "withdraw_agent",
]


@dataclass(frozen=True, kw_only=True)
class StoredSession:
    session_id: str
    secret_hash: str
    holder_kind: HolderKind
    holder_index: str
    holder_cipher: bytes
    provider: str
    created_at: datetime
    expires_at: datetime
    ended_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class StoredAgent:
    """An appointment of an agent (a person) by a holder."""

    row_id: int
    public_id: str
    holder_kind: HolderKind
    holder_index: str
    holder_cipher: bytes
    agent_index: str
    agent_cipher: bytes
    note: str | None
    appointed_at: datetime
    withdrawn_at: datetime | None


def insert_session(conn: Connection, session: StoredSession) -> None:
    conn.execute(
        holder_sessions.insert().values(
            session_id=session.session_id,
            secret_hash=session.secret_hash,
            holder_kind=session.holder_kind.value,
            holder_index=session.holder_index,
            holder_cipher=session.holder_cipher,
            provider=session.provider,
            created_at=session.created_at,
            expires_at=session.expires_at,
            ended_at=session.ended_at,
        )
    )


def session_by_id(conn: Connection, session_id: str) -> StoredSession | None:
    row = conn.execute(
        select(holder_sessions).where(holder_sessions.c.session_id == session_id)
    ).first()
    if row is None:
        return None
    return StoredSession(
        session_id=row.session_id,
        secret_hash=row.secret_hash,
        holder_kind=HolderKind(row.holder_kind),
        holder_index=row.holder_index,
        holder_cipher=bytes(row.holder_cipher),
        provider=row.provider,
        created_at=row.created_at,
        expires_at=row.expires_at,
        ended_at=row.ended_at,
    )


def end_session(conn: Connection, session_id: str, *, now: datetime) -> None:
    conn.execute(
        holder_sessions.update()
        .where(holder_sessions.c.session_id == session_id)
        .values(ended_at=now)
    )


def _agent(row: Any) -> StoredAgent:
    return StoredAgent(
        row_id=int(row.id),
        public_id=row.public_id,
        holder_kind=HolderKind(row.holder_kind),
        holder_index=row.holder_index,
        holder_cipher=bytes(row.holder_cipher),
        agent_index=row.agent_index,
        agent_cipher=bytes(row.agent_cipher),
        note=row.note,
        appointed_at=row.appointed_at,
        withdrawn_at=row.withdrawn_at,
    )


def insert_agent(
    conn: Connection,
    *,
    public_id: str,
    holder_kind: HolderKind,
    holder_index: str,
    holder_cipher: bytes,
    agent_index: str,
    agent_cipher: bytes,
    note: str | None,
    now: datetime,
) -> StoredAgent:
    conn.execute(
        holder_agents.insert().values(
            public_id=public_id,
            holder_kind=holder_kind.value,
            holder_index=holder_index,
            holder_cipher=holder_cipher,
            agent_index=agent_index,
            agent_cipher=agent_cipher,
            note=note,
            appointed_at=now,
        )
    )
    found = agent_by_public_id(conn, public_id)
    assert found is not None
    return found


def agent_by_public_id(conn: Connection, public_id: str) -> StoredAgent | None:
    row = conn.execute(
        select(holder_agents).where(holder_agents.c.public_id == public_id)
    ).first()
    return _agent(row) if row else None


def agent_by_id(conn: Connection, row_id: int) -> StoredAgent | None:
    row = conn.execute(
        select(holder_agents).where(holder_agents.c.id == row_id)
    ).first()
    return _agent(row) if row else None


def agents_appointed_by(conn: Connection, holder_index: str) -> list[StoredAgent]:
    """Every appointment a holder made, the newest first."""
    rows = conn.execute(
        select(holder_agents)
        .where(holder_agents.c.holder_index == holder_index)
        .order_by(holder_agents.c.id.desc())
    )
    return [_agent(row) for row in rows]


def agents_acting_as(conn: Connection, agent_index: str) -> list[StoredAgent]:
    """The appointments in which this person is the agent and that still hold."""
    rows = conn.execute(
        select(holder_agents)
        .where(
            holder_agents.c.agent_index == agent_index,
            holder_agents.c.withdrawn_at.is_(None),
        )
        .order_by(holder_agents.c.id)
    )
    return [_agent(row) for row in rows]


def withdraw_agent(conn: Connection, row_id: int, *, now: datetime) -> None:
    conn.execute(
        holder_agents.update()
        .where(holder_agents.c.id == row_id, holder_agents.c.withdrawn_at.is_(None))
        .values(withdrawn_at=now)
    )
