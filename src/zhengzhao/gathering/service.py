"""Gathering as the API and the CLI offer it: submit a file, run its batch, report.

A department gathers for itself; an operator for any department; a deactivated
department not at all. Operators and auditors read every batch, a department its own.
A batch is identified by its department, its license type, the SHA-256 of its file,
the sheet it reads and its column mapping: submitting the same file again (with the
same mapping) finds the same batch, which resumes if it is unfinished and is only
reported if it is finished; the same file with another mapping is another batch.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO

from sqlalchemy import Connection

from zhengzhao.errors import (
    BatchInProgress,
    BatchNotStored,
    DepartmentDeactivated,
    InvalidRequest,
    NotFound,
    PermissionDenied,
    UnreadableFile,
)
from zhengzhao.issuance.service import TypeCache, require_active
from zhengzhao.model.parties import Department, Principal, Role
from zhengzhao.model.permissions import require_role
from zhengzhao.model.time import Clock
from zhengzhao.node import Node
from zhengzhao.storage import departments as department_store
from zhengzhao.storage import gathering as store

from .batches import ChunkDone, run_batch
from .copies import StoredFile, store_copy
from .reader import (
    ColumnMapping,
    FileFacts,
    SourceFormat,
    csv_header,
    examine,
    sheet_header,
)
from .rows import RowChecker

__all__ = [
    "BatchView",
    "Submission",
    "acting_for",
    "batch_rejections",
    "gather_stored",
    "gathering_department",
    "get_batch",
    "list_batches",
    "reading_department",
    "resume_batch",
    "resume_open_batches",
    "run_submitted",
    "submit_batch",
]

logger = logging.getLogger(__name__)

#: The most batches or rejections one page of a listing holds.
MAX_PAGE = 1000


@dataclass(frozen=True, kw_only=True)
class BatchView:
    """A batch with the credit code of its department."""

    record: store.BatchRecord
    department_code: str


@dataclass(frozen=True, kw_only=True)
class Submission:
    """The batch a submitted file belongs to."""

    view: BatchView
    #: The department the batch gathers for.
    issuer: Department
    #: Whether the batch existed before this submission (a resume or a repeat).
    existing: bool

    @property
    def finished(self) -> bool:
        return self.view.record.state == "finished"


def submit_batch(
    node: Node,
    *,
    principal: Principal,
    department_code: str | None,
    type_code: str,
    path: Path,
    format: SourceFormat,
    mapping: ColumnMapping | None,
    filename: str | None,
    keep_copy: bool,
    now: datetime,
    sheet: str | None = None,
) -> Submission:
    """Find or record the batch of the file at ``path``; ``sheet`` names the sheet
    of a workbook to read (None: the first).

    The steps:
      1. authorize: the caller, the department (an active one), its
         responsibility for the type;
      2. examine the file: its hash, UTF-8 or a workbook's sheet, the header's
         columns (each a metadata name or a field, no two giving the same);
      3. find the batch of the same content and mapping, or record a new one;
      4. with ``keep_copy``, store the file in the database, sealed, so that any
         process can resume the batch.
    A `stopped` batch of the same file is opened again, to resume. Raises
    `PermissionDenied`, `DepartmentDeactivated`, `NotResponsible`, `NotFound` or
    `UnreadableFile`.
    """
    # 1. Authorize.
    with node.database.reading() as conn:
        issuer = gathering_department(conn, principal, department_code)
        license_type, version = TypeCache(conn, issuer).get(type_code)
    checker = RowChecker(issuer=issuer, license_type=license_type, version=version)

    # 2. Examine.
    if sheet is not None and format is not SourceFormat.XLSX:
        raise InvalidRequest(
            f"a sheet is named only for an Excel workbook, and this file is {format}"
        )
    facts, title, header = _examine(path, format, sheet)
    if header is not None:
        names = (mapping or ColumnMapping()).rename_header(
            header, letters=format is SourceFormat.XLSX
        )
        checker.check_columns(names)

    # 3. Find or record.
    columns = dict(mapping.columns) if mapping and mapping.columns else None
    with node.database.transaction() as conn:
        batch, created = store.find_or_insert_batch(
            conn,
            store.NewBatch(
                department_id=issuer.id,
                type_code=license_type.code,
                content_hash=facts.sha256,
                format=format.value,
                mapping=columns,
                sheet=title,
                filename=filename,
                size=facts.size,
                actor=principal.actor,
                now=now,
            ),
        )
        if batch.state == "stopped":
            store.reopen_batch(conn, batch.id, now=now)
            reopened = store.batch_by_id(conn, batch.id)
            assert reopened is not None
            batch = reopened

    # 4. Keep a copy.
    if keep_copy and batch.state != "finished":
        store_copy(node, batch.id, path)
    return Submission(
        view=BatchView(record=batch, department_code=issuer.credit_code),
        issuer=issuer,
        existing=not created,
    )


def _examine(
    path: Path, format: SourceFormat, sheet: str | None
) -> tuple[FileFacts, str, list[str] | None]:
    """The file's hash and size, the sheet's title ("" but for a workbook) and the
    header of a CSV file or a sheet; raises `UnreadableFile`."""
    try:
        with path.open("rb") as stream:
            facts = examine(stream, text=format.is_text)
        with path.open("rb") as stream:
            if format is SourceFormat.CSV:
                return facts, "", csv_header(stream)
            if format is SourceFormat.XLSX:
                title, header = sheet_header(stream, sheet)
                return facts, title, header
            return facts, "", None
    except OSError as exc:
        raise UnreadableFile(f"cannot read {path.name}: {exc.strerror or exc}") from exc


def run_submitted(
    node: Node,
    *,
    submission: Submission,
    principal: Principal,
    path: Path | None,
    clock: Clock,
    chunk_rows: int | None = None,
    on_chunk: Callable[[ChunkDone], None] | None = None,
) -> BatchView:
    """Run a submitted batch to its end from ``path``, or from its stored copy.

    The department is read again first: one deactivated since the batch was
    submitted stops it (`DepartmentDeactivated`, recorded on the batch).
    """
    batch = submission.view.record
    if batch.state == "finished":
        return submission.view
    issuer = _active_issuer(node, batch, submission.issuer, now=clock.now())
    with ExitStack() as stack:
        stream: IO[bytes]
        if path is not None:
            stream = stack.enter_context(path.open("rb"))
        else:
            stream = stack.enter_context(
                io.BufferedReader(StoredFile(node, batch.id, size=batch.size))
            )
        finished = run_batch(
            node,
            batch=batch,
            issuer=issuer,
            principal=acting_for(principal, submission.issuer),
            stream=stream,
            clock=clock,
            on_chunk=on_chunk,
            **({"chunk_rows": chunk_rows} if chunk_rows else {}),
        )
    return BatchView(record=finished, department_code=submission.view.department_code)


def resume_batch(
    node: Node, *, principal: Principal, batch_id: int, now: datetime
) -> Submission:
    """Open batch ``batch_id`` again to resume it from its stored copy, after its
    last committed chunk; a finished batch is only reported.

    The department that owns the batch or an operator may; raises `NotFound`,
    `PermissionDenied`, or `BatchNotStored` for a batch the command line gathered
    from a file the node does not keep.
    """
    require_role(principal, Role.DEPARTMENT, Role.OPERATOR)
    with node.database.transaction() as conn:
        batch = store.batch_by_id(conn, batch_id, for_update=True)
        if batch is None:
            raise NotFound(f"no gathering batch {batch_id}")
        if principal.role is Role.DEPARTMENT and (
            principal.department is None
            or principal.department.id != batch.department_id
        ):
            raise PermissionDenied("a department resumes only its own batches")
        issuer = department_store.department_by_id(conn, batch.department_id)
        assert issuer is not None
        if batch.state != "finished":
            if not store.content_pieces(conn, batch.id):
                raise BatchNotStored(
                    f"batch {batch.id} was gathered from {batch.filename or 'a file'}"
                    " that the node keeps no copy of (a file the command line read"
                    " where it lies, or one uploaded before the node encrypted its"
                    " copies): run the same `zhengzhao gather` command again, or"
                    " submit the file again, to resume it"
                )
            store.reopen_batch(conn, batch.id, now=now)
            batch = store.batch_by_id(conn, batch.id)
            assert batch is not None
    return Submission(
        view=BatchView(record=batch, department_code=issuer.credit_code),
        issuer=issuer,
        existing=True,
    )


def gather_stored(
    node: Node, *, submission: Submission, principal: Principal, clock: Clock
) -> None:
    """Run a submitted batch from its stored copy, as a job of its own: a failure
    is recorded on the batch (`stopped`, with why) and in the log, and ends the
    job, which nobody waits for."""
    try:
        run_submitted(
            node, submission=submission, principal=principal, path=None, clock=clock
        )
    except BatchInProgress as exc:
        logger.info("batch %d: %s", submission.view.record.id, exc.message)
    except Exception:  # `run_batch` recorded it on the batch, and logged it
        return


def resume_open_batches(node: Node, *, clock: Clock) -> int:
    """Resume, one after the other, every `open` batch whose file the database
    keeps: those a node stopped serving in the middle of. Each resumes in its
    submitter's name. Returns how many ran."""
    with node.database.reading() as conn:
        batches = store.resumable_batches(conn)
        issuers = {
            batch.department_id: department_store.department_by_id(
                conn, batch.department_id
            )
            for batch in batches
        }
    for batch in batches:
        issuer = issuers[batch.department_id]
        assert issuer is not None
        logger.info("batch %d: resuming after row %d", batch.id, batch.counts.rows_done)
        gather_stored(
            node,
            submission=Submission(
                view=BatchView(record=batch, department_code=issuer.credit_code),
                issuer=issuer,
                existing=True,
            ),
            principal=_submitter(batch, issuer),
            clock=clock,
        )
    return len(batches)


