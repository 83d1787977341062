"""Departments."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from zhengzhao.model.parties import Department
from zhengzhao.storage.tables import departments

__all__ = [
    "deactivate_department",
    "department_by_code",
    "department_by_id",
    "insert_department",
    "list_departments",
    "rename_department",
]


def _department(row: Any) -> Department:
    return Department(
        id=row.id,
        credit_code=row.credit_code,
        name=row.name,
        name_en=row.name_en,
        region_code=row.region_code,
        kind=row.kind,
        code_warnings=tuple(row.code_warnings or ()),
        created_at=row.created_at,
        deactivated_at=row.deactivated_at,
    )


def insert_department(
    conn: Connection,
    *,
    credit_code: str,
    name: str,
    name_en: str | None,
    region_code: str,
    kind: str,
    code_warnings: tuple[str, ...],
    now: datetime,
) -> Department:
    new_id = conn.execute(
        departments.insert()
        .values(
            credit_code=credit_code,
            name=name,
            name_en=name_en,
            region_code=region_code,
            kind=kind,
            code_warnings=list(code_warnings) or None,
            created_at=now,
        )
        .returning(departments.c.id)
    ).scalar_one()
    found = department_by_id(conn, new_id)
    assert found is not None
    return found


def department_by_id(conn: Connection, department_id: int) -> Department | None:
    row = conn.execute(
        select(departments).where(departments.c.id == department_id)
    ).first()
    return _department(row) if row else None


def department_by_code(conn: Connection, credit_code: str) -> Department | None:
    row = conn.execute(
        select(departments).where(departments.c.credit_code == credit_code)
    ).first()
    return _department(row) if row else None


def list_departments(
    conn: Connection, *, region_code: str | None = None, kind: str | None = None
) -> list[Department]:
    query = select(departments).order_by(departments.c.credit_code)
    if region_code is not None:
        query = query.where(departments.c.region_code == region_code)
    if kind is not None:
        query = query.where(departments.c.kind == kind)
    return [_department(row) for row in conn.execute(query)]


def rename_department(
    conn: Connection, department_id: int, *, name: str, name_en: str | None
) -> None:
    conn.execute(
        update(departments)
        .where(departments.c.id == department_id)
        .values(name=name, name_en=name_en)
    )


def deactivate_department(
    conn: Connection, department_id: int, *, now: datetime
) -> None:
    """Mark a department deactivated from ``now``; one deactivated already keeps its
    time."""
    conn.execute(
        update(departments)
        .where(
            departments.c.id == department_id, departments.c.deactivated_at.is_(None)
        )
        .values(deactivated_at=now)
    )
