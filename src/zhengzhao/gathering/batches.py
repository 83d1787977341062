"""The resumable batch runner: rows in chunks, each chunk one transaction.

A chunk's licenses, events, rejections and the batch's new resume point (``rows_done``)
commit together, so a process killed at any moment leaves the batch exactly at the end
of its last committed chunk; the next run skips that many rows and goes on. Two runs of
one batch at once cannot both commit a chunk: each chunk first locks the batch and
checks that the resume point is still where the run started it.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import islice
from typing import IO

from sqlalchemy import Connection

from zhengzhao.errors import BatchInProgress, NotFound, ZhengzhaoError
from zhengzhao.issuance.service import TypeCache, issue_prepared, require_active
from zhengzhao.model.license import LicenseStatus
from zhengzhao.model.parties import Department, Principal
from zhengzhao.model.time import Clock, local_date
from zhengzhao.node import Node
from zhengzhao.storage import departments as department_store
from zhengzhao.storage import gathering as store
from zhengzhao.storage import licenses as license_store

from .reader import ColumnMapping, SourceFormat, SourceRow, read_rows
from .rows import ROW_ERRORS, CheckedRow, RowChecker, RowRejected, paper_number
from .updates import Outcome, apply_row, implied_events

__all__ = ["CHUNK_ROWS", "ChunkDone", "counted", "run_batch"]

logger = logging.getLogger(__name__)

#: Rows per transaction: large enough that commits cost little next to signing, small
#: enough that a crash repeats at most a few seconds of work.
CHUNK_ROWS = 500


@dataclass(frozen=True, kw_only=True)
class ChunkDone:
    """Progress after a committed chunk."""

    counts: store.BatchCounts
    #: Bytes of the file read so far, for a progress bar.
    bytes_read: int


class _Counted(io.RawIOBase):
    """A binary stream that counts the bytes read through it; seekable when the
    stream it reads is (a workbook is a zip archive, read by seeking)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self._raw.seekable()

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)


def counted(raw: IO[bytes]) -> tuple[IO[bytes], _Counted]:
    """``raw`` buffered, and the counter of the bytes read from it."""
    counter = _Counted(raw)
    return io.BufferedReader(counter), counter


def run_batch(
    node: Node,
    *,
    batch: store.BatchRecord,
    issuer: Department,
    principal: Principal,
    stream: IO[bytes],
    clock: Clock,
    chunk_rows: int = CHUNK_ROWS,
    on_chunk: Callable[[ChunkDone], None] | None = None,
) -> store.BatchRecord:
    """Gather the rows of ``batch`` from ``stream`` (the batch's file, from its start).

    The steps:
      1. look up the type and build the row checker;
      2. skip the rows that earlier runs committed;
      3. gather the rest chunk by chunk, each chunk one transaction;
      4. mark the batch finished.
    Raises `BatchInProgress` when another run commits a chunk of the same batch.
    Any other failure marks the batch `stopped`, with why, before it is raised: the
    batch keeps every chunk committed before it, and resumes after them.
    """
    try:
        return _run(
            node,
            batch=batch,
            issuer=issuer,
            principal=principal,
            stream=stream,
            clock=clock,
            chunk_rows=chunk_rows,
            on_chunk=on_chunk,
        )
    except BatchInProgress:
        raise  # the other run carries the batch on
    except Exception as exc:
        _stop(node, batch.id, exc, now=clock.now())
        raise


