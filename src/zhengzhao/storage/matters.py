"""Service matters, kept as JSON beside the department offering each."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, bindparam, select

from zhengzhao.sharing.matters import ServiceMatter
from zhengzhao.storage.tables import departments, service_matters

__all__ = [
    "MatterRecord",
    "insert_matter",
    "list_matters",
    "matter_by_code",
    "matters_by_ids",
    "replace_matter",
]


@dataclass(frozen=True, kw_only=True)
class MatterRecord:
    """A stored matter and the department that offers it."""

    row_id: int
    matter: ServiceMatter
    department_id: int
    department_code: str
    department_name: str
    created_at: datetime
    updated_at: datetime


def _query() -> Select[Any]:
    return select(
        service_matters,
        departments.c.credit_code.label("department_code"),
        departments.c.name.label("department_name"),
    ).join(departments, departments.c.id == service_matters.c.department_id)


def _record(row: Any) -> MatterRecord:
    return MatterRecord(
        row_id=int(row.id),
        matter=ServiceMatter.from_json(row.definition),
        department_id=int(row.department_id),
        department_code=row.department_code,
        department_name=row.department_name,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def insert_matter(
    conn: Connection, matter: ServiceMatter, *, department_id: int, now: datetime
) -> int:
    return int(
        conn.execute(
            service_matters.insert()
            .values(
                code=matter.code,
                department_id=department_id,
                holder_kind=matter.holder_kind.value,
                definition=matter.to_json(),
                created_at=now,
                updated_at=now,
            )
            .returning(service_matters.c.id)
        ).scalar_one()
    )


def replace_matter(
    conn: Connection,
    row_id: int,
    matter: ServiceMatter,
    *,
    department_id: int,
    now: datetime,
) -> None:
    conn.execute(
        service_matters.update()
        .where(service_matters.c.id == row_id)
        .values(
            department_id=department_id,
            holder_kind=matter.holder_kind.value,
            definition=matter.to_json(),
            updated_at=now,
        )
    )


_BY_CODE = _query().where(service_matters.c.code == bindparam("code"))


def matter_by_code(conn: Connection, code: str) -> MatterRecord | None:
    row = conn.execute(_BY_CODE, {"code": code}).first()
    return _record(row) if row else None


def matters_by_ids(conn: Connection, row_ids: Sequence[int]) -> list[MatterRecord]:
    if not row_ids:
        return []
    rows = conn.execute(
        _query()
        .where(service_matters.c.id.in_(list(row_ids)))
        .order_by(service_matters.c.code)
    )
    return [_record(row) for row in rows]


def list_matters(
    conn: Connection,
    *,
    department_id: int | None = None,
    after_row_id: int = 0,
    limit: int = 100,
) -> list[MatterRecord]:
    """Matters in row order, from after ``after_row_id``."""
    query = (
        _query()
        .where(service_matters.c.id > after_row_id)
        .order_by(service_matters.c.id)
        .limit(limit)
    )
    if department_id is not None:
        query = query.where(service_matters.c.department_id == department_id)
    return [_record(row) for row in conn.execute(query)]
