"""Using parties (用证方) and the service matters each may serve."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select

from zhengzhao.model.classification import ClassificationLevel
from zhengzhao.model.parties import PartyKind, UsingParty
from zhengzhao.storage.tables import using_parties, using_party_matters

__all__ = [
    "insert_party",
    "list_parties",
    "matter_ids_of",
    "parties_registered_for",
    "party_by_code",
    "party_by_id",
    "party_of_department",
    "serves",
    "set_matters",
    "update_party",
]


def _party(row: Any) -> UsingParty:
    return UsingParty(
        id=int(row.id),
        credit_code=row.credit_code,
        name=row.name,
        kind=PartyKind(row.kind),
        department_id=row.department_id,
        clearance=ClassificationLevel(row.clearance),
        created_at=row.created_at,
        disabled_at=row.disabled_at,
    )


def insert_party(
    conn: Connection,
    *,
    credit_code: str,
    name: str,
    kind: PartyKind,
    department_id: int | None,
    clearance: ClassificationLevel,
    now: datetime,
) -> UsingParty:
    new_id = conn.execute(
        using_parties.insert()
        .values(
            credit_code=credit_code,
            name=name,
            kind=kind.value,
            department_id=department_id,
            clearance=clearance.value,
            created_at=now,
            updated_at=now,
        )
        .returning(using_parties.c.id)
    ).scalar_one()
    found = party_by_id(conn, int(new_id))
    assert found is not None
    return found


def update_party(
    conn: Connection,
    party_id: int,
    *,
    name: str,
    clearance: ClassificationLevel,
    disabled_at: datetime | None,
    now: datetime,
) -> None:
    conn.execute(
        using_parties.update()
        .where(using_parties.c.id == party_id)
        .values(
            name=name,
            clearance=clearance.value,
            disabled_at=disabled_at,
            updated_at=now,
        )
    )


# Read on every request of a party's client, and by every share and check.
_BY_ID = select(using_parties).where(using_parties.c.id == bindparam("party_id"))
_SERVES = select(using_party_matters.c.party_id).where(
    using_party_matters.c.party_id == bindparam("party_id"),
    using_party_matters.c.matter_id == bindparam("matter_id"),
)


def party_by_id(conn: Connection, party_id: int) -> UsingParty | None:
    row = conn.execute(_BY_ID, {"party_id": party_id}).first()
    return _party(row) if row else None


def party_by_code(conn: Connection, credit_code: str) -> UsingParty | None:
    row = conn.execute(
        select(using_parties).where(using_parties.c.credit_code == credit_code)
    ).first()
    return _party(row) if row else None


def party_of_department(conn: Connection, department_id: int) -> UsingParty | None:
    row = conn.execute(
        select(using_parties).where(using_parties.c.department_id == department_id)
    ).first()
    return _party(row) if row else None


def list_parties(conn: Connection) -> list[UsingParty]:
    rows = conn.execute(select(using_parties).order_by(using_parties.c.credit_code))
    return [_party(row) for row in rows]


def set_matters(conn: Connection, party_id: int, matter_ids: Sequence[int]) -> None:
    """Make ``matter_ids`` the matters the party may serve, and no others."""
    conn.execute(
        delete(using_party_matters).where(using_party_matters.c.party_id == party_id)
    )
    if matter_ids:
        conn.execute(
            using_party_matters.insert(),
            [
                {"party_id": party_id, "matter_id": matter_id}
                for matter_id in sorted(set(matter_ids))
            ],
        )


def matter_ids_of(conn: Connection, party_id: int) -> list[int]:
    rows = conn.execute(
        select(using_party_matters.c.matter_id).where(
            using_party_matters.c.party_id == party_id
        )
    )
    return [int(value) for value in rows.scalars()]


def serves(conn: Connection, party_id: int, matter_id: int) -> bool:
    """Whether the party is registered for the matter."""
    row = conn.execute(_SERVES, {"party_id": party_id, "matter_id": matter_id})
    return row.first() is not None


def parties_registered_for(conn: Connection, matter_id: int) -> list[UsingParty]:
    """The parties registered for the matter, by credit code."""
    rows = conn.execute(
        select(using_parties)
        .join(using_party_matters, using_party_matters.c.party_id == using_parties.c.id)
        .where(using_party_matters.c.matter_id == matter_id)
        .order_by(using_parties.c.credit_code)
    )
    return [_party(row) for row in rows]
