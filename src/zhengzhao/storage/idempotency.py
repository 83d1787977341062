"""Stored answers to requests made with an `Idempotency-Key`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from zhengzhao.storage.tables import idempotency_records

__all__ = ["StoredResponse", "find_response", "store_response"]


@dataclass(frozen=True, kw_only=True)
class StoredResponse:
    fingerprint: str
    status_code: int
    body: str


def find_response(conn: Connection, client_id: str, key: str) -> StoredResponse | None:
    row = conn.execute(
        select(idempotency_records).where(
            idempotency_records.c.client_id == client_id,
            idempotency_records.c.key == key,
        )
    ).first()
    if row is None:
        return None
    return StoredResponse(
        fingerprint=row.fingerprint, status_code=row.status_code, body=row.response
    )


def store_response(
    conn: Connection,
    *,
    client_id: str,
    key: str,
    fingerprint: str,
    status_code: int,
    body: str,
    now: datetime,
) -> None:
    conn.execute(
        idempotency_records.insert().values(
            client_id=client_id,
            key=key,
            fingerprint=fingerprint,
            status_code=status_code,
            response=body,
            created_at=now,
        )
    )
