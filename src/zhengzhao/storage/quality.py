"""Aggregate queries of the monthly quality assessment.

Each query answers per department for a window of time and returns a few numbers per
department, never rows per license: the database does the counting, so an assessment
of a province's millions of licenses moves kilobytes. Percentiles are nearest-rank,
taken with window functions (both SQLite and PostgreSQL have them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Date,
    Float,
    Integer,
    Select,
    and_,
    case,
    cast,
    extract,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.sql.elements import ColumnElement

from zhengzhao.storage.tables import (
    access_record_licenses,
    access_records,
    gathering_batches,
    gathering_rejections,
    license_events,
    licenses,
)

__all__ = [
    "DelayStats",
    "Rectification",
    "event_delays",
    "gathering_delays",
    "lenient_codes",
    "license_uses",
    "rectification",
    "rejected_rows",
    "submitted_rows",
]


@dataclass(frozen=True, kw_only=True)
class DelayStats:
    """Delays of one department's records in a window."""

    #: Records measured.
    count: int
    #: Nearest-rank median and 95th percentile, in the query's unit.
    median: float
    p95: float
    #: Records whose delay was at most the target.
    on_time: int


@dataclass(frozen=True, kw_only=True)
class Rectification:
    """One department's rejected rows that were open during a window."""

    #: Rows rejected before the window's end and not fixed before its start.
    open: int
    #: Of those, the rows fixed within the window.
    fixed: int


def submitted_rows(
    conn: Connection, *, start: datetime, end: datetime
) -> dict[int, int]:
    """Department → rows read by its batches submitted in ``[start, end)``."""
    query = (
        select(
            gathering_batches.c.department_id, func.sum(gathering_batches.c.rows_done)
        )
        .where(_within(gathering_batches.c.created_at, start, end))
        .group_by(gathering_batches.c.department_id)
    )
    return {int(d): int(n or 0) for d, n in conn.execute(query)}


def rejected_rows(
    conn: Connection,
    *,
    start: datetime,
    end: datetime,
    categories: dict[str, Collection[str]],
    default: str,
) -> dict[int, dict[str, int]]:
    """Department → category → rejected rows of its batches submitted in the window.

    A rejected row's problems fall in ``categories`` by the field each names (a
    problem naming no field, or a field no category lists, falls in ``default``); a
    row counts once per category it has a problem in.
    """
    category = case(
        *(
            (gathering_rejections.c.field.in_(list(fields)), name)
            for name, fields in categories.items()
        ),
        (gathering_rejections.c.field.is_(None), default),
        else_=default,
    )
    rows = (
        select(
            gathering_batches.c.department_id.label("department_id"),
            category.label("category"),
            gathering_rejections.c.batch_id,
            gathering_rejections.c.row_number,
        )
        .join(
            gathering_batches,
            gathering_batches.c.id == gathering_rejections.c.batch_id,
        )
        .where(_within(gathering_batches.c.created_at, start, end))
        .distinct()
        .subquery()
    )
    query = select(rows.c.department_id, rows.c.category, func.count()).group_by(
        rows.c.department_id, rows.c.category
    )
    found: dict[int, dict[str, int]] = defaultdict(dict)
    for department, name, count in conn.execute(query):
        found[int(department)][str(name)] = int(count)
    return dict(found)


def lenient_codes(
    conn: Connection, *, start: datetime, end: datetime
) -> dict[int, tuple[int, int]]:
    """Department → (licenses for organisations first recorded in the window, those
    of them whose holder's credit code passed only in lenient mode)."""
    query = (
        select(
            licenses.c.issuer_id,
            func.count(),
            func.sum(case((licenses.c.holder_code_lenient, 1), else_=0)),
        )
        .where(
            _within(licenses.c.issued_at, start, end),
            licenses.c.supersedes_id.is_(None),
            licenses.c.holder_kind == "organisation",
        )
        .group_by(licenses.c.issuer_id)
    )
    return {int(d): (int(n), int(k or 0)) for d, n, k in conn.execute(query)}


def license_uses(
    conn: Connection, *, start: datetime, end: datetime
) -> dict[int, tuple[int, int]]:
    """Department → (reads of its licenses by shares, checks and prefills in the
    window, distinct licenses read). Refused uses read nothing and count nothing."""
    query = (
        select(
            licenses.c.issuer_id,
            func.count(),
            func.count(func.distinct(licenses.c.id)),
        )
        .select_from(access_record_licenses)
        .join(access_records, access_records.c.id == access_record_licenses.c.record_id)
        .join(licenses, licenses.c.id == access_record_licenses.c.license_id)
        .where(_within(access_records.c.occurred_at, start, end))
        .group_by(licenses.c.issuer_id)
    )
    return {int(d): (int(n), int(k)) for d, n, k in conn.execute(query)}


def gathering_delays(
    conn: Connection, *, start: datetime, end: datetime, target_days: int
) -> dict[int, DelayStats]:
    """Department → days from date of issue (ZZBFRQ) to the day (China Standard
    Time) the library recorded the license, over licenses first recorded in the
    window that carry a date of issue."""
    delay = _days_from_issue(conn)
    base = select(
        licenses.c.issuer_id.label("department_id"), delay.label("delay")
    ).where(
        _within(licenses.c.issued_at, start, end),
        licenses.c.supersedes_id.is_(None),
        licenses.c.issue_date.is_not(None),
    )
    return _percentiles(conn, base, target=target_days)


