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
    literal,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql.elements import ColumnElement

from zhengzhao.storage.tables import (
    access_record_licenses,
    access_records,
    gathering_batches,
    gathering_push_problems,
    gathering_pushes,
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
    #: Records whose delay was within the target, and not below the floor.
    on_time: int


@dataclass(frozen=True, kw_only=True)
class Rectification:
    """One department's rejected rows and pushes that were open during a window."""

    #: Rows and pushes rejected before the window's end and not fixed before its
    #: start.
    open: int
    #: Of those, the rows fixed within the window.
    fixed: int


def submitted_rows(
    conn: Connection, *, start: datetime, end: datetime
) -> dict[int, int]:
    """Department → rows read by its batches submitted in ``[start, end)``, and
    records it pushed in the window (each push is one row)."""
    batches = (
        select(
            gathering_batches.c.department_id, func.sum(gathering_batches.c.rows_done)
        )
        .where(_within(gathering_batches.c.created_at, start, end))
        .group_by(gathering_batches.c.department_id)
    )
    pushes = (
        select(gathering_pushes.c.department_id, func.count())
        .where(_within(gathering_pushes.c.received_at, start, end))
        .group_by(gathering_pushes.c.department_id)
    )
    found: dict[int, int] = defaultdict(int)
    for query in (batches, pushes):
        for department, count in conn.execute(query):
            found[int(department)] += int(count or 0)
    return dict(found)


def rejected_rows(
    conn: Connection, *, start: datetime, end: datetime
) -> dict[int, dict[str, int]]:
    """Department → category → its rejected rows of batches submitted in the
    window, and its rejected pushes received in it.

    A problem's category is the one stored with it (`identifier`, `schema`,
    `other`), given where the problem was found. A row or push counts once per
    category it has a problem in.
    """
    batch_rows = (
        select(
            gathering_batches.c.department_id.label("department_id"),
            gathering_rejections.c.category.label("category"),
            gathering_rejections.c.batch_id.label("source"),
            gathering_rejections.c.row_number.label("item"),
        )
        .join(
            gathering_batches,
            gathering_batches.c.id == gathering_rejections.c.batch_id,
        )
        .where(_within(gathering_batches.c.created_at, start, end))
        .distinct()
    )
    push_rows = (
        select(
            gathering_pushes.c.department_id.label("department_id"),
            gathering_push_problems.c.category.label("category"),
            literal(0).label("source"),
            gathering_pushes.c.id.label("item"),
        )
        .join(
            gathering_push_problems,
            gathering_push_problems.c.push_id == gathering_pushes.c.id,
        )
        .where(
            _within(gathering_pushes.c.received_at, start, end),
            gathering_pushes.c.outcome == "rejected",
        )
        .distinct()
    )
    found: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for rows in (batch_rows.subquery(), push_rows.subquery()):
        query = select(rows.c.department_id, rows.c.category, func.count()).group_by(
            rows.c.department_id, rows.c.category
        )
        for department, name, count in conn.execute(query):
            found[int(department)][str(name)] += int(count)
    return {department: dict(counts) for department, counts in found.items()}


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
    window, distinct licenses read). Refused uses read nothing and count nothing.

    A license is counted once whichever of its versions were read: all versions of
    one license share its type, issuer and serial (a correction or an extension
    makes the next version of the same serial), as completeness counts them.
    """
    reads = (
        select(
            licenses.c.issuer_id,
            licenses.c.type_code,
            licenses.c.serial,
            func.count().label("reads"),
        )
        .select_from(access_record_licenses)
        .join(access_records, access_records.c.id == access_record_licenses.c.record_id)
        .join(licenses, licenses.c.id == access_record_licenses.c.license_id)
        .where(_within(access_records.c.occurred_at, start, end))
        .group_by(licenses.c.issuer_id, licenses.c.type_code, licenses.c.serial)
        .subquery()
    )
    query = select(reads.c.issuer_id, func.sum(reads.c.reads), func.count()).group_by(
        reads.c.issuer_id
    )
    return {int(d): (int(n), int(k)) for d, n, k in conn.execute(query)}


def gathering_delays(
    conn: Connection, *, start: datetime, end: datetime, target_days: int
) -> dict[int, DelayStats]:
    """Department → days from date of issue (ZZBFRQ) to the day (China Standard
    Time) the library recorded the license, over licenses first recorded in the
    window that carry a date of issue. On time: from 0 to ``target_days``; a date
    of issue after the day recorded is never on time."""
    delay = _days_from_issue(conn)
    base = select(
        licenses.c.issuer_id.label("department_id"), delay.label("delay")
    ).where(
        _within(licenses.c.issued_at, start, end),
        licenses.c.supersedes_id.is_(None),
        licenses.c.issue_date.is_not(None),
    )
    return _percentiles(conn, base, target=target_days, floor=0)


def event_delays(
    conn: Connection,
    *,
    start: datetime,
    end: datetime,
    kinds: Collection[str],
    target_seconds: int,
    floor_seconds: int,
) -> dict[int, DelayStats]:
    """Department → seconds from when an event of ``kinds`` happened
    (``occurred_at``) to when the library recorded it, over those recorded in the
    window. On time: from ``floor_seconds`` (a clock's drift) to ``target_seconds``.
    """
    base = (
        select(
            licenses.c.issuer_id.label("department_id"),
            _seconds_between(conn).label("delay"),
        )
        .join(licenses, licenses.c.id == license_events.c.license_id)
        .where(
            _within(license_events.c.recorded_at, start, end),
            license_events.c.kind.in_(list(kinds)),
        )
    )
    return _percentiles(conn, base, target=target_seconds, floor=floor_seconds)


def rectification(
    conn: Connection, *, start: datetime, end: datetime, fixing: Collection[str]
) -> dict[int, Rectification]:
    """Department → its rejected rows and pushes open during the window, and those
    fixed in it.

    A row (or push) is fixed when the first event of ``fixing`` kinds stored after
    its rejection (an event id above its mark) on a license of its type and
    department with its paper number was recorded. Rows without a paper number
    cannot be traced and are left out.
    """
    batch_rows = (
        select(
            gathering_rejections.c.batch_id.label("source"),
            gathering_rejections.c.row_number.label("item"),
            gathering_rejections.c.paper_number,
            gathering_batches.c.department_id,
            gathering_batches.c.type_code,
            gathering_rejections.c.event_mark,
        )
        .join(
            gathering_batches,
            gathering_batches.c.id == gathering_rejections.c.batch_id,
        )
        .where(
            gathering_rejections.c.paper_number.is_not(None),
            gathering_rejections.c.rejected_at < end,
        )
        .distinct()
    )
    push_rows = select(
        literal(0).label("source"),
        gathering_pushes.c.id.label("item"),
        gathering_pushes.c.paper_number,
        gathering_pushes.c.department_id,
        gathering_pushes.c.type_code,
        gathering_pushes.c.event_mark,
    ).where(
        gathering_pushes.c.outcome == "rejected",
        gathering_pushes.c.paper_number.is_not(None),
        gathering_pushes.c.received_at < end,
    )
    rows = union_all(batch_rows, push_rows).subquery()
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
                license_events.c.id > rows.c.event_mark,
                license_events.c.kind.in_(list(fixing)),
            ),
        )
        .group_by(rows.c.source, rows.c.item, rows.c.department_id)
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
    conn: Connection, base: Select[Any], *, target: float, floor: float
) -> dict[int, DelayStats]:
    """Count, nearest-rank median and 95th percentile, and records with a delay
    from ``floor`` to ``target``, per department of ``base`` (columns
    ``department_id``, ``delay``)."""
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
        func.sum(
            case(
                (and_(ranked.c.delay >= floor, ranked.c.delay <= target), 1),
                else_=0,
            )
        ),
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
