"""The transparency log's tables: outbox, entries, tile hashes, checkpoints, keys."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
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
    "StoredCosignature",
    "StoredNodeKey",
    "StoredState",
    "add_cosignature",
    "audit_rows",
    "checkpoint_at",
    "checkpoints_between",
    "cosignatures",
    "cosignatures_between",
    "entries",
    "entries_of_license",
    "entry_count",
    "entry_of_access_record",
    "event_sequence_gaps",
    "hashes_between",
    "insert_checkpoint",
    "insert_entries",
    "insert_hashes",
    "insert_node_key",
    "insert_node_key_if_absent",
    "last_entry_index",
    "latest_checkpoint",
    "latest_cosigned_checkpoint",
    "leaf_hash_indices",
    "license_states",
    "lock_log",
    "node_key",
    "pending",
    "pending_count",
    "read_hashes",
    "remove_pending",
    "unlogged_access_rows",
    "unlogged_event_rows",
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


@dataclass(frozen=True, kw_only=True)
class StoredCosignature:
    """One witness's cosignature line of the checkpoint of ``size``."""

    size: int
    witness: str
    signature: str


def cosignatures_between(
    conn: Connection, low: int, high: int
) -> list[StoredCosignature]:
    """Every cosignature of the checkpoints of sizes ``low..high``, by size."""
    rows = conn.execute(
        select(log_cosignatures)
        .where(log_cosignatures.c.size >= low, log_cosignatures.c.size <= high)
        .order_by(log_cosignatures.c.size, log_cosignatures.c.witness)
    )
    return [
        StoredCosignature(
            size=int(row.size), witness=row.witness, signature=row.signature
        )
        for row in rows
    ]


def checkpoints_between(
    conn: Connection, low: int, high: int
) -> list[StoredCheckpoint]:
    """The stored checkpoints of sizes ``low..high``, smallest first."""
    rows = conn.execute(
        select(log_checkpoints)
        .where(log_checkpoints.c.size >= low, log_checkpoints.c.size <= high)
        .order_by(log_checkpoints.c.size)
    )
    return [_checkpoint(row) for row in rows]


def latest_cosigned_checkpoint(
    conn: Connection, witnesses: Collection[str] | None = None
) -> StoredCheckpoint | None:
    """The largest checkpoint with a cosignature (by one of ``witnesses``, when
    given); None when no checkpoint has one."""
    query = select(func.max(log_cosignatures.c.size))
    if witnesses is not None:
        query = query.where(log_cosignatures.c.witness.in_(list(witnesses)))
    size = conn.execute(query).scalar()
    return None if size is None else checkpoint_at(conn, int(size))


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


