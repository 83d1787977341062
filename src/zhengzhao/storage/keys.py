"""Department signing keys, the lock that orders signing against key changes, and
the latest time a department signed something the library keeps."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, bindparam, func, select

from zhengzhao.seals.keys import KeyRecord, KeyState
from zhengzhao.storage.tables import (
    departments,
    license_events,
    licenses,
    signing_keys,
    status_lists,
)

__all__ = [
    "active_key",
    "all_keys",
    "close_key",
    "erase_private_key",
    "insert_key",
    "key_by_id",
    "keys_of_department",
    "latest_signature",
    "lock_department_keys",
    "mark_compromised",
    "next_key_sequence",
]


def _query() -> Select[Any]:
    return select(signing_keys, departments.c.credit_code).join(
        departments, departments.c.id == signing_keys.c.department_id
    )


def _key(row: Any) -> KeyRecord:
    return KeyRecord(
        id=row.id,
        department_id=row.department_id,
        department_code=row.credit_code,
        sequence=row.sequence,
        algorithm=row.algorithm,
        public_key=row.public_key,
        wrapped_private_key=row.wrapped_private_key,
        valid_from=row.valid_from,
        valid_until=row.valid_until,
        state=KeyState(row.state),
        compromised_at=row.compromised_at,
    )


def next_key_sequence(conn: Connection, department_id: int) -> int:
    latest = conn.execute(
        select(func.max(signing_keys.c.sequence)).where(
            signing_keys.c.department_id == department_id
        )
    ).scalar_one()
    return int(latest or 0) + 1


def insert_key(
    conn: Connection,
    *,
    department_id: int,
    sequence: int,
    algorithm: str,
    public_key: bytes,
    wrapped_private_key: bytes | None,
    valid_from: datetime,
    now: datetime,
) -> int:
    return int(
        conn.execute(
            signing_keys.insert()
            .values(
                department_id=department_id,
                sequence=sequence,
                algorithm=algorithm,
                public_key=public_key,
                wrapped_private_key=wrapped_private_key,
                valid_from=valid_from,
                valid_until=None,
                state=KeyState.ACTIVE.value,
                created_at=now,
            )
            .returning(signing_keys.c.id)
        ).scalar_one()
    )


def key_by_id(conn: Connection, key_id: int) -> KeyRecord | None:
    row = conn.execute(_query().where(signing_keys.c.id == key_id)).first()
    return _key(row) if row else None


_ACTIVE = _query().where(
    signing_keys.c.department_id == bindparam("department_id"),
    signing_keys.c.state == KeyState.ACTIVE.value,
)


def active_key(conn: Connection, department_id: int) -> KeyRecord | None:
    row = conn.execute(_ACTIVE, {"department_id": department_id}).first()
    return _key(row) if row else None


def keys_of_department(conn: Connection, department_id: int) -> list[KeyRecord]:
    rows = conn.execute(
        _query()
        .where(signing_keys.c.department_id == department_id)
        .order_by(signing_keys.c.sequence)
    )
    return [_key(row) for row in rows]


def all_keys(conn: Connection) -> list[KeyRecord]:
    rows = conn.execute(
        _query().order_by(departments.c.credit_code, signing_keys.c.sequence)
    )
    return [_key(row) for row in rows]


def close_key(conn: Connection, key_id: int, *, valid_until: datetime) -> None:
    """End a key's signing window and mark it retired."""
    conn.execute(
        signing_keys.update()
        .where(signing_keys.c.id == key_id)
        .values(valid_until=valid_until, state=KeyState.RETIRED.value)
    )


def mark_compromised(conn: Connection, key_id: int, *, since: datetime) -> None:
    conn.execute(
        signing_keys.update()
        .where(signing_keys.c.id == key_id)
        .values(
            state=KeyState.COMPROMISED.value,
            compromised_at=since,
            wrapped_private_key=None,
        )
    )


def erase_private_key(conn: Connection, key_id: int) -> None:
    """Forget a key's wrapped private part; its public key stays for verifying."""
    conn.execute(
        signing_keys.update()
        .where(
            signing_keys.c.id == key_id,
            signing_keys.c.wrapped_private_key.is_not(None),
        )
        .values(wrapped_private_key=None)
    )


_LOCK = select(departments.c.id).where(departments.c.id == bindparam("department_id"))
_SHARED_LOCK = _LOCK.with_for_update(read=True)
_EXCLUSIVE_LOCK = _LOCK.with_for_update()


def lock_department_keys(
    conn: Connection, department_id: int, *, exclusive: bool
) -> None:
    """Hold the department's row until the transaction ends: shared by everything
    that signs for it, exclusive for a change to its keys, so that no signature is
    made with a key read before a change that commits first.

    PostgreSQL locks the row; SQLite needs nothing, since every write transaction
    there holds the database's one write lock from its start (BEGIN IMMEDIATE).
    """
    if conn.dialect.name == "postgresql":
        statement = _EXCLUSIVE_LOCK if exclusive else _SHARED_LOCK
        conn.execute(statement, {"department_id": department_id})


def latest_signature(
    conn: Connection, department_id: int, *, since: datetime
) -> datetime | None:
    """The latest signing time, at or after ``since``, of anything the department
    signed that the library keeps: a license version, an event or a status list;
    None when there is none. Each stored time is its document's proof ``created``.

    Bounded below by ``since`` so that the indexes on the times answer it at once.
    """
    found = [
        conn.execute(
            select(func.max(licenses.c.issued_at)).where(
                licenses.c.issuer_id == department_id,
                licenses.c.issued_at >= since,
            )
        ).scalar(),
        conn.execute(
            select(func.max(license_events.c.recorded_at))
            .join(licenses, licenses.c.id == license_events.c.license_id)
            .where(
                licenses.c.issuer_id == department_id,
                license_events.c.recorded_at >= since,
            )
        ).scalar(),
        conn.execute(
            select(func.max(status_lists.c.generated_at)).where(
                status_lists.c.issuer_id == department_id,
                status_lists.c.generated_at >= since,
            )
        ).scalar(),
    ]
    times = [moment for moment in found if moment is not None]
    return max(times) if times else None
