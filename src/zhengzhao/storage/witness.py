"""A witness's state: the latest cosigned checkpoint per log, and evidence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from zhengzhao.storage.tables import witness_checkpoints, witness_evidence

__all__ = [
    "Evidence",
    "WitnessedCheckpoint",
    "evidence",
    "latest_cosigned",
    "record_evidence",
    "save_cosigned",
]


@dataclass(frozen=True, kw_only=True)
class WitnessedCheckpoint:
    origin: str
    size: int
    root_hash: bytes
    note: str


@dataclass(frozen=True, kw_only=True)
class Evidence:
    origin: str
    reason: str
    cosigned_note: str
    offered_request: str
    received_at: datetime


def latest_cosigned(conn: Connection, origin: str) -> WitnessedCheckpoint | None:
    """The latest checkpoint cosigned for ``origin``, locked until the transaction
    ends on PostgreSQL (SQLite transactions here already hold the write lock)."""
    query = select(witness_checkpoints).where(witness_checkpoints.c.origin == origin)
    if conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    if row is None:
        return None
    return WitnessedCheckpoint(
        origin=row.origin,
        size=int(row.size),
        root_hash=bytes(row.root_hash),
        note=row.note,
    )


def save_cosigned(
    conn: Connection, checkpoint: WitnessedCheckpoint, *, now: datetime
) -> None:
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    values = {
        "size": checkpoint.size,
        "root_hash": checkpoint.root_hash,
        "note": checkpoint.note,
        "updated_at": now,
    }
    conn.execute(
        insert(witness_checkpoints)
        .values(origin=checkpoint.origin, **values)
        .on_conflict_do_update(
            index_elements=[witness_checkpoints.c.origin], set_=values
        )
    )


def record_evidence(conn: Connection, item: Evidence) -> None:
    conn.execute(
        witness_evidence.insert().values(
            origin=item.origin,
            reason=item.reason,
            cosigned_note=item.cosigned_note,
            offered_request=item.offered_request,
            received_at=item.received_at,
        )
    )


def evidence(conn: Connection) -> list[Evidence]:
    rows = conn.execute(select(witness_evidence).order_by(witness_evidence.c.id))
    return [
        Evidence(
            origin=row.origin,
            reason=row.reason,
            cosigned_note=row.cosigned_note,
            offered_request=row.offered_request,
            received_at=row.received_at,
        )
        for row in rows
    ]