_EVENT_COLUMNS = (
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
_EVENT_JOINS = license_events.join(
    licenses, licenses.c.id == license_events.c.license_id
).join(departments, departments.c.id == licenses.c.issuer_id)


def audit_rows(conn: Connection, start: int, end: int) -> list[AuditRow]:
    """Log entries ``start..end-1`` joined to their events, licenses and issuers;
    an index with no entry is simply absent."""
    query = (
        select(
            log_entries.c.idx,
            log_entries.c.leaf,
            log_entries.c.event_id,
            log_entries.c.access_record_id,
            *[c.label(f"access_{c.name}") for c in access_records.c],
            *_EVENT_COLUMNS,
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


def _logged_event(row: Any) -> LoggedEvent | None:
    if row.sequence is None or row.identifier is None:
        return None
    return LoggedEvent(
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


def _audit_row(row: Any) -> AuditRow:
    event = _logged_event(row)
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


def unlogged_event_rows(conn: Connection) -> list[tuple[int, LoggedEvent]]:
    """Events in neither the log nor its outbox, as (event id, event row), in the
    order they were recorded."""
    logged = select(log_entries.c.event_id).where(log_entries.c.event_id.is_not(None))
    queued = select(log_outbox.c.event_id).where(log_outbox.c.event_id.is_not(None))
    rows = conn.execute(
        select(license_events.c.id.label("event_row_id"), *_EVENT_COLUMNS)
        .select_from(_EVENT_JOINS)
        .where(license_events.c.id.not_in(logged), license_events.c.id.not_in(queued))
        .order_by(license_events.c.recorded_at, license_events.c.id)
    )
    found = []
    for row in rows:
        event = _logged_event(row)
        assert event is not None  # the inner joins found its license
        found.append((int(row.event_row_id), event))
    return found


def unlogged_access_rows(conn: Connection) -> list[LoggedAccess]:
    """Access records in neither the log nor its outbox, in the order they were
    made."""
    logged = select(log_entries.c.access_record_id).where(
        log_entries.c.access_record_id.is_not(None)
    )
    queued = select(log_outbox.c.access_record_id).where(
        log_outbox.c.access_record_id.is_not(None)
    )
    rows = conn.execute(
        select(access_records)
        .where(access_records.c.id.not_in(logged), access_records.c.id.not_in(queued))
        .order_by(access_records.c.occurred_at, access_records.c.id)
    )
    return [
        LoggedAccess(public_id=row.public_id, columns=dict(row._mapping))
        for row in rows
    ]


def event_sequence_gaps(conn: Connection) -> list[tuple[str, list[int]]]:
    """Licenses whose events are not numbered 1, 2, ... without a gap: (license
    identifier, the missing sequence numbers). A license with no event misses 1."""
    count = func.count(license_events.c.id)
    top = func.coalesce(func.max(license_events.c.sequence), 0)
    flagged = conn.execute(
        select(licenses.c.id, licenses.c.identifier, top.label("top"))
        .select_from(
            licenses.outerjoin(
                license_events, license_events.c.license_id == licenses.c.id
            )
        )
        .group_by(licenses.c.id, licenses.c.identifier)
        .having((count != top) | (count == 0))
        .order_by(licenses.c.id)
    ).all()
    gaps = []
    for row in flagged:
        present = set(
            conn.execute(
                select(license_events.c.sequence).where(
                    license_events.c.license_id == row.id
                )
            ).scalars()
        )
        missing = [n for n in range(1, max(int(row.top), 1) + 1) if n not in present]
        gaps.append((str(row.identifier), missing))
    return gaps


def hashes_between(
    conn: Connection, level: int, start: int, end: int
) -> dict[int, bytes]:
    """The stored tile-level hashes of ``level`` with indices ``start..end-1``, by
    index; a missing hash is simply absent."""
    rows = conn.execute(_READ_HASHES, {"level": level, "start": start, "end": end})
    return {int(row.idx): bytes(row.hash) for row in rows}


#: Hashes per `IN (...)` list: well under every database's parameter limit.
_IN_CHUNK = 500


def leaf_hash_indices(conn: Connection, hashes: Collection[bytes]) -> dict[bytes, int]:
    """Where each of ``hashes`` is stored as a leaf (level 0) hash: hash -> the
    lowest such index. Hashes stored nowhere are absent."""
    wanted = list(dict.fromkeys(hashes))
    found: dict[bytes, int] = {}
    for first in range(0, len(wanted), _IN_CHUNK):
        rows = conn.execute(
            select(log_hashes.c.idx, log_hashes.c.hash)
            .where(
                log_hashes.c.level == 0,
                log_hashes.c.hash.in_(wanted[first : first + _IN_CHUNK]),
            )
            .order_by(log_hashes.c.idx)
        )
        for row in rows:
            found.setdefault(bytes(row.hash), int(row.idx))
    return found


def last_entry_index(conn: Connection) -> int | None:
    """The highest index of a stored entry; None when there is none."""
    value = conn.execute(select(func.max(log_entries.c.idx))).scalar()
    return None if value is None else int(value)


def entry_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(log_entries)).scalar_one())


@dataclass(frozen=True, kw_only=True)
class StoredState:
    """A license version's stored state beside the events stored for it."""

    row_id: int
    identifier: str
    #: The `licenses` columns as stored, unchecked.
    status: str
    encumbrance: str | None
    valid_until: date | None
    #: The row of the version it replaced, if any.
    supersedes_id: int | None
    #: (kind, occurred_at) of its events, in sequence order.
    events: tuple[tuple[str, datetime], ...]


def license_states(
    conn: Connection, *, after_row_id: int, limit: int
) -> list[StoredState]:
    """Up to ``limit`` license versions with row ids above ``after_row_id``, in row
    order, each with its events: two queries, the second a range of the events'
    (license, sequence) index."""
    rows = conn.execute(
        select(
            licenses.c.id,
            licenses.c.identifier,
            licenses.c.status,
            licenses.c.encumbrance,
            licenses.c.valid_until,
            licenses.c.supersedes_id,
        )
        .where(licenses.c.id > after_row_id)
        .order_by(licenses.c.id)
        .limit(limit)
    ).all()
    if not rows:
        return []
    events: dict[int, list[tuple[str, datetime]]] = {}
    for event in conn.execute(
        select(
            license_events.c.license_id,
            license_events.c.kind,
            license_events.c.occurred_at,
        )
        .where(
            license_events.c.license_id > after_row_id,
            license_events.c.license_id <= rows[-1].id,
        )
        .order_by(license_events.c.license_id, license_events.c.sequence)
    ):
        events.setdefault(int(event.license_id), []).append(
            (event.kind, event.occurred_at)
        )
    return [
        StoredState(
            row_id=int(row.id),
            identifier=str(row.identifier),
            status=row.status,
            encumbrance=row.encumbrance,
            valid_until=row.valid_until,
            supersedes_id=(
                int(row.supersedes_id) if row.supersedes_id is not None else None
            ),
            events=tuple(events.get(int(row.id), ())),
        )
        for row in rows
    ]
