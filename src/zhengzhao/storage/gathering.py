"""Gathering batches, the files they read, and the rows they rejected."""

from __future__ import annotations

import hashlib
import json
import string
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, and_, bindparam, func, select, text
from sqlalchemy.dialects import postgresql, sqlite

from zhengzhao.storage.tables import (
    gathering_batches,
    gathering_content,
    gathering_rejections,
    license_events,
    licenses,
)

__all__ = [
    "BatchCounts",
    "BatchRecord",
    "Category",
    "FirstVersion",
    "NewBatch",
    "Rejection",
    "StoredRejection",
    "advance_batch",
    "batch_by_id",
    "content_piece",
    "content_pieces",
    "current_identifiers",
    "find_batch",
    "find_or_insert_batch",
    "first_version",
    "first_versions",
    "insert_batch",
    "insert_rejections",
    "latest_event_id",
    "list_batches",
    "list_rejections",
    "lock_paper_numbers",
    "mapping_hash",
    "paper_key",
    "reopen_batch",
    "resumable_batches",
    "stop_batch",
    "store_content_piece",
]


@dataclass(frozen=True, kw_only=True)
class NewBatch:
    """A batch as it is first recorded."""

    department_id: int
    type_code: str
    #: SHA-256 of the file's bytes, in hex: with department and type, the batch's key.
    content_hash: str
    #: `csv`, `jsonl` or `xlsx`.
    format: str
    #: File column → field name, when the department declared one. Part of the
    #: batch's key: the same file read through another mapping is another batch.
    mapping: dict[str, str] | None
    #: The title of the sheet a workbook's batch reads; "" for other formats. Part
    #: of the batch's key: two sheets of one workbook are two batches.
    sheet: str
    filename: str | None
    size: int
    actor: str
    now: datetime


@dataclass(frozen=True, kw_only=True)
class BatchCounts:
    """What a batch has done so far; ``rows_done`` is its committed resume point."""

    rows_done: int = 0
    #: Rows issued as new licenses.
    accepted: int = 0
    #: Rows identical to the license already gathered.
    unchanged: int = 0
    #: Rows that corrected, extended or changed the status of a gathered license.
    updated: int = 0
    rejected: int = 0

    def plus(self, other: BatchCounts) -> BatchCounts:
        return BatchCounts(
            rows_done=self.rows_done + other.rows_done,
            accepted=self.accepted + other.accepted,
            unchanged=self.unchanged + other.unchanged,
            updated=self.updated + other.updated,
            rejected=self.rejected + other.rejected,
        )


@dataclass(frozen=True, kw_only=True)
class BatchRecord:
    """A stored batch."""

    id: int
    department_id: int
    type_code: str
    content_hash: str
    format: str
    mapping: dict[str, str] | None
    sheet: str
    filename: str | None
    size: int
    #: `open` while rows remain, `stopped` after a run failed, then `finished`.
    state: str
    #: Why the last run stopped, for a `stopped` batch; None otherwise.
    error: str | None
    counts: BatchCounts
    actor: str
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None


class Category(StrEnum):
    """What a problem of a row is about, for the quality assessment."""

    #: The holder identifier (CZZTDM) is empty or fails its check (GB 11643 /
    #: GB 32100).
    IDENTIFIER = "identifier"
    #: A surface field is missing, unknown or does not match the type's schema.
    SCHEMA = "schema"
    #: Anything else: the row's metadata, its shape, a status change or transfer
    #: the lifecycle or gathering refuses.
    OTHER = "other"


@dataclass(frozen=True, kw_only=True)
class Rejection:
    """One problem with one row: a row with three problems has three."""

    #: The row's number as a clerk sees it: the line of a JSON Lines file, the row of
    #: a spreadsheet (the header is row 1).
    row_number: int
    #: The column or field at fault, when one is.
    field: str | None
    #: The value found, masked where the field's classification asks for it.
    value: str | None
    reason: str
    #: The row's paper number (ZZBH), when it has one: a later license with the same
    #: type, issuer and paper number shows that the row was fixed.
    paper_number: str | None = None
    #: The id of the last license event stored when the row was rejected: only an
    #: event stored after it can fix the row.
    event_mark: int = 0
    category: Category = Category.OTHER