def event_delays(
    conn: Connection, *, start: datetime, end: datetime, target_seconds: int
) -> dict[int, DelayStats]:
    """Department → seconds from when a status change happened (``occurred_at``) to
    when the library recorded it, over changes recorded in the window (every event
    but a version's issue)."""
    base = (
        select(
            licenses.c.issuer_id.label("department_id"),
            _seconds_between(conn).label("delay"),
        )
        .join(licenses, licenses.c.id == license_events.c.license_id)
        .where(
            _within(license_events.c.recorded_at, start, end),
            license_events.c.kind != "issued",
        )
    )
    return _percentiles(conn, base, target=target_seconds)


def rectification(
    conn: Connection, *, start: datetime, end: datetime
) -> dict[int, Rectification]:
    """Department → its rejected rows open during the window, and those fixed in it.

    A row is fixed at the first event (an issue, a new version or a status change)
    recorded after its batch's last commit on a license of the batch's type and
    department with the row's paper number. Rows without a paper number cannot be
    traced and are left out.
    """
    rows = (
        select(
            gathering_rejections.c.batch_id,
            gathering_rejections.c.row_number,
            gathering_rejections.c.paper_number,
            gathering_batches.c.department_id,
            gathering_batches.c.type_code,
            gathering_batches.c.updated_at.label("rejected_at"),
        )
        .join(
            gathering_batches,
            gathering_batches.c.id == gathering_rejections.c.batch_id,
        )
        .where(
            gathering_rejections.c.paper_number.is_not(None),
            gathering_batches.c.created_at < end,
        )
        .distinct()
        .subquery()
    )
    fixes = (
        select(
            rows.c.department_id,
            func.min(license_events.c.recorded_at).label("fixed_at"),
        )
        .select_from(rows)
        .outerjoin(
            licenses,
            and_(
                licenses.c.type_code == rows.c.type_code,
                licenses.c.issuer_id == rows.c.department_id,
                licenses.c.paper_number == rows.c.paper_number,
            ),
        )
        .outerjoin(
            license_events,
            and_(
                license_events.c.license_id == licenses.c.id,
                license_events.c.recorded_at > rows.c.rejected_at,
            ),
        )
        .group_by(rows.c.batch_id, rows.c.row_number, rows.c.department_id)
        .subquery()
    )
    fixed_at = fixes.c.fixed_at
    query = select(
        fixes.c.department_id,
        func.sum(case((or_(fixed_at.is_(None), fixed_at >= start), 1), else_=0)),
        func.sum(case((and_(fixed_at >= start, fixed_at < end), 1), else_=0)),
    ).group_by(fixes.c.department_id)
    found = {}
    for department, open_rows, fixed in conn.execute(query):
        if open_rows:
            found[int(department)] = Rectification(
                open=int(open_rows), fixed=int(fixed or 0)
            )
    return found


def _within(column: Any, start: datetime, end: datetime) -> ColumnElement[bool]:
    return and_(column >= start, column < end)


def _days_from_issue(conn: Connection) -> ColumnElement[Any]:
    if conn.dialect.name == "postgresql":
        recorded_day = cast(
            func.timezone(literal_column("INTERVAL '+08:00'"), licenses.c.issued_at),
            Date,
        )
        return recorded_day - licenses.c.issue_date
    local_day = func.date(licenses.c.issued_at, "+8 hours")
    return cast(
        func.julianday(local_day) - func.julianday(licenses.c.issue_date), Integer
    )


def _seconds_between(conn: Connection) -> ColumnElement[Any]:
    recorded, occurred = license_events.c.recorded_at, license_events.c.occurred_at
    if conn.dialect.name == "postgresql":
        return cast(extract("epoch", recorded - occurred), Float)
    return (func.julianday(recorded) - func.julianday(occurred)) * 86400.0


def _percentiles(
    conn: Connection, base: Select[Any], *, target: float
) -> dict[int, DelayStats]:
    """Count, nearest-rank median and 95th percentile, and records within
    ``target``, per department of ``base`` (columns ``department_id``, ``delay``)."""
    measured = base.subquery()
    ranked = select(
        measured.c.department_id,
        measured.c.delay,
        func.row_number()
        .over(partition_by=measured.c.department_id, order_by=measured.c.delay)
        .label("rank"),
        func.count().over(partition_by=measured.c.department_id).label("total"),
    ).subquery()

    def at(percent: int) -> ColumnElement[Any]:
        # Nearest rank: the ⌈p·n/100⌉-th smallest, in integer arithmetic.
        wanted = (ranked.c.total * percent + 99) // 100
        return func.max(case((ranked.c.rank == wanted, ranked.c.delay)))

    query = select(
        ranked.c.department_id,
        func.max(ranked.c.total),
        at(50),
        at(95),
        func.sum(case((ranked.c.delay <= target, 1), else_=0)),
    ).group_by(ranked.c.department_id)
    return {
        int(department): DelayStats(
            count=int(total),
            median=float(median),
            p95=float(p95),
            on_time=int(on_time or 0),
        )
        for department, total, median, p95, on_time in conn.execute(query)
    }
