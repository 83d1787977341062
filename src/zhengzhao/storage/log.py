"""The transparency log's tables: outbox, entries, tile hashes, checkpoints, keys."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, func, select, text
from sqlalchemy.dialects import postgresql, sqlite

from zhengzhao.errors import LogStoreDamaged
from zhengzhao.storage.tables import (
    access_records,
    departments,
    license_events,
    licenses,
    log_checkpoints,
    log_cosignatures,
    log_entries,
    log_hashes,
    log_outbox,
    node_keys,
)

__all__ = [
    "AuditRow",
    "LoggedAccess",
    "LoggedEvent",
    "PendingLeaf",
    "StoredCheckpoint",
    "StoredNodeKey",
    "add_cosignature",
    "audit_rows",
    "checkpoint_at",
    "cosignatures",
    "entries",
    "entries_of_license",
    "entry_count",
    "entry_of_access_record",
    "insert_checkpoint",
    "insert_entries",
    "insert_hashes",
    "insert_node_key",
    "insert_node_key_if_absent",
    "latest_checkpoint",
    "lock_log",
    "node_key",
    "pending",
    "pending_count",
    "read_hashes",
    "remove_pending",
    "unlogged_access_records",
    "unlogged_events",
]

#: Key of the PostgreSQL advisory lock that makes one sequencer run at a time.
_SEQUENCER_LOCK = 0x7A6C6F67  # "zlog"


@dataclass(frozen=True, kw_only=True)
class PendingLeaf:
    """A leaf waiting in the outbox."""

    outbox_id: int
    event_id: int | None
    leaf: bytes
    #: Set instead of ``event_id`` for an access record's leaf.
    access_record_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class StoredCheckpoint:
    size: int
    root_hash: bytes
    #: The signed note text (C2SP tlog-checkpoint), without cosignatures.
    note: str
    created_at: datetime


@dataclass(frozen=True, kw_only=True)
class StoredNodeKey:
    purpose: str
    name: str
    algorithm: str
    public_key: bytes
    wrapped_private_key: bytes
    created_at: datetime | None = None


def lock_log(conn: Connection) -> None:
    """Take the sequencer's lock for this transaction.

    SQLite needs nothing more: every write transaction begins IMMEDIATE.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(
            text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SEQUENCER_LOCK}
        )


def pending(conn: Connection, *, limit: int) -> list[PendingLeaf]:
    """The oldest leaves in the outbox, in the order they were queued."""
    rows = conn.execute(
        select(
            log_outbox.c.id,
            log_outbox.c.event_id,
            log_outbox.c.leaf,
            log_outbox.c.access_record_id,
        )
        .order_by(log_outbox.c.id)
        .limit(limit)
    )
    return [
        PendingLeaf(
            outbox_id=r.id,
            event_id=r.event_id,
            leaf=r.leaf,
            access_record_id=r.access_record_id,
        )
        for r in rows
    ]


def pending_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(log_outbox)).scalar_one())


def remove_pending(conn: Connection, outbox_ids: Sequence[int]) -> None:
    conn.execute(delete(log_outbox).where(log_outbox.c.id.in_(list(outbox_ids))))


def insert_entries(
    conn: Connection, first_index: int, leaves: Sequence[PendingLeaf], *, now: datetime
) -> None:
    if not leaves:
        return
    conn.execute(
        log_entries.insert(),
        [
            {
                "idx": first_index + offset,
                "event_id": leaf.event_id,
                "access_record_id": leaf.access_record_id,
                "leaf": leaf.leaf,
                "integrated_at": now,
            }
            for offset, leaf in enumerate(leaves)
        ],
    )


def insert_hashes(conn: Connection, hashes: Sequence[tuple[int, int, bytes]]) -> None:
    """Store tile-level hashes given as (level, index, hash)."""
    if hashes:
        conn.execute(
            log_hashes.insert(),
            [{"level": level, "idx": index, "hash": h} for level, index, h in hashes],
        )


_READ_HASHES = (
    select(log_hashes.c.idx, log_hashes.c.hash)
    .where(
        log_hashes.c.level == bindparam("level"),
        log_hashes.c.idx >= bindparam("start"),
        log_hashes.c.idx < bindparam("end"),
    )
    .order_by(log_hashes.c.idx)
)


def read_hashes(conn: Connection, level: int, start: int, end: int) -> list[bytes]:
    """Tile-level hashes ``start..end-1`` of ``level``; raises `LogStoreDamaged` if
    any is missing."""
    rows = conn.execute(
        _READ_HASHES, {"level": level, "start": start, "end": end}
    ).all()
    if len(rows) != end - start:
        raise LogStoreDamaged(
            f"log hashes {start}..{end - 1} of level {level}: found {len(rows)}"
        )
    return [bytes(row.hash) for row in rows]


