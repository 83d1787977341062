"""Expected volumes of the responsibility list, and the gathered counts they meet."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, select

from zhengzhao.storage.tables import (
    departments,
    expected_volumes,
    license_types,
    licenses,
)

__all__ = [
    "NewVolume",
    "VolumeRecord",
    "gathered_counts",
    "standing_volumes",
    "store_volume",
]

_successor = licenses.alias("successor")


@dataclass(frozen=True, kw_only=True)
class NewVolume:
    """A department's declaration of how many licenses of a type it holds."""

    department_id: int
    type_code: str
    region_code: str
    expected: int
    as_of: date
    actor: str
    now: datetime


@dataclass(frozen=True, kw_only=True)
class VolumeRecord:
    """A stored declaration, with the names a reader needs."""

    department_id: int
    department_code: str
    department_name: str
    type_code: str
    type_name: str
    region_code: str
    expected: int
    #: The day the figure stands at.
    as_of: date
    actor: str
    recorded_at: datetime


def store_volume(conn: Connection, volume: NewVolume) -> None:
    """Record a declaration; one made before for the same day is replaced."""
    conn.execute(
        expected_volumes.delete().where(
            expected_volumes.c.department_id == volume.department_id,
            expected_volumes.c.type_code == volume.type_code,
            expected_volumes.c.as_of == volume.as_of,
        )
    )
    conn.execute(
        expected_volumes.insert(),
        {
            "department_id": volume.department_id,
            "type_code": volume.type_code,
            "region_code": volume.region_code,
            "expected": volume.expected,
            "as_of": volume.as_of,
            "actor": volume.actor,
            "recorded_at": volume.now,
        },
    )


def standing_volumes(
    conn: Connection,
    *,
    on: date,
    department_id: int | None = None,
    type_code: str | None = None,
) -> list[VolumeRecord]:
    """Per department and type, the latest declaration dated ``on`` or before."""
    latest = select(
        expected_volumes.c.department_id,
        expected_volumes.c.type_code,
        func.max(expected_volumes.c.as_of).label("as_of"),
    ).where(expected_volumes.c.as_of <= on)
    if department_id is not None:
        latest = latest.where(expected_volumes.c.department_id == department_id)
    if type_code is not None:
        latest = latest.where(expected_volumes.c.type_code == type_code)
    found = latest.group_by(
        expected_volumes.c.department_id, expected_volumes.c.type_code
    ).subquery()
    query = (
        select(
            expected_volumes,
            departments.c.credit_code,
            departments.c.name,
            license_types.c.name_zh,
        )
        .join(
            found,
            and_(
                found.c.department_id == expected_volumes.c.department_id,
                found.c.type_code == expected_volumes.c.type_code,
                found.c.as_of == expected_volumes.c.as_of,
            ),
        )
        .join(departments, departments.c.id == expected_volumes.c.department_id)
        .join(license_types, license_types.c.code == expected_volumes.c.type_code)
        .order_by(departments.c.credit_code, expected_volumes.c.type_code)
    )
    return [_record(row) for row in conn.execute(query)]


def _record(row: Any) -> VolumeRecord:
    return VolumeRecord(
        department_id=row.department_id,
        department_code=row.credit_code,
        department_name=row.name,
        type_code=row.type_code,
        type_name=row.name_zh,
        region_code=row.region_code,
        expected=row.expected,
        as_of=row.as_of,
        actor=row.actor,
        recorded_at=row.recorded_at,
    )


def gathered_counts(
    conn: Connection, *, until: datetime, department_id: int | None = None
) -> dict[tuple[int, str], int]:
    """(issuer, type) → licenses in the library at ``until``.

    A license counts once, by its version current at ``until``: a version recorded
    before ``until`` that no version recorded before ``until`` replaced. Its status
    does not matter: a revoked license is still one the department issued.
    """
    replaced = (
        select(_successor.c.id)
        .where(
            _successor.c.supersedes_id == licenses.c.id,
            _successor.c.issued_at < until,
        )
        .exists()
    )
    query = (
        select(licenses.c.issuer_id, licenses.c.type_code, func.count())
        .where(licenses.c.issued_at < until, ~replaced)
        .group_by(licenses.c.issuer_id, licenses.c.type_code)
    )
    if department_id is not None:
        query = query.where(licenses.c.issuer_id == department_id)
    return {
        (int(issuer), str(code)): int(count)
        for issuer, code, count in conn.execute(query)
    }