def _run(
    node: Node,
    *,
    batch: store.BatchRecord,
    issuer: Department,
    principal: Principal,
    stream: IO[bytes],
    clock: Clock,
    chunk_rows: int,
    on_chunk: Callable[[ChunkDone], None] | None,
) -> store.BatchRecord:
    # 1. The type and the checker.
    with node.database.reading() as conn:
        license_type, version = TypeCache(conn, issuer).get(batch.type_code)
    checker = RowChecker(issuer=issuer, license_type=license_type, version=version)
    source, counter = counted(stream)
    mapping = ColumnMapping(batch.mapping or {})
    rows = read_rows(
        source,
        format=SourceFormat(batch.format),
        mapping=mapping,
        sheet=batch.sheet or None,
    )

    # 2. Skip what is done.
    counts = batch.counts
    for _ in islice(rows, counts.rows_done):
        pass

    # 3. Gather chunk by chunk.
    while chunk := list(islice(rows, chunk_rows)):
        with node.database.transaction() as conn:
            counts = _gather_chunk(
                conn,
                node,
                batch_id=batch.id,
                counts=counts,
                rows=chunk,
                checker=checker,
                principal=principal,
                now=clock.now(),
            )
        logger.debug("batch %d: %d rows done", batch.id, counts.rows_done)
        if on_chunk is not None:
            on_chunk(ChunkDone(counts=counts, bytes_read=counter.count))

    # 4. Finish.
    with node.database.transaction() as conn:
        _lock(conn, batch.id, counts)
        store.advance_batch(
            conn, batch.id, counts=counts, finished=True, now=clock.now()
        )
        finished = store.batch_by_id(conn, batch.id)
    assert finished is not None
    logger.info(
        "batch %d finished: %d accepted, %d unchanged, %d updated, %d rejected",
        batch.id,
        counts.accepted,
        counts.unchanged,
        counts.updated,
        counts.rejected,
    )
    return finished


def _stop(node: Node, batch_id: int, error: Exception, *, now: datetime) -> None:
    """Record that a run of batch ``batch_id`` stopped, and why."""
    if isinstance(error, ZhengzhaoError):
        reason = error.message
        logger.warning("batch %d stopped: %s", batch_id, reason)
    else:
        reason = (
            f"the node failed while gathering ({type(error).__name__}); the rows"
            " committed before stay gathered, the node's log says more, and the"
            " batch resumes after them"
        )
        logger.exception("batch %d failed", batch_id)
    try:
        with node.database.transaction() as conn:
            store.stop_batch(conn, batch_id, error=reason, now=now)
    except Exception:  # the database that failed may fail again; the log keeps it
        logger.exception("batch %d: its stop could not be recorded", batch_id)


def _lock(conn: Connection, batch_id: int, counts: store.BatchCounts) -> None:
    current = store.batch_by_id(conn, batch_id, for_update=True)
    if current is None:
        raise NotFound(f"no gathering batch {batch_id}")
    if current.state == "finished" or current.counts.rows_done != counts.rows_done:
        raise BatchInProgress(
            f"batch {batch_id} moved on to row {current.counts.rows_done} while this"
            f" run was at {counts.rows_done}: another process is gathering it; this"
            " run stopped and wrote nothing"
        )


def _gather_chunk(
    conn: Connection,
    node: Node,
    *,
    batch_id: int,
    counts: store.BatchCounts,
    rows: list[SourceRow],
    checker: RowChecker,
    principal: Principal,
    now: datetime,
) -> store.BatchCounts:
    _lock(conn, batch_id, counts)
    # A department deactivated while its batch runs stops it: it issues no more.
    issuer = checker.issuer
    require_active(department_store.department_by_id(conn, issuer.id) or issuer)
    chunk = _Chunk(conn, node, checker=checker, principal=principal, now=now)
    chunk.look_up(rows)
    for row in rows:
        chunk.add(row)
    chunk.flush()
    store.insert_rejections(conn, batch_id, chunk.rejections, rejected_at=now)
    counts = counts.plus(chunk.counts(len(rows)))
    store.advance_batch(conn, batch_id, counts=counts, finished=False, now=now)
    return counts


