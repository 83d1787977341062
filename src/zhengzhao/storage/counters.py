"""Named counters that hand out numbers without gaps in a transaction's view.

Used for license serials and status-list positions. The increment is one statement
(`INSERT ... ON CONFLICT DO UPDATE ... RETURNING`), so two transactions never receive
the same number: the second waits for the first's row lock (PostgreSQL) or for the
database write lock (SQLite).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite

from zhengzhao.storage.tables import counters

__all__ = ["allocate", "peek"]


def _allocate_statement(insert: Any) -> Any:
    return (
        insert(counters)
        .values(name=bindparam("name"), value=bindparam("count"))
        .on_conflict_do_update(
            index_elements=[counters.c.name],
            set_={"value": counters.c.value + bindparam("count")},
        )
        .returning(counters.c.value)
    )


_ALLOCATE = {
    "postgresql": _allocate_statement(postgresql.insert),
    "sqlite": _allocate_statement(sqlite.insert),
}


def allocate(conn: Connection, name: str, count: int = 1) -> int:
    """Reserve ``count`` consecutive numbers of counter ``name``; return the first.

    A new counter starts at 1.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    last = conn.execute(
        _ALLOCATE[conn.dialect.name], {"name": name, "count": count}
    ).scalar_one()
    return int(last) - count + 1


def peek(conn: Connection, name: str) -> int:
    """The last number counter ``name`` handed out; 0 if none yet."""
    value = conn.execute(
        select(counters.c.value).where(counters.c.name == name)
    ).scalar()
    return int(value or 0)
