"""Access records, each written with its transparency-log leaf in the outbox."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from zhengzhao.model.license import HolderKind
from zhengzhao.storage.tables import access_record_licenses, access_records, log_outbox

__all__ = [
    "StoredAccessRecord",
    "access_record_by_public_id",
    "insert_access_record",
    "list_access_records",
    "stored_access_record",
]


@dataclass(frozen=True, kw_only=True)
class StoredAccessRecord:
    """One row of `access_records`: everything its record document holds."""

    row_id: int
    public_id: str
    action: str
    occurred_at: datetime
    holder_kind: HolderKind
    holder_index: str
    holder_cipher: bytes
    party_code: str | None
    party_name: str | None
    actor: str
    matter_code: str | None
    basis: str
    authorization_ref: str | None
    reason: str | None
    outcome: str
    details: dict[str, Any]
    salt: bytes


def stored_access_record(columns: Mapping[str, Any]) -> StoredAccessRecord:
    """A record from its columns by name (a row, or the audit's join)."""
    return StoredAccessRecord(
        row_id=int(columns["id"]),
        public_id=columns["public_id"],
        action=columns["action"],
        occurred_at=columns["occurred_at"],
        holder_kind=HolderKind(columns["holder_kind"]),
        holder_index=columns["holder_index"],
        holder_cipher=bytes(columns["holder_cipher"]),
        party_code=columns["party_code"],
        party_name=columns["party_name"],
        actor=columns["actor"],
        matter_code=columns["matter_code"],
        basis=columns["basis"],
        authorization_ref=columns["authorization_ref"],
        reason=columns["reason"],
        outcome=columns["outcome"],
        details=dict(columns["details"]),
        salt=bytes(columns["salt"]),
    )


def insert_access_record(
    conn: Connection,
    columns: Mapping[str, Any],
    *,
    leaf: bytes,
    license_ids: Sequence[int] = (),
) -> int:
    """Store a record (its columns, without ``id``) and queue its log leaf in the
    same transaction, so that no record exists unlogged; returns its row id.
    ``license_ids`` are the rows of the licenses the record read."""
    row_id = int(conn.execute(_INSERT, dict(columns)).scalar_one())
    queued = {"access_record_id": row_id, "leaf": leaf}
    conn.execute(_QUEUE, {**queued, "created_at": columns["occurred_at"]})
    if license_ids:
        conn.execute(
            _LINK,
            [{"record_id": row_id, "license_id": i} for i in sorted(set(license_ids))],
        )
    return row_id


# Built once: every share and check writes a record.
_INSERT = access_records.insert().returning(access_records.c.id)
_QUEUE = log_outbox.insert()
_LINK = access_record_licenses.insert()


def access_record_by_public_id(
    conn: Connection, public_id: str
) -> StoredAccessRecord | None:
    row = conn.execute(
        select(access_records).where(access_records.c.public_id == public_id)
    ).first()
    return stored_access_record(dict(row._mapping)) if row else None


def list_access_records(
    conn: Connection,
    *,
    holder_index: str | None = None,
    party_code: str | None = None,
    before_row_id: int | None = None,
    limit: int = 50,
) -> list[StoredAccessRecord]:
    """Records the newest first, from before ``before_row_id``, optionally of one
    holder or one party."""
    query = select(access_records).order_by(access_records.c.id.desc()).limit(limit)
    if holder_index is not None:
        query = query.where(access_records.c.holder_index == holder_index)
    if party_code is not None:
        query = query.where(access_records.c.party_code == party_code)
    if before_row_id is not None:
        query = query.where(access_records.c.id < before_row_id)
    return [stored_access_record(dict(row._mapping)) for row in conn.execute(query)]
