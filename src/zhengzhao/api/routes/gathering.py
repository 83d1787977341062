"""Gathering batches: submit a department's file, follow its batch, read its rejections.

A submitted file is stored with its batch before the answer (202), and gathered after
it; a file larger than the node's `gathering_upload_bytes` is refused (413). The
batch's state and counts show how far it is, and a batch whose run failed is
`stopped` with its error until it is resumed. The same file submitted again (with the
same column mapping) finds the same batch: an unfinished one resumes, a finished one
is only reported (200). Batches need no `Idempotency-Key`: the file's content and
mapping are the key.
"""

from __future__ import annotations

import itertools
import os
import pathlib
import tempfile
from collections.abc import Iterator
from datetime import datetime
from typing import IO, Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import Field
from starlette.datastructures import UploadFile

from zhengzhao.api.deps import Caller, CurrentNode, Now
from zhengzhao.api.pagination import decode_cursor, encode_cursor
from zhengzhao.api.schemas import ApiModel, ErrorBody
from zhengzhao.errors import InvalidRequest, UploadTooLarge, ZhengzhaoError
from zhengzhao.gathering.reader import ColumnMapping, SourceFormat
from zhengzhao.gathering.reports import (
    ReportFormat,
    csv_report,
    rejection_pages,
    write_report,
)
from zhengzhao.gathering.service import (
    BatchView,
    Submission,
    batch_rejections,
    gather_stored,
    get_batch,
    list_batches,
    resume_batch,
    submit_batch,
)
from zhengzhao.gathering.workbook import XLSX_MEDIA_TYPE
from zhengzhao.model.parties import Principal
from zhengzhao.node import Node
from zhengzhao.storage.gathering import StoredRejection

__all__ = ["router"]

router = APIRouter(prefix="/v1/gathering", tags=["gathering"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody} for status in (401, 403, 404, 409, 422)
}
_UPLOAD_ERRORS = {**_ERRORS, 413: {"model": ErrorBody}}
#: Batch numbers are the database's 64-bit row ids.
BatchId = Annotated[int, Path(ge=1, le=2**63 - 1)]
#: Bytes read from an upload at a time.
_READ_BYTES = 1 << 20
#: What a multipart body may hold besides its file: boundaries, part headers, and
#: a column mapping (Starlette reads a text part of up to 1 MiB).
_FORM_BYTES = 1 << 20
_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "mapping": {
                            "type": "string",
                            "description": "JSON: file column → field name.",
                        },
                    },
                }
            },
            "text/csv": {"schema": {"type": "string"}},
            "application/jsonl": {"schema": {"type": "string"}},
            XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


class CountsOut(ApiModel):
    rows: int = Field(description="Rows done: the committed resume point.")
    accepted: int = Field(description="Rows issued as new licenses.")
    unchanged: int = Field(description="Rows identical to a license gathered before.")
    updated: int = Field(description="Rows that corrected, extended or changed status.")
    rejected: int = Field(description="Rows refused; see the rejections.")


class BatchOut(ApiModel):
    id: int
    department: str = Field(description="The issuing department's credit code.")
    type_code: str
    sha256: str = Field(
        description="SHA-256 of the file: with department and type,"
        " what identifies the batch."
    )
    format: str
    sheet: str | None = Field(description="The sheet read, for a workbook.")
    filename: str | None
    size: int = Field(description="The file's size in bytes.")
    state: str = Field(
        description="`open` while rows remain; `stopped` when a run failed (see"
        " `error`; resume it); `finished`."
    )
    error: str | None = Field(description="Why the batch stopped, when it did.")
    counts: CountsOut
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None

    @classmethod
    def of(cls, view: BatchView) -> BatchOut:
        batch = view.record
        counts = batch.counts
        return cls(
            id=batch.id,
            department=view.department_code,
            type_code=batch.type_code,
            sha256=batch.content_hash,
            format=batch.format,
            sheet=batch.sheet or None,
            filename=batch.filename,
            size=batch.size,
            state=batch.state,
            error=batch.error,
            counts=CountsOut(
                rows=counts.rows_done,
                accepted=counts.accepted,
                unchanged=counts.unchanged,
                updated=counts.updated,
                rejected=counts.rejected,
            ),
            created_at=batch.created_at,
            updated_at=batch.updated_at,
            finished_at=batch.finished_at,
        )


