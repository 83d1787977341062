"""A batch's rejected rows as a file a clerk opens: CSV or an Excel workbook.

Both are written a page of rows at a time, so that memory stays flat for a batch
of millions of rejections, and both read the rows through `batch_rejections`, so
that the API and the command line obey the same rules: a department reads its own
batches, operators and auditors every batch.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import IO

from zhengzhao.errors import InvalidRequest
from zhengzhao.model.parties import Principal
from zhengzhao.node import Node
from zhengzhao.storage.gathering import StoredRejection

from .service import batch_rejections
from .workbook import XLSX_MEDIA_TYPE, inert_text, write_workbook

__all__ = ["HEADER", "ReportFormat", "csv_report", "rejection_pages", "write_report"]

#: The report's columns, in the API's words, and the row's paper number by its
#: GB/T 36903 name, by which a clerk finds the row in the department's system.
HEADER = ("row", "ZZBH", "field", "value", "reason")
#: Column widths in the workbook, in characters.
_WIDTHS = (8, 16, 16, 24, 100)


class ReportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"

    @property
    def media_type(self) -> str:
        return (
            "text/csv; charset=utf-8" if self is ReportFormat.CSV else XLSX_MEDIA_TYPE
        )

    @classmethod
    def of_path(cls, path: Path) -> ReportFormat:
        """The format a file name's extension names; raises `InvalidRequest`."""
        suffix = path.suffix.lower().removeprefix(".")
        try:
            return cls(suffix)
        except ValueError:
            raise InvalidRequest(
                f"cannot tell the report format from {path.name}: name the file .xlsx"
                " or .csv, or give --format"
            ) from None


def rejection_pages(
    node: Node, *, principal: Principal, batch_id: int
) -> Iterator[list[StoredRejection]]:
    """Batch ``batch_id``'s rejected rows in row order, a page (one read) at a time.

    Raises `NotFound` or `PermissionDenied` at the first page.
    """
    after = 0
    while True:
        with node.database.reading() as conn:
            page = batch_rejections(
                conn, principal=principal, batch_id=batch_id, after_id=after
            )
        if not page:
            return
        yield page
        after = page[-1].id


def csv_report(pages: Iterator[list[StoredRejection]]) -> Iterator[bytes]:
    """The report as CSV, UTF-8 with the byte-order mark Excel needs to read it as
    UTF-8, one piece per page; a text that a spreadsheet would take for a formula
    starts with ``'`` (`inert_text`)."""
    buffer = io.StringIO()
    csv.writer(buffer).writerow(HEADER)
    yield ("\ufeff" + buffer.getvalue()).encode()
    for page in pages:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        for item in page:
            writer.writerow(_csv_line(item))
        yield buffer.getvalue().encode()


def write_report(
    node: Node,
    *,
    principal: Principal,
    batch_id: int,
    format: ReportFormat,
    out: IO[bytes],
) -> int:
    """Write batch ``batch_id``'s report to ``out``; the number of problems written.

    Raises `NotFound` or `PermissionDenied` before anything is written.
    """
    pages = rejection_pages(node, principal=principal, batch_id=batch_id)
    first = next(pages, [])
    written = 0

    def counted() -> Iterator[list[StoredRejection]]:
        nonlocal written
        for page in itertools.chain((first,), pages):
            written += len(page)
            yield page

    if format is ReportFormat.CSV:
        for piece in csv_report(counted()):
            out.write(piece)
    else:
        write_workbook(
            out,
            title="rejections",
            header=HEADER,
            widths=_WIDTHS,
            rows=(_line(item) for page in counted() for item in page),
        )
    return written


def _line(item: StoredRejection) -> tuple[int, str, str, str, str]:
    return (
        item.row_number,
        item.paper_number or "",
        item.field or "",
        item.value or "",
        item.reason,
    )


def _csv_line(item: StoredRejection) -> tuple[int, str, str, str, str]:
    """A line of the CSV report: values from a department's file may read as
    formulas in a spreadsheet, and are made inert."""
    number, *texts = _line(item)
    paper, field, value, reason = (inert_text(text) for text in texts)
    return (number, paper, field, value, reason)