def get_batch(conn: Connection, *, principal: Principal, batch_id: int) -> BatchView:
    """Batch ``batch_id``; raises `NotFound` or `PermissionDenied`."""
    batch = store.batch_by_id(conn, batch_id)
    if batch is None:
        raise NotFound(f"no gathering batch {batch_id}")
    _require_reader(principal, batch)
    department = department_store.department_by_id(conn, batch.department_id)
    assert department is not None
    return BatchView(record=batch, department_code=department.credit_code)


def list_batches(
    conn: Connection,
    *,
    principal: Principal,
    department_code: str | None,
    after_id: int = 0,
    limit: int = 50,
) -> list[BatchView]:
    """Batches newest first: a department's own; any department's for operators and
    auditors, all of them when ``department_code`` is None."""
    department = reading_department(
        conn, principal, department_code, what="gathering batches"
    )
    batches = store.list_batches(
        conn,
        department_id=department.id if department else None,
        after_id=after_id,
        limit=max(1, min(limit, MAX_PAGE)),
    )
    codes: dict[int, str] = {}
    views = []
    for batch in batches:
        if batch.department_id not in codes:
            found = department_store.department_by_id(conn, batch.department_id)
            assert found is not None
            codes[batch.department_id] = found.credit_code
        views.append(
            BatchView(record=batch, department_code=codes[batch.department_id])
        )
    return views


