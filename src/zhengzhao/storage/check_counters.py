"""Fixed-window counters of checks' claims, per using party and subject, in the
database so that every worker of a node counts against the same limits."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, delete
from sqlalchemy.dialects import postgresql, sqlite

from zhengzhao.storage.tables import check_counters

__all__ = ["count", "forget_before"]


def _count_statement(insert: Any) -> Any:
    return (
        insert(check_counters)
        .values(
            party_id=bindparam("party_id"),
            subject=bindparam("subject"),
            window_seconds=bindparam("window_seconds"),
            window_start=bindparam("window_start"),
            count=bindparam("amount"),
        )
        .on_conflict_do_update(
            index_elements=[
                check_counters.c.party_id,
                check_counters.c.subject,
                check_counters.c.window_seconds,
                check_counters.c.window_start,
            ],
            set_={"count": check_counters.c.count + bindparam("amount")},
        )
        .returning(check_counters.c.count)
    )


_COUNT = {
    "postgresql": _count_statement(postgresql.insert),
    "sqlite": _count_statement(sqlite.insert),
}


def count(
    conn: Connection,
    *,
    party_id: int,
    subject: str,
    window_seconds: int,
    window_start: int,
    amount: int = 1,
) -> int:
    """Add ``amount`` to a window's counter, in one statement; the count after."""
    return int(
        conn.execute(
            _COUNT[conn.dialect.name],
            {
                "party_id": party_id,
                "subject": subject,
                "window_seconds": window_seconds,
                "window_start": window_start,
                "amount": amount,
            },
        ).scalar_one()
    )


def forget_before(conn: Connection, *, party_id: int, before: int) -> None:
    """Drop a party's windows that started before ``before`` (epoch seconds)."""
    conn.execute(
        delete(check_counters).where(
            check_counters.c.party_id == party_id,
            check_counters.c.window_start < before,
        )
    )
