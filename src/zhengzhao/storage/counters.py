"""Named counters that hand out numbers without gaps in a transaction's view.

Used for license serials and status-list positions. The increment is one statement
(`INSERT ... ON CONFLICT DO UPDATE ... RETURNING`), so two transactions never receive
the same number: the second waits for the first's row lock (PostgreSQL) or for the
database write lock (SQLite).
"""

from __future__ import annotations

from sqlalchemy import Connection, select
from sqlalchemy.dialects import postgresql, sqlite

from zhengzhao.storage.tables import counters

__all__ = ["allocate", "peek"]


def allocate(conn: Connection, name: str, count: int = 1) -> int:
    """Reserve ``count`` consecutive numbers of counter ``name``; return the first.

    A new counter starts at 1.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(counters)
        .values(name=name, value=count)
        .on_conflict_do_update(
            index_elements=[counters.c.name],
            set_={"value": counters.c.value + count},
        )
        .returning(counters.c.value)
    )
    last = conn.execute(statement).scalar_one()
    return int(last) - count + 1


def peek(conn: Connection, name: str) -> int:
    """The last number counter ``name`` handed out; 0 if none yet."""
    value = conn.execute(
        select(counters.c.value).where(counters.c.name == name)
    ).scalar()
    return int(value or 0)