class BatchPageOut(ApiModel):
    items: list[BatchOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


class RejectionOut(ApiModel):
    row: int = Field(description="The row's number: the header of a CSV is row 1.")
    paper_number: str | None = Field(
        description="The row's ZZBH, when it has one: how the department's system"
        " knows the license."
    )
    field: str | None = Field(description="The column or field at fault.")
    value: str | None = Field(description="The value found, masked if classified.")
    reason: str


class RejectionPageOut(ApiModel):
    items: list[RejectionOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


@router.post(
    "/batches",
    status_code=202,
    response_model=BatchOut,
    responses={**_UPLOAD_ERRORS, 200: {"model": BatchOut}},
    openapi_extra=_UPLOAD_BODY,
    summary="Submit a file of licenses",
)
async def submit(
    request: Request,
    principal: Caller,
    node: CurrentNode,
    now: Now,
    background: BackgroundTasks,
    type_code: Annotated[
        str, Query(alias="type", max_length=21, description="The license type.")
    ],
    department: Annotated[
        str | None,
        Query(max_length=18, description="Credit code; a department's own default."),
    ] = None,
    file_format: Annotated[
        SourceFormat | None,
        Query(alias="format", description="Default: from the media type or name."),
    ] = None,
    sheet: Annotated[
        str | None,
        Query(max_length=255, description="A workbook's sheet; default: the first."),
    ] = None,
) -> JSONResponse:
    """Submit a CSV, JSON Lines or Excel (.xlsx) file of one license type, as a
    multipart upload (`file`, optional `mapping`) or as the raw body (`text/csv`,
    `application/jsonl`, or the .xlsx media type).

    A department submits for itself, an operator for any department. Answers 202
    with the batch, which is gathered after the answer, or 200 with the finished
    batch when the same file was gathered before; 413 `upload-too-large` for a file
    larger than the node takes (its setting `gathering_upload_bytes`).
    """
    path, filename, media, mapping = await _receive(
        request, limit=node.settings.gathering_upload_bytes
    )
    try:
        source_format = file_format or SourceFormat.detect(
            filename=filename, content_type=media
        )
        submission = await run_in_threadpool(
            lambda: submit_batch(
                node,
                principal=principal,
                department_code=department,
                type_code=type_code,
                path=path,
                format=source_format,
                mapping=mapping,
                filename=filename,
                keep_copy=True,
                now=now,
                sheet=sheet,
            )
        )
    finally:
        path.unlink(missing_ok=True)
    return _accepted(submission, background, principal, node, request)


@router.post(
    "/batches/{batch_id}/resume",
    status_code=202,
    response_model=BatchOut,
    responses={**_ERRORS, 200: {"model": BatchOut}},
    summary="Resume a stopped batch",
)
async def resume(
    batch_id: BatchId,
    request: Request,
    principal: Caller,
    node: CurrentNode,
    now: Now,
    background: BackgroundTasks,
) -> JSONResponse:
    """Resume a `stopped` (or `open`) batch from the copy of its file the node
    keeps, after its last committed chunk. The department that owns the batch or
    an operator may. Answers 202 with the batch, gathered after the answer, or 200
    with a finished batch, which has nothing to resume.
    """
    submission = await run_in_threadpool(
        lambda: resume_batch(node, principal=principal, batch_id=batch_id, now=now)
    )
    return _accepted(submission, background, principal, node, request)


def _accepted(
    submission: Submission,
    background: BackgroundTasks,
    principal: Principal,
    node: Node,
    request: Request,
) -> JSONResponse:
    """200 with a finished batch; otherwise 202, and the batch gathered after."""
    body = BatchOut.of(submission.view).model_dump(mode="json", by_alias=True)
    if submission.finished:
        return JSONResponse(body, status_code=200)
    background.add_task(
        gather_stored,
        node,
        submission=submission,
        principal=principal,
        clock=request.app.state.clock,
    )
    return JSONResponse(
        body,
        status_code=202,
        headers={"Location": f"/v1/gathering/batches/{submission.view.record.id}"},
    )


@router.get(
    "/batches", response_model=BatchPageOut, responses=_ERRORS, summary="Batches"
)
def batches(
    principal: Caller,
    node: CurrentNode,
    department: Annotated[str | None, Query(max_length=18)] = None,
    cursor: Annotated[str | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> BatchPageOut:
    """Batches, newest first: a department's own; any for operators and auditors."""
    with node.database.reading() as conn:
        views = list_batches(
            conn,
            principal=principal,
            department_code=department,
            after_id=decode_cursor(cursor),
            limit=limit + 1,
        )
    more = len(views) > limit
    views = views[:limit]
    return BatchPageOut(
        items=[BatchOut.of(view) for view in views],
        next_cursor=encode_cursor(views[-1].record.id) if more else None,
    )


@router.get("/batches/{batch_id}", response_model=BatchOut, responses=_ERRORS)
def batch(batch_id: BatchId, principal: Caller, node: CurrentNode) -> BatchOut:
    """A batch's state and counts."""
    with node.database.reading() as conn:
        return BatchOut.of(get_batch(conn, principal=principal, batch_id=batch_id))


@router.get(
    "/batches/{batch_id}/rejections",
    response_model=RejectionPageOut,
    responses={
        **_ERRORS,
        200: {"content": {"text/csv": {}, XLSX_MEDIA_TYPE: {}}},
    },
    summary="Rejected rows",
)
def rejections(
    batch_id: BatchId,
    principal: Caller,
    node: CurrentNode,
    report_format: Annotated[
        str, Query(alias="format", pattern="^(json|csv|xlsx)$")
    ] = "json",
    cursor: Annotated[str | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> Any:
    """Every problem of every rejected row: row number, ZZBH, field, value, reason.

    `format=csv` downloads them all as one CSV file (UTF-8 with a byte-order mark, so
    that Excel reads the Chinese text), `format=xlsx` as an Excel workbook; JSON
    comes in pages.
    """
    if report_format != "json":
        return _download(node, principal, batch_id, ReportFormat(report_format))
    with node.database.reading() as conn:
        page = batch_rejections(
            conn,
            principal=principal,
            batch_id=batch_id,
            after_id=decode_cursor(cursor),
            limit=limit + 1,
        )
    more = len(page) > limit
    page = page[:limit]
    return RejectionPageOut(
        items=[_rejection_out(item) for item in page],
        next_cursor=encode_cursor(page[-1].id) if more else None,
    )


def _rejection_out(item: StoredRejection) -> RejectionOut:
    return RejectionOut(
        row=item.row_number,
        paper_number=item.paper_number,
        field=item.field,
        value=item.value,
        reason=item.reason,
    )


def _download(
    node: Node, principal: Principal, batch_id: int, report_format: ReportFormat
) -> StreamingResponse:
    """The whole report as a file: CSV streamed a page at a time; a workbook built
    in a temporary file first (its zip directory comes last), then streamed."""
    headers = {
        "Content-Disposition": (
            f'attachment; filename="batch-{batch_id}-rejections.{report_format}"'
        )
    }
    if report_format is ReportFormat.CSV:
        pages = rejection_pages(node, principal=principal, batch_id=batch_id)
        first = next(pages, [])  # authorizes before the answer starts
        return StreamingResponse(
            csv_report(itertools.chain((first,), pages)),
            media_type=report_format.media_type,
            headers=headers,
        )
    built = tempfile.TemporaryFile()
    try:
        write_report(
            node,
            principal=principal,
            batch_id=batch_id,
            format=report_format,
            out=built,
        )
    except BaseException:
        built.close()
        raise
    built.seek(0)
    return StreamingResponse(
        _blocks(built), media_type=report_format.media_type, headers=headers
    )


def _blocks(file: IO[bytes]) -> Iterator[bytes]:
    with file:
        while block := file.read(_READ_BYTES):
            yield block


async def _receive(
    request: Request, *, limit: int
) -> tuple[pathlib.Path, str | None, str | None, ColumnMapping | None]:
    """Write the upload to a temporary file: its path, name, media type, mapping.

    Raises `UploadTooLarge` for a file of more than ``limit`` bytes, as soon as the
    body says or shows so, before it is all received.
    """
    content_type = request.headers.get("content-type", "")
    multipart = content_type.lower().startswith("multipart/form-data")
    body_limit = limit + (_FORM_BYTES if multipart else 0)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > body_limit:
        raise _too_large(limit)
    request = _limited(request, body_limit, limit)
    handle, name = tempfile.mkstemp(prefix="zhengzhao-gather-")
    path = pathlib.Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            if multipart:
                filename, media, mapping = await _receive_form(request, out, limit)
            else:
                async for piece in request.stream():
                    out.write(piece)
                filename, media, mapping = None, content_type, None
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, filename, media, mapping


def _too_large(limit: int) -> UploadTooLarge:
    size = f"{limit:,} bytes"
    if limit >= 1 << 20:
        size += f" ({limit / (1 << 20):,.0f} MiB)"
    return UploadTooLarge(
        f"the file is larger than the {size} this node takes in one upload; split"
        " it into files of fewer rows, or ask the node's operator to raise"
        " gathering_upload_bytes"
    )


def _limited(request: Request, body_limit: int, limit: int) -> Request:
    """``request``, whose body raises `UploadTooLarge` once more than
    ``body_limit`` bytes of it arrive (a body sent without a length, chunked)."""
    received = 0
    receive = request.receive

    async def counted() -> Any:
        nonlocal received
        message = await receive()
        if message.get("type") == "http.request":
            received += len(message.get("body", b""))
            if received > body_limit:
                raise _too_large(limit)
        return message

    return Request(request.scope, counted)


async def _receive_form(
    request: Request, out: Any, limit: int
) -> tuple[str | None, str | None, ColumnMapping | None]:
    try:
        form = await request.form()
    except ZhengzhaoError:
        raise
    except Exception as exc:  # the multipart parser's own errors, of several kinds
        raise InvalidRequest(f"the multipart body cannot be read: {exc}") from exc
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise InvalidRequest(
                "the multipart body needs the file in a part named `file`"
            )
        written = 0
        while piece := await upload.read(_READ_BYTES):
            written += len(piece)
            if written > limit:
                raise _too_large(limit)
            out.write(piece)
        given = form.get("mapping")
        if isinstance(given, UploadFile):
            given = (await given.read()).decode("utf-8", errors="replace")
        mapping = ColumnMapping.from_text(given, toml=False) if given else None
        return upload.filename, upload.content_type, mapping
    finally:
        await form.close()