@dataclass(frozen=True, kw_only=True)
class StoredRejection(Rejection):
    id: int
    #: When the row's chunk committed.
    rejected_at: datetime


def _batch(row: Any) -> BatchRecord:
    return BatchRecord(
        id=row.id,
        department_id=row.department_id,
        type_code=row.type_code,
        content_hash=row.content_hash,
        format=row.format,
        mapping=row.mapping,
        sheet=row.sheet,
        filename=row.filename,
        size=row.size,
        state=row.state,
        error=row.error,
        counts=BatchCounts(
            rows_done=row.rows_done,
            accepted=row.accepted,
            unchanged=row.unchanged,
            updated=row.updated,
            rejected=row.rejected,
        ),
        actor=row.actor,
        created_at=row.created_at,
        updated_at=row.updated_at,
        finished_at=row.finished_at,
    )


def mapping_hash(mapping: dict[str, str] | None) -> str:
    """The SHA-256 of a column mapping's canonical JSON (keys sorted, no spaces,
    UTF-8), in hex; "" for none."""
    if not mapping:
        return ""
    canonical = json.dumps(
        mapping, ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def insert_batch(conn: Connection, batch: NewBatch) -> BatchRecord:
    result = conn.execute(
        gathering_batches.insert().returning(gathering_batches.c.id),
        _batch_values(batch),
    )
    found = batch_by_id(conn, int(result.scalar_one()))
    assert found is not None
    return found


def find_or_insert_batch(conn: Connection, batch: NewBatch) -> tuple[BatchRecord, bool]:
    """The batch with ``batch``'s key (department, type, content, sheet, mapping),
    recorded now if there was none, and whether it was.

    Two transactions recording the same batch at once get the same one: on
    PostgreSQL the second's insert waits for the first to commit, then does
    nothing, and the batch is read again; SQLite lets one writer in at a time.
    """
    found = find_batch(
        conn,
        department_id=batch.department_id,
        type_code=batch.type_code,
        content_hash=batch.content_hash,
        sheet=batch.sheet,
        mapping=batch.mapping,
    )
    if found is not None:
        return found, False
    insert = (
        postgresql.insert(gathering_batches)
        if conn.dialect.name == "postgresql"
        else sqlite.insert(gathering_batches)
    )
    inserted = conn.execute(
        insert.values(_batch_values(batch))
        .on_conflict_do_nothing()
        .returning(gathering_batches.c.id)
    ).scalar()
    if inserted is not None:
        created = batch_by_id(conn, int(inserted))
        assert created is not None
        return created, True
    found = find_batch(
        conn,
        department_id=batch.department_id,
        type_code=batch.type_code,
        content_hash=batch.content_hash,
        sheet=batch.sheet,
        mapping=batch.mapping,
    )
    assert found is not None, "a conflicting batch was committed"
    return found, False


def _batch_values(batch: NewBatch) -> dict[str, Any]:
    return {
        "department_id": batch.department_id,
        "type_code": batch.type_code,
        "content_hash": batch.content_hash,
        "format": batch.format,
        "mapping": batch.mapping,
        "mapping_hash": mapping_hash(batch.mapping),
        "sheet": batch.sheet,
        "filename": batch.filename,
        "size": batch.size,
        "state": "open",
        "rows_done": 0,
        "accepted": 0,
        "unchanged": 0,
        "updated": 0,
        "rejected": 0,
        "actor": batch.actor,
        "created_at": batch.now,
        "updated_at": batch.now,
    }


def find_batch(
    conn: Connection,
    *,
    department_id: int,
    type_code: str,
    content_hash: str,
    sheet: str = "",
    mapping: dict[str, str] | None = None,
) -> BatchRecord | None:
    row = conn.execute(
        select(gathering_batches).where(
            gathering_batches.c.department_id == department_id,
            gathering_batches.c.type_code == type_code,
            gathering_batches.c.content_hash == content_hash,
            gathering_batches.c.sheet == sheet,
            gathering_batches.c.mapping_hash == mapping_hash(mapping),
        )
    ).first()
    return _batch(row) if row else None


def batch_by_id(
    conn: Connection, batch_id: int, *, for_update: bool = False
) -> BatchRecord | None:
    query = select(gathering_batches).where(gathering_batches.c.id == batch_id)
    if for_update and conn.dialect.name == "postgresql":
        query = query.with_for_update()
    row = conn.execute(query).first()
    return _batch(row) if row else None


def list_batches(
    conn: Connection,
    *,
    department_id: int | None,
    after_id: int = 0,
    limit: int = 50,
) -> list[BatchRecord]:
    """Batches newest first, from before ``after_id`` (0: from the newest)."""
    query = select(gathering_batches).order_by(gathering_batches.c.id.desc())
    if department_id is not None:
        query = query.where(gathering_batches.c.department_id == department_id)
    if after_id:
        query = query.where(gathering_batches.c.id < after_id)
    return [_batch(row) for row in conn.execute(query.limit(limit))]


def advance_batch(
    conn: Connection,
    batch_id: int,
    *,
    counts: BatchCounts,
    finished: bool,
    now: datetime,
) -> None:
    """Record ``counts`` as the batch's totals (and its state), in the caller's
    transaction: the same one that stored the rows they count. A finished batch's
    stored copy of its file is deleted with it: nothing reads it again."""
    if finished:
        conn.execute(
            gathering_content.delete().where(gathering_content.c.batch_id == batch_id)
        )
    conn.execute(
        gathering_batches.update()
        .where(gathering_batches.c.id == batch_id)
        .values(
            rows_done=counts.rows_done,
            accepted=counts.accepted,
            unchanged=counts.unchanged,
            updated=counts.updated,
            rejected=counts.rejected,
            state="finished" if finished else "open",
            error=None,
            updated_at=now,
            finished_at=now if finished else None,
        )
    )


def stop_batch(conn: Connection, batch_id: int, *, error: str, now: datetime) -> None:
    """Mark an unfinished batch `stopped`, with why."""
    conn.execute(
        gathering_batches.update()
        .where(
            gathering_batches.c.id == batch_id,
            gathering_batches.c.state != "finished",
        )
        .values(state="stopped", error=error, updated_at=now)
    )


def reopen_batch(conn: Connection, batch_id: int, *, now: datetime) -> None:
    """Mark a `stopped` batch `open` again, for a run that resumes it."""
    conn.execute(
        gathering_batches.update()
        .where(
            gathering_batches.c.id == batch_id,
            gathering_batches.c.state == "stopped",
        )
        .values(state="open", error=None, updated_at=now)
    )


def resumable_batches(conn: Connection) -> list[BatchRecord]:
    """The `open` batches whose file the database keeps, oldest first."""
    stored = (
        select(gathering_content.c.batch_id)
        .where(gathering_content.c.batch_id == gathering_batches.c.id)
        .exists()
    )
    query = (
        select(gathering_batches)
        .where(gathering_batches.c.state == "open", stored)
        .order_by(gathering_batches.c.id)
    )
    return [_batch(row) for row in conn.execute(query)]


def latest_event_id(conn: Connection) -> int:
    """The id of the last license event stored (0: none yet)."""
    return int(conn.execute(select(func.max(license_events.c.id))).scalar() or 0)


def store_content_piece(conn: Connection, batch_id: int, seq: int, data: bytes) -> None:
    conn.execute(
        gathering_content.insert(), {"batch_id": batch_id, "seq": seq, "data": data}
    )


def content_pieces(conn: Connection, batch_id: int) -> int:
    """How many pieces of the batch's file are stored (0: none)."""
    return int(
        conn.execute(
            select(func.count())
            .select_from(gathering_content)
            .where(gathering_content.c.batch_id == batch_id)
        ).scalar_one()
    )


def content_piece(conn: Connection, batch_id: int, seq: int) -> bytes | None:
    data = conn.execute(
        select(gathering_content.c.data).where(
            gathering_content.c.batch_id == batch_id, gathering_content.c.seq == seq
        )
    ).scalar()
    return bytes(data) if data is not None else None


def insert_rejections(
    conn: Connection,
    batch_id: int,
    rejections: Sequence[Rejection],
    *,
    rejected_at: datetime,
) -> None:
    """Store a chunk's rejections, made at ``rejected_at`` (the chunk's time)."""
    if not rejections:
        return
    conn.execute(
        gathering_rejections.insert(),
        [
            {
                "batch_id": batch_id,
                "row_number": item.row_number,
                "field": item.field,
                "value": item.value,
                "reason": item.reason,
                "paper_number": item.paper_number,
                "category": item.category.value,
                "rejected_at": rejected_at,
                "event_mark": item.event_mark,
            }
            for item in rejections
        ],
    )


def list_rejections(
    conn: Connection, batch_id: int, *, after_id: int = 0, limit: int = 500
) -> list[StoredRejection]:
    """A batch's rejections in row order (the order they were stored)."""
    rows = conn.execute(
        select(gathering_rejections)
        .where(
            gathering_rejections.c.batch_id == batch_id,
            gathering_rejections.c.id > after_id,
        )
        .order_by(gathering_rejections.c.id)
        .limit(limit)
    )
    return [
        StoredRejection(
            id=row.id,
            row_number=row.row_number,
            field=row.field,
            value=row.value,
            reason=row.reason,
            paper_number=row.paper_number,
            event_mark=row.event_mark,
            category=Category(row.category),
            rejected_at=row.rejected_at,
        )
        for row in rows
    ]


@dataclass(frozen=True, kw_only=True)
class FirstVersion:
    """The dates of a license's first version: those it was first gathered with."""

    #: Date of issue (ZZBFRQ); None for a license stored before the library kept it.
    issue_date: date | None
    #: First valid day (ZZYXQQSRQ).
    valid_from: date


def first_version(
    conn: Connection, *, type_code: str, issuer_id: int, paper_number: str, serial: str
) -> FirstVersion | None:
    """The first version of the issuer's license of the type with ``paper_number``
    and ``serial`` (which all its versions share)."""
    row = conn.execute(
        select(licenses.c.issue_date, licenses.c.valid_from).where(
            licenses.c.type_code == type_code,
            licenses.c.issuer_id == issuer_id,
            licenses.c.paper_number == paper_number,
            licenses.c.serial == serial,
            licenses.c.version == 1,
        )
    ).first()
    if row is None:
        return None
    return FirstVersion(issue_date=row.issue_date, valid_from=row.valid_from)


_first = licenses.alias("first")


def first_versions(
    conn: Connection, identifiers: Collection[str]
) -> dict[str, FirstVersion]:
    """Identifier of a version → the dates of its license's first version (same
    type, issuer, paper number and serial, version 1), for those of
    ``identifiers`` that have one; a query per 500, through the index of paper
    numbers."""
    found: dict[str, FirstVersion] = {}
    wanted = sorted(identifiers)
    for start in range(0, len(wanted), 500):
        rows = conn.execute(
            select(licenses.c.identifier, _first.c.issue_date, _first.c.valid_from)
            .join(
                _first,
                and_(
                    _first.c.type_code == licenses.c.type_code,
                    _first.c.issuer_id == licenses.c.issuer_id,
                    _first.c.paper_number == licenses.c.paper_number,
                    _first.c.serial == licenses.c.serial,
                    _first.c.version == 1,
                ),
            )
            .where(licenses.c.identifier.in_(wanted[start : start + 500]))
        )
        for row in rows:
            found[row.identifier] = FirstVersion(
                issue_date=row.issue_date, valid_from=row.valid_from
            )
    return found


_successor = licenses.alias("successor")

_CURRENT = (
    select(licenses.c.paper_number, licenses.c.identifier)
    .outerjoin(_successor, _successor.c.supersedes_id == licenses.c.id)
    .where(
        and_(
            licenses.c.type_code == bindparam("type_code"),
            licenses.c.issuer_id == bindparam("issuer_id"),
            licenses.c.paper_number.in_(bindparam("paper_numbers", expanding=True)),
            _successor.c.id.is_(None),
        )
    )
    .order_by(licenses.c.id)
)


# NOTE: PostgreSQL probes the paper numbers one by one (LATERAL), so that its plan
# stays an index lookup per paper number while the table's statistics are stale (a
# library gathering its first million rows before an ANALYZE): planned from such
# statistics, an IN list scans every license of the type and issuer, once a chunk.
_CURRENT_POSTGRES = text(
    """
    SELECT found.paper_number, found.identifier
    FROM unnest(CAST(:paper_numbers AS text[])) AS wanted (paper_number)
    CROSS JOIN LATERAL (
        SELECT version.id, version.paper_number, version.identifier
        FROM licenses AS version
        WHERE version.type_code = :type_code
          AND version.issuer_id = :issuer_id
          AND version.paper_number = wanted.paper_number
          AND NOT EXISTS (
              SELECT 1 FROM licenses AS successor
              WHERE successor.supersedes_id = version.id
          )
    ) AS found
    ORDER BY found.id
    """
)


_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)
_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


