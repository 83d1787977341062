"""Excel workbooks (.xlsx, ECMA-376 Office Open XML), read and written as streams.

Reading first checks the archive's directory against `limits` (what each part
decompresses to, and by how much), then parses the sheet's XML while it is
decompressed, one row at a time, with openpyxl's own sheet parser: each cell becomes
the text a CSV cell would hold (`cell_text`), so that a workbook's rows go through
exactly the checks of a CSV file's. Formulas are read as the value the spreadsheet
last computed. Only the rows the sheet holds are read: openpyxl's read-only sheet
would make an empty row of every row number missing before a row (twenty million of
them before a row numbered so), which no bound of the archive catches.

NOTE: a workbook saved by Excel keeps the text of its cells in one shared-strings
table, which openpyxl loads whole before the first row; memory then grows with the
number of distinct texts in the workbook, about a hundred bytes each, up to
`SHARED_STRINGS_BYTES` of XML. Workbooks written with inline strings (openpyxl, many
exporters) and CSV files have no such table and read in flat memory.

Writing uses write-only mode: rows go to a temporary file as they come, and the
workbook is assembled when it is saved. Its text cells are text, never formulas; a
CSV file has no such cells, so `inert_text` makes a text that a spreadsheet would
read as a formula read as text (OWASP's advice against CSV injection).
"""

from __future__ import annotations

import io
import math
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import IO, Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import WorkSheetParser
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from zhengzhao.errors import UnreadableFile

from .limits import (
    CELL_CHARS,
    MAX_COLUMNS,
    MAX_RATIO,
    MAX_ROWS,
    OTHER_PART_BYTES,
    RATIO_FLOOR_BYTES,
    SHARED_STRINGS_BYTES,
    SHEET_PART_BYTES,
    SHEET_RUN_BYTES,
)