def entries(conn: Connection, start: int, end: int) -> list[bytes]:
    """Leaves ``start..end-1``, in order."""
    rows = conn.execute(
        select(log_entries.c.leaf)
        .where(log_entries.c.idx >= start, log_entries.c.idx < end)
        .order_by(log_entries.c.idx)
    ).all()
    return [bytes(row.leaf) for row in rows]


def entries_of_license(conn: Connection, license_row_id: int) -> list[tuple[int, int]]:
    """(event sequence, log index) of a license version's integrated events."""
    rows = conn.execute(
        select(license_events.c.sequence, log_entries.c.idx)
        .join(log_entries, log_entries.c.event_id == license_events.c.id)
        .where(license_events.c.license_id == license_row_id)
        .order_by(license_events.c.sequence)
    )
    return [(int(row.sequence), int(row.idx)) for row in rows]


def entry_of_access_record(conn: Connection, record_row_id: int) -> int | None:
    """The log index of an access record's leaf, once integrated."""
    value = conn.execute(
        select(log_entries.c.idx).where(log_entries.c.access_record_id == record_row_id)
    ).scalar()
    return None if value is None else int(value)


def insert_checkpoint(
    conn: Connection, *, size: int, root_hash: bytes, note: str, now: datetime
) -> None:
    conn.execute(
        log_checkpoints.insert().values(
            size=size, root_hash=root_hash, note=note, created_at=now
        )
    )


def _checkpoint(row: Any) -> StoredCheckpoint:
    return StoredCheckpoint(
        size=int(row.size),
        root_hash=bytes(row.root_hash),
        note=row.note,
        created_at=row.created_at,
    )


_LATEST = select(log_checkpoints).order_by(log_checkpoints.c.size.desc()).limit(1)


def latest_checkpoint(conn: Connection) -> StoredCheckpoint | None:
    row = conn.execute(_LATEST).first()
    return _checkpoint(row) if row else None


def checkpoint_at(conn: Connection, size: int) -> StoredCheckpoint | None:
    row = conn.execute(
        select(log_checkpoints).where(log_checkpoints.c.size == size)
    ).first()
    return _checkpoint(row) if row else None


def add_cosignature(
    conn: Connection, *, size: int, witness: str, signature: str, now: datetime
) -> None:
    exists = conn.execute(
        select(log_cosignatures.c.size).where(
            log_cosignatures.c.size == size, log_cosignatures.c.witness == witness
        )
    ).first()
    if exists is None:
        conn.execute(
            log_cosignatures.insert().values(
                size=size, witness=witness, signature=signature, received_at=now
            )
        )


def cosignatures(conn: Connection, size: int) -> list[str]:
    """The witness signature lines collected for the checkpoint of ``size``."""
    rows = conn.execute(
        select(log_cosignatures.c.signature)
        .where(log_cosignatures.c.size == size)
        .order_by(log_cosignatures.c.witness)
    )
    return [str(line) for line in rows.scalars()]


def node_key(conn: Connection, purpose: str) -> StoredNodeKey | None:
    row = conn.execute(select(node_keys).where(node_keys.c.purpose == purpose)).first()
    if row is None:
        return None
    return StoredNodeKey(
        purpose=row.purpose,
        name=row.name,
        algorithm=row.algorithm,
        public_key=bytes(row.public_key),
        wrapped_private_key=bytes(row.wrapped_private_key),
        created_at=row.created_at,
    )


def insert_node_key_if_absent(
    conn: Connection, key: StoredNodeKey, *, now: datetime
) -> bool:
    """Store ``key`` unless a key of its purpose exists; whether it was stored.

    Of two transactions storing one purpose's first key, the second waits for the
    first and stores nothing.
    """
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    result = conn.execute(
        insert(node_keys)
        .values(
            purpose=key.purpose,
            name=key.name,
            algorithm=key.algorithm,
            public_key=key.public_key,
            wrapped_private_key=key.wrapped_private_key,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=[node_keys.c.purpose])
    )
    return bool(result.rowcount)


def insert_node_key(conn: Connection, key: StoredNodeKey, *, now: datetime) -> None:
    conn.execute(
        node_keys.insert().values(
            purpose=key.purpose,
            name=key.name,
            algorithm=key.algorithm,
            public_key=key.public_key,
            wrapped_private_key=key.wrapped_private_key,
            created_at=now,
        )
    )


