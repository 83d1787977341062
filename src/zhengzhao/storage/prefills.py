"""What prefills supplied, read from their access records for the exemption report:
a range of the index on (action, occurred_at), oldest first."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from zhengzhao.storage.tables import access_records

__all__ = ["recorded_details"]

#: Rows fetched from the database at a time while a report streams them.
_BATCH = 1000


def recorded_details(
    conn: Connection,
    *,
    action: str,
    outcome: str,
    matter_code: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> Iterator[tuple[str, dict[str, Any]]]:
    """The matter code and details of every access record of ``action`` with
    ``outcome``, optionally of one matter, occurred in ``[start, end)``, the oldest
    first."""
    table = access_records.c
    query = (
        select(table.matter_code, table.details)
        .where(table.action == action, table.outcome == outcome)
        .order_by(table.occurred_at, table.id)
        .execution_options(yield_per=_BATCH)
    )
    if matter_code is not None:
        query = query.where(table.matter_code == matter_code)
    if start is not None:
        query = query.where(table.occurred_at >= start)
    if end is not None:
        query = query.where(table.occurred_at < end)
    for row in conn.execute(query):
        if row.matter_code is not None:
            yield row.matter_code, dict(row.details)
