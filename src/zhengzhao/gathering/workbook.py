"""Excel workbooks (.xlsx, ECMA-376 Office Open XML), read and written as streams.

Reading uses openpyxl's read-only mode: a sheet's XML is parsed while it is
decompressed, one row at a time, and each cell becomes the text a CSV cell would hold
(`cell_text`), so that a workbook's rows go through exactly the checks of a CSV
file's. Formulas are read as the value the spreadsheet last computed.

NOTE: a workbook saved by Excel keeps the text of its cells in one shared-strings
table, which openpyxl loads whole before the first row; memory then grows with the
number of distinct texts in the workbook, about a hundred bytes each. Workbooks
written with inline strings (openpyxl, many exporters) and CSV files have no such
table and read in flat memory.

Writing uses write-only mode: rows go to a temporary file as they come, and the
workbook is assembled when it is saved. Its text cells are text, never formulas; a
CSV file has no such cells, so `inert_text` makes a text that a spreadsheet would
read as a formula read as text (OWASP's advice against CSV injection).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time
from typing import IO, Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from zhengzhao.errors import UnreadableFile

__all__ = [
    "XLSX_MEDIA_TYPE",
    "InexactNumber",
    "cell_text",
    "column_letter",
    "inert_text",
    "sheet_cells",
    "write_workbook",
]

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: A spreadsheet keeps 15 significant decimal digits of a number (Excel's
#: specifications and limits: "number precision: 15 digits").
NUMBER_DIGITS = 15
_INEXACT = 10.0**NUMBER_DIGITS


class InexactNumber(str):
    """The text of a number cell with more digits than a spreadsheet keeps: most
    often an identity number typed into a cell formatted as a number, whose last
    digits are gone."""

    __slots__ = ()


def column_letter(index: int) -> str:
    """The column's letters (``A``, ``B`` … ``AA``) for a 0-based column index."""
    return str(get_column_letter(index + 1))


def sheet_cells(
    stream: IO[bytes], sheet: str | None
) -> tuple[str, Iterator[tuple[int, list[str | None]]]]:
    """The title of sheet ``sheet`` (None: the first) and its rows as cell texts.

    Each row comes with its number in the sheet; empty rows come too, as lists of
    None, so that the numbers stay the sheet's. Raises `UnreadableFile` for a file
    that is not a workbook or lacks the sheet, and while reading, for a damaged one.
    """
    workbook = _open(stream)
    try:
        worksheet = _worksheet(workbook, sheet)
    except UnreadableFile:
        workbook.close()
        raise
    return str(worksheet.title), _rows(workbook, worksheet)


def cell_text(value: Any) -> str | None:
    """A cell's value as the text a CSV file would hold; None for an empty cell.

    A whole number loses the ``.0`` a spreadsheet stores it with, a date reads
    ``YYYY-MM-DD``, a date with a time ``YYYY-MM-DD HH:MM:SS``, a boolean ``true``
    or ``false``; a number beyond the digits a spreadsheet keeps is an
    `InexactNumber`.
    """
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


#: What a spreadsheet takes a cell starting with for a formula (or, for tab and
#: carriage return, what it skips before looking).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert_text(text: str) -> str:
    """``text`` for a CSV cell: one that a spreadsheet would run as a formula
    (``=HYPERLINK(…)``, ``+1``, ``@SUM(…)``) is given a leading ``'``, which makes
    it text."""
    return f"'{text}" if text.startswith(_FORMULA_STARTS) else text


def write_workbook(
    out: IO[bytes],
    *,
    title: str,
    header: Sequence[str],
    widths: Sequence[int],
    rows: Iterable[Sequence[str | int | None]],
) -> None:
    """Write one sheet of ``rows`` under a bold, frozen ``header`` to ``out``.

    Every text is written as text, never as a formula, and characters a workbook
    cannot hold (control characters) are written as ``\\xNN``.
    """
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title)
    for index, width in enumerate(widths):
        worksheet.column_dimensions[column_letter(index)].width = width
    worksheet.freeze_panes = "A2"
    bold = Font(bold=True)
    worksheet.append([_cell(worksheet, name, font=bold) for name in header])
    for row in rows:
        worksheet.append([_cell(worksheet, value) for value in row])
    workbook.save(out)


def _open(stream: IO[bytes]) -> Workbook:
    try:
        with warnings.catch_warnings():
            # openpyxl warns about parts it does not keep (data validation, styles);
            # only the cells' values matter here.
            warnings.simplefilter("ignore", UserWarning)
            return load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # zipfile's, XML parsers' and openpyxl's own errors
        raise UnreadableFile(
            "the file is not an Excel workbook (.xlsx) that can be read; save it from"
            " Excel as 'Excel Workbook (.xlsx)' (an old .xls file too) and send it"
            f" again ({type(exc).__name__}: {exc})"
        ) from exc


def _worksheet(workbook: Workbook, sheet: str | None) -> ReadOnlyWorksheet:
    sheets = workbook.worksheets
    if sheet is None:
        if not sheets:
            raise UnreadableFile("the workbook has no worksheet")
        found: ReadOnlyWorksheet = sheets[0]
        return found
    for candidate in sheets:
        if candidate.title == sheet:
            return candidate
    names = ", ".join(str(candidate.title) for candidate in sheets)
    raise UnreadableFile(f"the workbook has no sheet {sheet!r}; its sheets: {names}")


def _rows(
    workbook: Workbook, worksheet: ReadOnlyWorksheet
) -> Iterator[tuple[int, list[str | None]]]:
    # The size a workbook states for a sheet may be wrong (some writers state none
    # or only A1); without it every row the sheet holds is read.
    worksheet.reset_dimensions()
    number = 0
    try:
        # openpyxl's stubs type `iter_rows` for `Worksheet`, which lends it to
        # `ReadOnlyWorksheet`.
        rows = worksheet.iter_rows(values_only=True)  # type: ignore[misc]
        for number, row in enumerate(rows, start=1):
            yield number, [cell_text(value) for value in row]
    except Exception as exc:  # a damaged archive or sheet, found while reading it
        raise UnreadableFile(
            f"sheet {worksheet.title} cannot be read after row {number}: the workbook"
            f" is damaged ({type(exc).__name__}: {exc})"
        ) from exc
    finally:
        workbook.close()


def _number_text(value: float) -> str:
    if not math.isfinite(value):
        return str(value)
    if abs(value) >= _INEXACT:
        return InexactNumber(f"{value:.{NUMBER_DIGITS}g}")
    if value.is_integer():
        return str(int(value))
    return f"{value:.{NUMBER_DIGITS}g}"


def _cell(
    worksheet: WriteOnlyWorksheet, value: str | int | None, *, font: Font | None = None
) -> Cell:
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
    cell = WriteOnlyCell(worksheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # a text such as "=1+2" stays text, not a formula
    if font is not None:
        cell.font = font
    return cell