def batch_rejections(
    conn: Connection,
    *,
    principal: Principal,
    batch_id: int,
    after_id: int = 0,
    limit: int = MAX_PAGE,
) -> list[store.StoredRejection]:
    """A page of batch ``batch_id``'s rejected rows, in row order."""
    get_batch(conn, principal=principal, batch_id=batch_id)
    return store.list_rejections(
        conn, batch_id, after_id=after_id, limit=max(1, min(limit, MAX_PAGE))
    )


def reading_department(
    conn: Connection, principal: Principal, department_code: str | None, *, what: str
) -> Department | None:
    """The department whose ``what`` the caller asks to read, None for all of them.

    A department reads its own; operators and auditors any one, or all. Raises
    `PermissionDenied`, or `NotFound` for an unknown department.
    """
    require_role(principal, Role.OPERATOR, Role.AUDITOR, Role.DEPARTMENT)
    if principal.role is Role.DEPARTMENT:
        own = principal.department
        if own is None or department_code not in (None, own.credit_code):
            raise PermissionDenied(f"a department reads only its own {what}")
        return own
    if department_code is None:
        return None
    return _department(conn, department_code)


def gathering_department(
    conn: Connection, principal: Principal, department_code: str | None
) -> Department:
    """The department the caller gathers for: a department its own, an operator the
    one it names; an active one, read as the database has it now. Raises
    `PermissionDenied`, `InvalidRequest`, `NotFound` or `DepartmentDeactivated`."""
    require_role(principal, Role.DEPARTMENT, Role.OPERATOR)
    if principal.role is Role.DEPARTMENT:
        own = principal.department
        if own is None:
            raise PermissionDenied("this client acts for no department")
        if department_code not in (None, own.credit_code):
            raise PermissionDenied(
                f"a department gathers only its own licenses; client"
                f" {principal.client_id} acts for {own.credit_code}, not"
                f" {department_code}"
            )
        department = department_store.department_by_id(conn, own.id) or own
    else:
        if department_code is None:
            raise InvalidRequest("say which department the batch gathers for")
        department = _department(conn, department_code)
    require_active(department)
    return department


def _active_issuer(
    node: Node, batch: store.BatchRecord, issuer: Department, *, now: datetime
) -> Department:
    """``issuer`` as the database has it now; one deactivated since the batch was
    submitted stops it, with why, and raises `DepartmentDeactivated`."""
    refusal: DepartmentDeactivated | None = None
    with node.database.transaction() as conn:
        current = department_store.department_by_id(conn, issuer.id) or issuer
        try:
            require_active(current)
        except DepartmentDeactivated as exc:
            refusal = exc
            store.stop_batch(conn, batch.id, error=exc.message, now=now)
    if refusal is not None:
        raise refusal
    return current


def _department(conn: Connection, code: str) -> Department:
    department = department_store.department_by_code(conn, code.strip().upper())
    if department is None:
        raise NotFound(f"no department with credit code {code}")
    return department


def _require_reader(principal: Principal, batch: store.BatchRecord) -> None:
    require_role(principal, Role.OPERATOR, Role.AUDITOR, Role.DEPARTMENT)
    if principal.role is Role.DEPARTMENT and (
        principal.department is None or principal.department.id != batch.department_id
    ):
        raise PermissionDenied("a department reads only its own gathering batches")


def acting_for(principal: Principal, issuer: Department) -> Principal:
    """The caller as the issuing department, for the events its rows record.

    Events name the caller who ran the batch (an operator's client, or the command
    line); the department is the issuer either way.
    """
    if principal.role is Role.DEPARTMENT:
        return principal
    return Principal(
        client_id=principal.client_id,
        name=principal.name,
        role=Role.DEPARTMENT,
        department=issuer,
    )


def _submitter(batch: store.BatchRecord, issuer: Department) -> Principal:
    """The client that submitted ``batch``, acting for its department, so that the
    events of a resumed run name whom the others name."""
    return Principal(
        client_id=batch.actor.removeprefix("client:"),
        name="resumed when the node started",
        role=Role.DEPARTMENT,
        department=issuer,
    )
