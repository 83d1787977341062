"""The licenses still in force after their last valid day: what an expiry sweep
records an `expired` event for."""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, Connection, and_, func, select

from zhengzhao.model.license import LicenseStatus
from zhengzhao.storage.tables import licenses

__all__ = ["lapsed_count", "lapsed_licenses"]

#: The statuses of a license in force; every other one is final.
_IN_FORCE = (LicenseStatus.VALID.value, LicenseStatus.SUSPENDED.value)


def _lapsed(before: date) -> ColumnElement[bool]:
    return and_(
        licenses.c.status.in_(_IN_FORCE),
        licenses.c.valid_until.is_not(None),
        licenses.c.valid_until < before,
    )


def lapsed_count(conn: Connection, *, before: date) -> int:
    """How many licenses in force have a last valid day before ``before``."""
    query = select(func.count()).select_from(licenses).where(_lapsed(before))
    return int(conn.execute(query).scalar_one())


def lapsed_licenses(
    conn: Connection, *, before: date, after_row_id: int, limit: int
) -> list[tuple[int, str]]:
    """(row id, identifier) of up to ``limit`` licenses in force whose last valid
    day lies before ``before``, with row ids above ``after_row_id``, in row order."""
    rows = conn.execute(
        select(licenses.c.id, licenses.c.identifier)
        .where(_lapsed(before), licenses.c.id > after_row_id)
        .order_by(licenses.c.id)
        .limit(limit)
    )
    return [(int(row.id), str(row.identifier)) for row in rows]