def paper_key(paper_number: str) -> str:
    """A paper number as gathering keeps it: its ASCII letters in upper case (as
    national systems write serials), so that ``p0000001`` is ``P0000001``."""
    return paper_number.translate(_UPPER)


def current_identifiers(
    conn: Connection, *, type_code: str, issuer_id: int, paper_numbers: Collection[str]
) -> dict[str, str]:
    """`paper_key` of a paper number → the identifier of the newest version (the one
    no other version replaced) of the issuer's license of the type with that paper
    number, for the ``paper_numbers`` that have one; one query for them all.

    A paper number is looked up as given, by its key and with its letters in lower
    case, so that a license the API stored as it was sent (``p0000001``) is found
    too; NOTE: one stored in mixed case (``Ab1``) is found only as given."""
    if not paper_numbers:
        return {}
    wanted = {
        form
        for paper in paper_numbers
        for form in (paper, paper_key(paper), paper.translate(_LOWER))
    }
    query = _CURRENT_POSTGRES if conn.dialect.name == "postgresql" else _CURRENT
    rows = conn.execute(
        query,
        {
            "type_code": type_code,
            "issuer_id": issuer_id,
            "paper_numbers": sorted(wanted),
        },
    )
    # Rows come oldest first, so that the newest of two unreplaced versions wins.
    return {paper_key(row.paper_number): row.identifier for row in rows}


_LOCK = text("SELECT pg_advisory_xact_lock(key) FROM unnest(:keys) AS key")


def lock_paper_numbers(
    conn: Connection, *, type_code: str, issuer_id: int, paper_numbers: Collection[str]
) -> None:
    """Hold until the transaction ends the right to gather these paper numbers, so
    that two transactions never both issue a first license for one of them.

    PostgreSQL takes one transaction-scoped advisory lock per paper number (by its
    `paper_key`), in ascending order so that two lockers cannot deadlock; SQLite
    needs none, because its writers run one at a time (``BEGIN IMMEDIATE``).
    """
    if conn.dialect.name != "postgresql" or not paper_numbers:
        return
    keys = sorted({_lock_key(type_code, issuer_id, paper) for paper in paper_numbers})
    conn.execute(_LOCK, {"keys": keys})


def _lock_key(type_code: str, issuer_id: int, paper_number: str) -> int:
    digest = hashlib.blake2b(
        f"gather:{issuer_id}:{type_code}:{paper_key(paper_number)}".encode(),
        digest_size=8,
    ).digest()
    return int.from_bytes(digest, "big", signed=True)