@dataclass(frozen=True, kw_only=True)
class AuditRow:
    """A log entry beside what the database holds today for its event or record."""

    index: int
    leaf: bytes
    event_id: int | None
    #: None when the event row is gone (or the entry is an access record's).
    event: LoggedEvent | None
    access_record_id: int | None = None
    #: None when the access record's row is gone (or the entry is an event's).
    access: LoggedAccess | None = None


@dataclass(frozen=True, kw_only=True)
class LoggedAccess:
    """An access record row as stored now (the columns of `access_records`)."""

    public_id: str
    columns: dict[str, Any]


@dataclass(frozen=True, kw_only=True)
class LoggedEvent:
    """An event row as stored now, with its license and issuer."""

    license_identifier: str
    issuer_code: str
    sequence: int
    kind: str
    occurred_at: datetime
    recorded_at: datetime
    reason: str | None
    document: str
    license_row_id: int
    license_document_cipher: bytes


def audit_rows(conn: Connection, start: int, end: int) -> list[AuditRow]:
    """Log entries ``start..end-1`` joined to their events, licenses and issuers."""
    query = (
        select(
            log_entries.c.idx,
            log_entries.c.leaf,
            log_entries.c.event_id,
            log_entries.c.access_record_id,
            *[c.label(f"access_{c.name}") for c in access_records.c],
            license_events.c.sequence,
            license_events.c.kind,
            license_events.c.occurred_at,
            license_events.c.recorded_at,
            license_events.c.reason,
            license_events.c.document,
            licenses.c.id.label("license_row_id"),
            licenses.c.identifier,
            licenses.c.document_cipher,
            departments.c.credit_code,
        )
        .select_from(
            log_entries.outerjoin(
                license_events, license_events.c.id == log_entries.c.event_id
            )
            .outerjoin(licenses, licenses.c.id == license_events.c.license_id)
            .outerjoin(departments, departments.c.id == licenses.c.issuer_id)
            .outerjoin(
                access_records,
                access_records.c.id == log_entries.c.access_record_id,
            )
        )
        .where(log_entries.c.idx >= start, log_entries.c.idx < end)
        .order_by(log_entries.c.idx)
    )
    return [_audit_row(row) for row in conn.execute(query)]


def _audit_row(row: Any) -> AuditRow:
    event = None
    if row.sequence is not None and row.identifier is not None:
        event = LoggedEvent(
            license_identifier=row.identifier,
            issuer_code=row.credit_code,
            sequence=int(row.sequence),
            kind=row.kind,
            occurred_at=row.occurred_at,
            recorded_at=row.recorded_at,
            reason=row.reason,
            document=row.document,
            license_row_id=int(row.license_row_id),
            license_document_cipher=bytes(row.document_cipher),
        )
    access = None
    if row.access_id is not None:
        columns = {c.name: getattr(row, f"access_{c.name}") for c in access_records.c}
        access = LoggedAccess(public_id=row.access_public_id, columns=columns)
    return AuditRow(
        index=int(row.idx),
        leaf=bytes(row.leaf),
        event_id=int(row.event_id) if row.event_id is not None else None,
        event=event,
        access_record_id=(
            int(row.access_record_id) if row.access_record_id is not None else None
        ),
        access=access,
    )


def unlogged_events(conn: Connection) -> list[tuple[int, str, int, str]]:
    """Events in neither the log nor its outbox: (event id, license, sequence, kind)."""
    logged = select(log_entries.c.event_id).where(log_entries.c.event_id.is_not(None))
    queued = select(log_outbox.c.event_id).where(log_outbox.c.event_id.is_not(None))
    rows = conn.execute(
        select(
            license_events.c.id,
            licenses.c.identifier,
            license_events.c.sequence,
            license_events.c.kind,
        )
        .join(licenses, licenses.c.id == license_events.c.license_id)
        .where(license_events.c.id.not_in(logged), license_events.c.id.not_in(queued))
        .order_by(license_events.c.id)
    )
    return [(int(r.id), r.identifier, int(r.sequence), r.kind) for r in rows]


def unlogged_access_records(conn: Connection) -> list[str]:
    """Public ids of access records in neither the log nor its outbox."""
    logged = select(log_entries.c.access_record_id).where(
        log_entries.c.access_record_id.is_not(None)
    )
    queued = select(log_outbox.c.access_record_id).where(
        log_outbox.c.access_record_id.is_not(None)
    )
    rows = conn.execute(
        select(access_records.c.public_id)
        .where(access_records.c.id.not_in(logged), access_records.c.id.not_in(queued))
        .order_by(access_records.c.id)
    )
    return [str(value) for value in rows.scalars()]


def entry_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(log_entries)).scalar_one())
