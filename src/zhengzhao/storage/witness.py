"""A witness's state: the latest cosigned checkpoint per log, and evidence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select, text, update
from sqlalchemy.dialects import postgresql, sqlite

from zhengzhao.storage.tables import witness_checkpoints, witness_evidence

__all__ = [
    "Evidence",
    "WitnessedCheckpoint",
    "evidence",
    "latest_cosigned",
    "lock_origin",
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


def lock_origin(conn: Connection, origin: str) -> None:
    """Hold the witness's lock on ``origin`` until the transaction ends, so that
    one add-checkpoint request of a log at a time reads and moves its size.

    On PostgreSQL a transaction-scoped advisory lock keyed by the origin: it works
    before the origin's first row exists, which a row lock cannot. SQLite needs
    nothing: its write transactions already run one at a time.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(
            text("SELECT pg_advisory_xact_lock(hashtext(:origin))"), {"origin": origin}
        )


def latest_cosigned(conn: Connection, origin: str) -> WitnessedCheckpoint | None:
    """The latest checkpoint cosigned for ``origin``."""
    row = conn.execute(
        select(witness_checkpoints).where(witness_checkpoints.c.origin == origin)
    ).first()
    if row is None:
        return None
    return WitnessedCheckpoint(
        origin=row.origin,
        size=int(row.size),
        root_hash=bytes(row.root_hash),
        note=row.note,
    )


def save_cosigned(
    conn: Connection,
    checkpoint: WitnessedCheckpoint,
    *,
    previous_size: int | None,
    now: datetime,
) -> bool:
    """Move the origin's cosigned checkpoint from ``previous_size`` (None: there
    was none) to ``checkpoint``; False, changing nothing, when the stored size is
    no longer ``previous_size``: a compare-and-swap, so a size never goes back."""
    values = {
        "size": checkpoint.size,
        "root_hash": checkpoint.root_hash,
        "note": checkpoint.note,
        "updated_at": now,
    }
    if previous_size is None:
        insert = (
            postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
        )
        result = conn.execute(
            insert(witness_checkpoints)
            .values(origin=checkpoint.origin, **values)
            .on_conflict_do_nothing(index_elements=[witness_checkpoints.c.origin])
        )
    else:
        result = conn.execute(
            update(witness_checkpoints)
            .where(
                witness_checkpoints.c.origin == checkpoint.origin,
                witness_checkpoints.c.size == previous_size,
            )
            .values(**values)
        )
    return bool(result.rowcount)


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


def evidence(conn: Connection, *, origin: str | None = None) -> list[Evidence]:
    """The evidence kept, oldest first: all of it, or that of ``origin``."""
    query = select(witness_evidence).order_by(witness_evidence.c.id)
    if origin is not None:
        query = query.where(witness_evidence.c.origin == origin)
    rows = conn.execute(query)
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
