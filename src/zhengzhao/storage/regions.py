"""Regions the node serves."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, select

from zhengzhao.model.parties import Region
from zhengzhao.storage.tables import regions

__all__ = ["get_region", "insert_regions", "list_regions", "region_codes"]


def _region(row: Any) -> Region:
    return Region(
        code=row.code, name=row.name, level=row.level, parent_code=row.parent_code
    )


def insert_regions(conn: Connection, items: Iterable[Region]) -> int:
    """Insert regions not stored yet, parents first; return how many were new."""
    known = region_codes(conn)
    rows = [
        {"code": r.code, "name": r.name, "level": r.level, "parent_code": r.parent_code}
        for r in items
        if r.code not in known
    ]
    if rows:
        conn.execute(regions.insert(), rows)
    return len(rows)


def region_codes(conn: Connection) -> set[str]:
    return set(conn.execute(select(regions.c.code)).scalars())


def get_region(conn: Connection, code: str) -> Region | None:
    row = conn.execute(select(regions).where(regions.c.code == code)).first()
    return _region(row) if row else None


def list_regions(conn: Connection, *, parent_code: str | None = None) -> list[Region]:
    query = select(regions).order_by(regions.c.code)
    if parent_code is not None:
        query = query.where(regions.c.parent_code == parent_code)
    return [_region(row) for row in conn.execute(query)]
