"""Cached, signed status list credentials and the count of changes they reflect.

Every status change bumps its page's change count in the changer's transaction. A cached
document is current while the count it was generated from equals the stored count, so
a change committed during a regeneration is never lost: the next read sees the page as
stale again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from zhengzhao.storage.tables import departments, status_lists

__all__ = [
    "CachedStatusList",
    "cached_status_list",
    "mark_issuer_stale",
    "record_change",
    "store_status_list",
]

_KEY = [status_lists.c.issuer_id, status_lists.c.purpose, status_lists.c.page]


@dataclass(frozen=True, kw_only=True)
class CachedStatusList:
    document: str | None
    changes: int
    generated_from: int | None
    generated_at: datetime | None

    @property
    def current(self) -> bool:
        return self.document is not None and self.generated_from == self.changes


def _insert(conn: Connection) -> Any:
    return postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert


def _record_change_statement(insert: Any) -> Any:
    return (
        insert(status_lists)
        .values(
            issuer_id=bindparam("issuer_id"),
            purpose=bindparam("purpose"),
            page=bindparam("page"),
            changes=1,
        )
        .on_conflict_do_update(
            index_elements=_KEY, set_={"changes": status_lists.c.changes + 1}
        )
    )


_RECORD_CHANGE = {
    "postgresql": _record_change_statement(postgresql.insert),
    "sqlite": _record_change_statement(sqlite.insert),
}


def record_change(conn: Connection, issuer_id: int, purpose: str, page: int) -> None:
    """Note that a status on this page changed, making its cached document stale."""
    conn.execute(
        _RECORD_CHANGE[conn.dialect.name],
        {"issuer_id": issuer_id, "purpose": purpose, "page": page},
    )


def mark_issuer_stale(conn: Connection, issuer_id: int) -> None:
    """Make every cached page of the issuer stale, so that each is signed again, with
    the key the issuer then signs with, when it is next asked for: after a change to
    the issuer's keys, a list signed by a key no longer trusted must not be served."""
    conn.execute(
        status_lists.update()
        .where(
            status_lists.c.issuer_id == issuer_id,
            status_lists.c.generated_from.is_not(None),
        )
        .values(generated_from=None)
    )


_BY_ISSUER_CODE = (
    select(status_lists)
    .join(departments, departments.c.id == status_lists.c.issuer_id)
    .where(
        departments.c.credit_code == bindparam("issuer_code"),
        status_lists.c.purpose == bindparam("purpose"),
        status_lists.c.page == bindparam("page"),
    )
)


def cached_by_issuer_code(
    conn: Connection, issuer_code: str, purpose: str, page: int
) -> CachedStatusList | None:
    """The cached page of an issuer named by credit code, in one query; None when
    the page was never generated or marked."""
    row = conn.execute(
        _BY_ISSUER_CODE,
        {"issuer_code": issuer_code, "purpose": purpose, "page": page},
    ).first()
    if row is None:
        return None
    return CachedStatusList(
        document=row.document,
        changes=row.changes,
        generated_from=row.generated_from,
        generated_at=row.generated_at,
    )


def cached_status_list(
    conn: Connection, issuer_id: int, purpose: str, page: int
) -> CachedStatusList:
    row = conn.execute(
        select(status_lists).where(
            status_lists.c.issuer_id == issuer_id,
            status_lists.c.purpose == purpose,
            status_lists.c.page == page,
        )
    ).first()
    if row is None:
        return CachedStatusList(
            document=None, changes=0, generated_from=None, generated_at=None
        )
    return CachedStatusList(
        document=row.document,
        changes=row.changes,
        generated_from=row.generated_from,
        generated_at=row.generated_at,
    )


def store_status_list(
    conn: Connection,
    issuer_id: int,
    purpose: str,
    page: int,
    *,
    document: str,
    generated_from: int,
    now: datetime,
) -> None:
    """Keep a freshly signed document made from the page as of ``generated_from``."""
    values = {
        "document": document,
        "generated_from": generated_from,
        "generated_at": now,
    }
    conn.execute(
        _insert(conn)(status_lists)
        .values(issuer_id=issuer_id, purpose=purpose, page=page, changes=0, **values)
        .on_conflict_do_update(
            index_elements=_KEY,
            set_=values,
            # A slower regeneration from an older count never overwrites a newer one.
            where=or_(
                status_lists.c.generated_from.is_(None),
                status_lists.c.generated_from <= generated_from,
            ),
        )
    )