__all__ = [
    "XLSX_MEDIA_TYPE",
    "InexactNumber",
    "SheetDateTime",
    "SheetRow",
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


class SheetDateTime(str):
    """The text (``YYYY-MM-DD HH:MM:SS``) of a date cell that also holds a time of
    day; where a date is wanted, it is read as its day."""

    __slots__ = ()

    @property
    def day(self) -> str:
        """The cell's date, ``YYYY-MM-DD``."""
        return self[:10]


@dataclass(frozen=True)
class SheetRow:
    """One row a sheet holds."""

    #: The row's number in the sheet.
    number: int
    #: The cells' texts from column A on; None for an empty cell.
    cells: list[str | None]
    #: Why the row cannot be read (beyond the sheet's last row or column, a cell
    #: too long), if it cannot.
    problem: str | None = None


def column_letter(index: int) -> str:
    """The column's letters (``A``, ``B`` … ``AA``) for a 0-based column index."""
    return str(get_column_letter(index + 1))


def sheet_cells(stream: IO[bytes], sheet: str | None) -> tuple[str, Iterator[SheetRow]]:
    """The title of sheet ``sheet`` (None: the first) and the rows it holds, in
    order, with their numbers in the sheet.

    Raises `UnreadableFile` for a file that is not a workbook, a part beyond the
    limits, a sheet it lacks, and while reading, for a damaged one.
    """
    _check_parts(stream)
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
    ``YYYY-MM-DD`` (a date at midnight too), a date with a time is a
    `SheetDateTime`, a boolean ``true`` or ``false``; a number beyond the digits a
    spreadsheet keeps is an `InexactNumber`.
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
        return SheetDateTime(value.replace(microsecond=0).isoformat(sep=" "))
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


def _not_a_workbook(exc: Exception) -> UnreadableFile:
    return UnreadableFile(
        "the file is not an Excel workbook (.xlsx) that can be read; save it from"
        " Excel as 'Excel Workbook (.xlsx)' (an old .xls file too) and send it"
        f" again ({type(exc).__name__}: {exc})"
    )


def _check_parts(stream: IO[bytes]) -> None:
    """Refuse a workbook with a part that decompresses beyond its limit, or by a
    ratio no workbook has, from the archive's directory, before any is read."""
    try:
        with zipfile.ZipFile(stream) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise _not_a_workbook(exc) from exc
    finally:
        stream.seek(0)
    for part in parts:
        _check_part(part)


def _check_part(part: zipfile.ZipInfo) -> None:
    name, size = part.filename, part.file_size
    lowered = name.lower()
    if lowered.endswith("sharedstrings.xml"):
        limit, what = (
            SHARED_STRINGS_BYTES,
            "its shared-strings table (the cells' texts)",
        )
        advice = "save the sheet as CSV UTF-8, or split the workbook"
    elif lowered.startswith("xl/worksheets/"):
        limit, what, advice = SHEET_PART_BYTES, f"sheet {name}", "split the workbook"
    elif lowered.endswith((".xml", ".rels")):
        limit, what = OTHER_PART_BYTES, f"part {name}"
        advice = "save the workbook again from Excel"
    else:
        limit, what, advice = size, f"part {name}", ""  # not read: only its ratio
    if size > limit:
        raise UnreadableFile(
            f"the workbook's {what} decompresses to {size:,} bytes, more than the"
            f" {limit:,} the node reads; {advice} and send it again"
        )
    if size > RATIO_FLOOR_BYTES and size > MAX_RATIO * max(part.compress_size, 1):
        raise UnreadableFile(
            f"part {name} of the workbook decompresses to {size:,} bytes from"
            f" {part.compress_size:,}, more than {MAX_RATIO} times its size: that is"
            " a decompression bomb, not a spreadsheet; save the workbook again from"
            " Excel and send it again"
        )


def _open(stream: IO[bytes]) -> Workbook:
    try:
        with warnings.catch_warnings():
            # openpyxl warns about parts it does not keep (data validation, styles);
            # only the cells' values matter here.
            warnings.simplefilter("ignore", UserWarning)
            return load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # zipfile's, XML parsers' and openpyxl's own errors
        raise _not_a_workbook(exc) from exc


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


def _rows(workbook: Workbook, worksheet: ReadOnlyWorksheet) -> Iterator[SheetRow]:
    title = str(worksheet.title)
    number = 0
    try:
        with _sheet_source(workbook, worksheet) as source:
            parser = _parser(workbook, worksheet, source)
            with warnings.catch_warnings():
                # A date cell out of range is read as an error value: its row is
                # rejected by the checks, which the warning would only repeat.
                warnings.simplefilter("ignore", UserWarning)
                for number, cells in parser.parse():
                    yield _sheet_row(number, cells)
    except UnreadableFile as exc:
        raise UnreadableFile(
            f"sheet {title} cannot be read after row {number}: {exc.message}"
        ) from exc
    except Exception as exc:  # a damaged archive or sheet, found while reading it
        raise UnreadableFile(
            f"sheet {title} cannot be read after row {number}: the workbook"
            f" is damaged ({type(exc).__name__}: {exc})"
        ) from exc
    finally:
        workbook.close()


def _sheet_source(workbook: Workbook, worksheet: ReadOnlyWorksheet) -> IO[bytes]:
    # openpyxl keeps the archive and the sheet's part name private; its read-only
    # sheet reads them as here.
    archive: zipfile.ZipFile = workbook._archive  # type: ignore[attr-defined]
    part: str = worksheet._worksheet_path  # type: ignore[attr-defined]
    return io.BufferedReader(_TagBounded(archive.open(part)))


def _parser(
    workbook: Workbook, worksheet: ReadOnlyWorksheet, source: IO[bytes]
) -> WorkSheetParser:
    # The arguments openpyxl's read-only sheet gives its parser (private to it).
    return WorkSheetParser(
        source,
        worksheet._shared_strings,  # type: ignore[attr-defined]
        data_only=True,
        epoch=workbook.epoch,
        date_formats=workbook._date_formats,  # type: ignore[attr-defined]
        timedelta_formats=workbook._timedelta_formats,  # type: ignore[attr-defined]
    )


def _sheet_row(number: int, cells: list[dict[str, Any]]) -> SheetRow:
    if number > MAX_ROWS:
        return SheetRow(
            number,
            [],
            f"row {number:,} is beyond the last row a sheet has ({MAX_ROWS:,}): the"
            " workbook was not written by a spreadsheet, or is damaged; save it again"
            " from Excel and send the row again",
        )
    texts: dict[int, str | None] = {}
    problems = []
    for cell in cells:
        column = int(cell["column"])
        if column > MAX_COLUMNS:
            problems.append(
                f"a cell in column {column:,} is beyond the last column a sheet has"
                f" ({MAX_COLUMNS:,}, XFD)"
            )
            continue
        text = cell_text(cell["value"])
        if text is not None and len(text) > CELL_CHARS:
            problems.append(
                f"cell {column_letter(column - 1)}{number} holds {len(text):,}"
                f" characters, more than the {CELL_CHARS:,} a cell may hold"
            )
            text = None
        texts[column] = text
    row = [texts.get(column) for column in range(1, max(texts, default=0) + 1)]
    problem = "; ".join(problems) + "; correct the row" if problems else None
    return SheetRow(number, row, problem)


class _TagBounded(io.RawIOBase):
    """A sheet's XML, refused (`UnreadableFile`) once more than `SHEET_RUN_BYTES`
    come between two tags: the XML parser would hold such a text whole."""

    def __init__(self, raw: IO[bytes]) -> None:
        self._raw = raw
        #: Bytes since the last ``<``.
        self._run = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._raw.read(len(buffer))
        runs = data.split(b"<")
        longest = self._run + len(runs[0])
        if len(runs) > 1:
            longest = max(longest, *(len(run) for run in runs[1:]))
            self._run = len(runs[-1])
        else:
            self._run = longest
        if longest > SHEET_RUN_BYTES:
            raise UnreadableFile(
                f"more than {SHEET_RUN_BYTES:,} bytes come between two tags of its"
                " XML, a text longer than any cell; the workbook was not written by"
                " a spreadsheet, or is damaged"
            )
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


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