@dataclass
class _Chunk:
    """The rows of one transaction, with first issues held back to be issued
    together."""

    conn: Connection
    node: Node
    checker: RowChecker
    principal: Principal
    now: datetime
    rejections: list[store.Rejection] = field(default_factory=list)
    pending: list[CheckedRow] = field(default_factory=list)
    #: Paper number → identifier of its newest version, for the chunk's rows.
    current: dict[str, str] = field(default_factory=dict)
    #: The newest versions gathered before the chunk, read (and locked) at once,
    #: and the dates of their first versions; a version is dropped once a row
    #: changes it.
    stored: dict[str, license_store.StoredLicense] = field(default_factory=dict)
    originals: dict[str, store.FirstVersion] = field(default_factory=dict)
    accepted: int = 0
    unchanged: int = 0
    updated: int = 0
    rejected: int = 0

    def __post_init__(self) -> None:
        self.today = local_date(self.now)
        self.cache = TypeCache(self.conn, self.checker.issuer)
        self._pending_papers: set[str] = set()
        #: The last license event stored, known until the chunk writes again.
        self._mark: int | None = None

    def counts(self, rows: int) -> store.BatchCounts:
        return store.BatchCounts(
            rows_done=rows,
            accepted=self.accepted,
            unchanged=self.unchanged,
            updated=self.updated,
            rejected=self.rejected,
        )

    def look_up(self, rows: list[SourceRow]) -> None:
        """Lock the rows' paper numbers and read the licenses gathered before with
        them, a few queries for the chunk rather than some per row."""
        papers = {paper_number(row.values) for row in rows} - {""}
        type_code, issuer_id = self.checker.license_type.code, self.checker.issuer.id
        store.lock_paper_numbers(
            self.conn, type_code=type_code, issuer_id=issuer_id, paper_numbers=papers
        )
        self.current = store.current_identifiers(
            self.conn, type_code=type_code, issuer_id=issuer_id, paper_numbers=papers
        )
        identifiers = set(self.current.values())
        self.stored = license_store.licenses_by_identifiers(
            self.conn, identifiers, for_update=True
        )
        self.originals = store.first_versions(self.conn, identifiers)

    def add(self, row: SourceRow) -> None:
        if row.problem is not None:
            self._reject(row, [_shape_rejection(row)])
            return
        try:
            checked = self.checker.check(
                number=row.number, values=row.values, today=self.today, cache=self.cache
            )
        except RowRejected as exc:
            self._reject(row, exc.rejections)
            return
        # A second row for a paper number in this chunk sees the first one stored.
        if checked.paper_number in self._pending_papers:
            self.flush()
        identifier = self.current.get(checked.paper_number)
        if identifier is None and _plainly_valid(checked):
            self.pending.append(checked)
            self._pending_papers.add(checked.paper_number)
            return
        if identifier in self.stored:
            # Most rows of a repeated export say what the library holds: found so
            # without writing, they need no savepoint.
            try:
                events = implied_events(
                    self.node,
                    self.stored[identifier],
                    checked,
                    original=self.originals.get(identifier),
                )
            except RowRejected as exc:
                self._reject(row, exc.rejections)
                return
            if not events:
                self.unchanged += 1
                return
            del self.stored[identifier]
        self._mark = None
        try:
            with self.conn.begin_nested():
                applied = apply_row(
                    self.conn,
                    self.node,
                    issuer=self.checker.issuer,
                    principal=self.principal,
                    row=checked,
                    identifier=identifier,
                    now=self.now,
                )
        except RowRejected as exc:
            self._reject(row, exc.rejections)
        except ROW_ERRORS as exc:
            self._reject(row, self.checker.rejections(checked.number, exc, row.values))
        else:
            self.current[checked.paper_number] = applied.identifiers[-1]
            if applied.outcome is Outcome.ACCEPTED:
                self.accepted += 1
            elif applied.outcome is Outcome.UPDATED:
                self.updated += 1
            else:
                self.unchanged += 1

    def flush(self) -> None:
        if not self.pending:
            return
        self._mark = None
        issued = issue_prepared(
            self.conn,
            self.node,
            issuer=self.checker.issuer,
            prepared=[item.prepared for item in self.pending],
            actor=self.principal.actor,
            now=self.now,
        )
        for item, license in zip(self.pending, issued, strict=True):
            self.current[item.paper_number] = license.license.identifier
        self.accepted += len(self.pending)
        self.pending = []
        self._pending_papers.clear()

    def _reject(self, row: SourceRow, rejections: list[store.Rejection]) -> None:
        # As long as a stored paper number may be; a longer one matches no license.
        paper = paper_number(row.values)[:64] or None
        if paper in self._pending_papers:
            # An earlier row's license comes before this rejection: only what comes
            # after it can fix it.
            self.flush()
        if self._mark is None:
            self._mark = store.latest_event_id(self.conn)
        self.rejections.extend(
            replace(item, paper_number=paper, event_mark=self._mark)
            for item in rejections
        )
        self.rejected += 1


def _plainly_valid(row: CheckedRow) -> bool:
    return row.state is None or (
        row.state.status is LicenseStatus.VALID and row.state.encumbrance is None
    )


def _shape_rejection(row: SourceRow) -> store.Rejection:
    assert row.problem is not None
    return store.Rejection(
        row_number=row.number, field=None, value=None, reason=row.problem
    )
