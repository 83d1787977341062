"""Reading a gathering file as a stream of rows: CSV or JSON Lines (UTF-8), or an
Excel workbook.

Nothing here holds more than one row at a time, so that a file of millions of rows
reads in flat memory. A CSV file or a workbook's sheet has a header row naming its
columns by GB/T 36903 metadata names (``ZZBH``, ``CZZT`` …) and the type's field names;
a declared `ColumnMapping` renames other headers to those. A JSON Lines file has one
object per line with the same keys.

Rows are numbered as a clerk finds them: in a CSV file the header is row 1, so the
first license is row 2; in a sheet the number is the sheet's own row number; in a JSON
Lines file the number is the line's.

A row that cannot be read is a `SourceRow` with a problem, and reading goes on with
the next one: a CSV row with another number of cells than the header, or with a cell
longer than `CELL_CHARS`; a quote that opens a cell and is never closed on its line,
which swallows the lines after it into one row (the problem names the lines, so that
none is lost unseen); a JSON Lines line that is not one JSON object, for whatever
reason (not JSON, nested too deep, a number too long, longer than `LINE_CHARS`, not
UTF-8); a sheet's row beyond the last row a spreadsheet has.

Two columns that give the same name, by their headers or through the mapping, refuse
the file before any row is read (`ColumnMapping.rename_header`); in JSON Lines, where
each line has its own keys, they reject the line.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, Protocol

from zhengzhao.errors import UnreadableFile

from .limits import CELL_CHARS, LINE_CHARS, MAX_ROWS
from .workbook import XLSX_MEDIA_TYPE, SheetRow, column_letter, sheet_cells

__all__ = [
    "CELL_CHARS",
    "ColumnMapping",
    "FileFacts",
    "SourceFormat",
    "SourceRow",
    "csv_header",
    "examine",
    "read_rows",
    "sheet_header",
]

#: How much of a file is read at a time while hashing it.
_BLOCK = 1 << 20
#: The most bytes of a JSON Lines line read at once: `LINE_CHARS` characters take
#: at most four bytes each in UTF-8.
_LINE_BYTES = 4 * LINE_CHARS


class SourceFormat(StrEnum):
    CSV = "csv"
    JSONL = "jsonl"
    XLSX = "xlsx"

    @property
    def is_text(self) -> bool:
        """Whether files of the format are UTF-8 text (a workbook is a zip archive)."""
        return self is not SourceFormat.XLSX

    @classmethod
    def detect(cls, *, filename: str | None, content_type: str | None) -> SourceFormat:
        """The format a file name's extension or a media type names."""
        media = (content_type or "").split(";")[0].strip().lower()
        if media in ("text/csv", "application/csv"):
            return cls.CSV
        if media in ("application/jsonl", "application/x-ndjson"):
            return cls.JSONL
        if media == XLSX_MEDIA_TYPE:
            return cls.XLSX
        suffix = Path(filename or "").suffix.lower()
        if suffix == ".csv":
            return cls.CSV
        if suffix in (".jsonl", ".ndjson"):
            return cls.JSONL
        if suffix == ".xlsx":
            return cls.XLSX
        advice = (
            "; an old Excel .xls file must be saved as Excel Workbook (.xlsx) first"
            if suffix == ".xls" or media == "application/vnd.ms-excel"
            else ""
        )
        raise UnreadableFile(
            f"cannot tell the format of {filename or 'the file'}"
            f"{f' ({media})' if media else ''}: name it .csv, .jsonl or .xlsx, or send"
            f" it as text/csv, application/jsonl or {XLSX_MEDIA_TYPE}{advice}"
        )


@dataclass(frozen=True, kw_only=True)
class SourceRow:
    """One row of a file, before any check."""

    #: The row's number as a clerk finds it (see the module docstring).
    number: int
    #: Field or metadata name → the value as the file has it; empty cells left out.
    values: dict[str, Any]
    #: A problem with the row's shape (cells missing, not a JSON object), if any.
    problem: str | None = None


@dataclass(frozen=True)
class ColumnMapping:
    """File column → field or metadata name; a column mapped to ``""`` is ignored.

    Columns the mapping does not name keep their names.
    """

    columns: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_json(cls, value: Any) -> ColumnMapping:
        """From ``{"columns": {...}}`` or a bare ``{...}``; raises `UnreadableFile`."""
        if isinstance(value, dict) and isinstance(value.get("columns"), dict):
            value = value["columns"]
        if not isinstance(value, dict) or not all(
            isinstance(key, str) and isinstance(name, str)
            for key, name in value.items()
        ):
            raise UnreadableFile(
                "a column mapping is an object of file column → field name, e.g."
                ' {"证照编号": "ZZBH", "持证人": "CZZT"}'
            )
        return cls(columns=dict(value))

    @classmethod
    def from_text(cls, text: str, *, toml: bool) -> ColumnMapping:
        try:
            value = tomllib.loads(text) if toml else json.loads(text)
        except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
            kind = "TOML" if toml else "JSON"
            raise UnreadableFile(
                f"the column mapping is not valid {kind}: {exc}"
            ) from exc
        return cls.from_json(value)

    @classmethod
    def from_file(cls, path: Path) -> ColumnMapping:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise UnreadableFile(
                f"cannot read the column mapping {path}: {exc}"
            ) from exc
        return cls.from_text(text, toml=path.suffix.lower() == ".toml")

    def rename(self, column: str) -> str:
        return self.columns.get(column, column)

    def rename_header(
        self, header: Sequence[str], *, letters: bool = False
    ) -> list[str]:
        """The names the columns of ``header`` give, in order (``""``: ignored).

        Raises `UnreadableFile` naming two columns that give the same name, by
        their headers or through the mapping: a field is read from one column.
        Columns are named by number, or with ``letters`` as a sheet names them.
        """
        names = [self.rename(column) for column in header]
        first: dict[str, int] = {}
        for index, name in enumerate(names):
            if not name:
                continue
            if name in first:
                columns = [
                    self._column(header, at, letters=letters)
                    for at in (first[name], index)
                ]
                raise UnreadableFile(
                    f"{columns[0]} and {columns[1]} both give {name}, and a field is"
                    " read from one column; remove one of them, or map it to an"
                    ' empty name ("") to ignore it'
                )
            first[name] = index
        return names

    def apply(self, values: Mapping[str, Any]) -> tuple[dict[str, Any], str | None]:
        """A JSON Lines row's ``values`` renamed, and the problem when two of its
        keys give the same name (None when none do)."""
        renamed: dict[str, Any] = {}
        keys: dict[str, str] = {}
        clashes = []
        for key, value in values.items():
            name = self.rename(key)
            if not name:
                continue
            if name in keys:
                clashes.append(
                    f"keys {self._key(keys[name])} and {self._key(key)} both give"
                    f" {name}"
                )
                continue
            renamed[name] = value
            keys[name] = key
        if not clashes:
            return renamed, None
        return renamed, (
            f"{'; '.join(clashes)}, and a field is read from one key: send one of them"
        )

    def _key(self, key: str) -> str:
        name = self.rename(key)
        return key if name == key else f"{key} (mapped to {name})"

    def _column(self, header: Sequence[str], index: int, *, letters: bool) -> str:
        position = column_letter(index) if letters else str(index + 1)
        return f"column {position} ({self._key(header[index])})"


@dataclass(frozen=True, kw_only=True)
class FileFacts:
    """What identifies a file's content."""

    sha256: str
    size: int


def examine(stream: IO[bytes], *, text: bool = True) -> FileFacts:
    """Hash ``stream`` to its end and, with ``text``, check that it is UTF-8.

    Raises `UnreadableFile` at the first byte that is not UTF-8, before any row is
    gathered, and for an empty file.
    """
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    size = 0
    while block := stream.read(_BLOCK):
        digest.update(block)
        if text:
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                raise _not_utf8(size + exc.start) from exc
        size += len(block)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        raise _not_utf8(size) from exc
    if size == 0:
        raise UnreadableFile("the file is empty")
    return FileFacts(sha256=digest.hexdigest(), size=size)


def _not_utf8(offset: int) -> UnreadableFile:
    return UnreadableFile(
        f"the file is not UTF-8 text (byte {offset} is not); save it as UTF-8 (in"
        " Excel: 'CSV UTF-8') and send it again"
    )


def _text(stream: IO[bytes]) -> io.TextIOWrapper:
    # `utf-8-sig` drops the byte-order mark that Excel writes at the start of a CSV.
    return io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")


class _Lines(Protocol):
    """A csv reader: rows, and how many lines it has read."""

    line_num: int

    def __next__(self) -> list[str]: ...


def _csv_reader(text: io.TextIOWrapper) -> _Lines:
    # The csv module's limit is one for the whole process: raised here, never lowered.
    if csv.field_size_limit() < CELL_CHARS:
        csv.field_size_limit(CELL_CHARS)
    return csv.reader(text)


def _header(reader: _Lines) -> list[str]:
    """The header row; raises `UnreadableFile` when there is none, or it cannot be
    read, or a quote in it swallows the lines after it."""
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise UnreadableFile(f"row 1 is not CSV: {exc}") from exc
    if not header or not any(cell.strip() for cell in header):
        raise UnreadableFile("the CSV file has no header row naming its columns")
    if reader.line_num > 1:
        raise UnreadableFile(
            f"a quote opened in the header row (line 1) is not closed on its line:"
            f" lines 1 to {reader.line_num} were read as the header; close the quote"
            " and send the file again"
        )
    return [cell.strip() for cell in header]


def csv_header(stream: IO[bytes]) -> list[str]:
    """The header row of a CSV file; raises `UnreadableFile` when there is none."""
    text = _text(stream)
    try:
        return _header(_csv_reader(text))
    finally:
        text.detach()


def sheet_header(stream: IO[bytes], sheet: str | None) -> tuple[str, list[str]]:
    """The name of the workbook's sheet ``sheet`` (None: the first) and its header.

    The header is the sheet's first row with anything in it. Raises `UnreadableFile`
    for a file that is not a workbook, a sheet it lacks, or a sheet without a header.
    """
    title, rows = sheet_cells(stream, sheet)
    for row in rows:
        if row.problem is None and all(cell is None for cell in row.cells):
            continue
        return title, _sheet_header(title, row)
    raise UnreadableFile(f"sheet {title} has no header row naming its columns")


def _sheet_header(title: str, row: SheetRow) -> list[str]:
    if row.number > MAX_ROWS:
        raise UnreadableFile(
            f"sheet {title} has no header row: its first row is numbered"
            f" {row.number:,}, beyond the last row a sheet has ({MAX_ROWS:,}); save"
            " the workbook again from Excel and send it again"
        )
    if row.problem is not None:
        raise UnreadableFile(f"the header row of sheet {title}: {row.problem}")
    return _sheet_names(row.cells)


def read_rows(
    stream: IO[bytes],
    *,
    format: SourceFormat,
    mapping: ColumnMapping | None = None,
    sheet: str | None = None,
) -> Iterator[SourceRow]:
    """The file's rows in order, renamed through ``mapping``; ``sheet`` names the
    sheet of a workbook to read (None: the first). Raises `UnreadableFile` for a
    header that cannot be read (see `csv_header`, `sheet_header`), and while
    reading, for a damaged workbook or a file that cannot be read any further."""
    mapping = mapping or ColumnMapping()
    if format is SourceFormat.CSV:
        rows = _csv_rows(stream, mapping)
    elif format is SourceFormat.JSONL:
        rows = _jsonl_rows(stream, mapping)
    else:
        rows = _sheet_rows(stream, sheet, mapping)
    try:
        yield from rows
    except (OSError, UnicodeDecodeError) as exc:
        # The file changed since it was examined, or its disk failed.
        raise UnreadableFile(f"the file cannot be read any further: {exc}") from exc


def _csv_rows(stream: IO[bytes], mapping: ColumnMapping) -> Iterator[SourceRow]:
    reader = _csv_reader(_text(stream))
    header = _header(reader)
    names = mapping.rename_header(header)
    number = 1
    while True:
        first = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            number += 1
            unread = _unreadable_row(exc, first, reader.line_num)
            yield SourceRow(number=number, values={}, problem=unread)
            continue
        number += 1
        if not any(cell.strip() for cell in cells):
            continue
        problem: str | None = None
        if len(cells) != len(header) or _holds_rows(cells, len(header)):
            problem = _cells_counted(len(cells), len(header), first, reader.line_num)
        values = {
            name: cell.strip()
            for name, cell in zip(names, cells, strict=False)
            if name and cell.strip()
        }
        yield SourceRow(number=number, values=values, problem=problem)


def _holds_rows(cells: list[str], width: int) -> bool:
    """Whether a cell holds whole lines that read as rows of ``width`` cells: what
    a quote never closed on its line swallows, whether or not the cells of the row
    it made happen to number as many as the header's."""
    for cell in cells:
        lines = cell.split("\n")
        # The first and last lines are the ends of the lines the quote opened and
        # closed on; those between are whole lines of the file.
        if any(line.count(",") == width - 1 for line in lines[1:-1]):
            return True
    return False


def _cells_counted(cells: int, header: int, first: int, last: int) -> str:
    if last == first:
        return (
            f"the row has {cells} cells and the header {header}; a cell with a comma"
            " or a line break must be quoted"
        )
    counted = f" of {cells} cells (the header has {header})" if cells != header else ""
    return (
        f"a quote opened in this row on line {first} is never closed on its line:"
        f" lines {first} to {last} were read as this one row{counted}, so the"
        f" {last - first:,} lines after line {first} were not read as rows; close"
        ' the quote (a quote inside a cell is written twice, "") and send these rows'
        " again"
    )


def _unreadable_row(error: csv.Error, first: int, last: int) -> str:
    if "field larger than field limit" not in str(error):
        return (
            f"the row on line {first} cannot be read as CSV ({error}); correct it and"
            " send it again"
        )
    found = (
        f"a cell of the row is longer than {CELL_CHARS:,} characters, which no"
        " license field is; look for a quote that opens a cell and is never closed"
    )
    if last == first:
        return f"{found}, and send the row again"
    return (
        f"{found}: lines {first} to {last} were read into it, so the"
        f" {last - first:,} lines after line {first} were not read as rows; send"
        " these rows again"
    )


class _LongNumber(ValueError):
    """A JSON number with more digits than `_NUMBER_DIGITS`."""


#: The most digits of a JSON integer read (Python's own limit for turning text into
#: an int); no license value comes near.
_NUMBER_DIGITS = 4300


def _whole_number(text: str) -> int:
    if len(text) > _NUMBER_DIGITS:
        raise _LongNumber(text)
    return int(text)


def _jsonl_rows(stream: IO[bytes], mapping: ColumnMapping) -> Iterator[SourceRow]:
    number = 0
    while line := stream.readline(_LINE_BYTES + 1):
        number += 1
        if number == 1:
            line = line.removeprefix(codecs.BOM_UTF8)
        if len(line) > _LINE_BYTES and not line.endswith(b"\n"):
            length = len(line) + _skip_line(stream)
            yield SourceRow(number=number, values={}, problem=_long_line(length))
            continue
        row = _jsonl_row(number, line, mapping)
        if row is not None:
            yield row


def _skip_line(stream: IO[bytes]) -> int:
    """Read to the end of the line; how many bytes that was."""
    skipped = 0
    while piece := stream.readline(_BLOCK):
        skipped += len(piece)
        if piece.endswith(b"\n"):
            break
    return skipped


def _long_line(length: int) -> str:
    return (
        f"the line is {length:,} bytes long, longer than the {LINE_CHARS:,}"
        " characters a line may hold, which no license needs; correct it and send"
        " it again"
    )


def _jsonl_row(number: int, line: bytes, mapping: ColumnMapping) -> SourceRow | None:
    """The row of one line; None for a blank line."""
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        problem = (
            f"the line is not UTF-8 text (its byte {exc.start + 1} is not); save the"
            " file as UTF-8 and send the line again"
        )
        return SourceRow(number=number, values={}, problem=problem)
    if not text.strip():
        return None
    if len(text) > LINE_CHARS:
        return SourceRow(number=number, values={}, problem=_long_line(len(line)))
    value, unread = _json_object(text)
    if value is None:
        return SourceRow(number=number, values={}, problem=unread)
    values, clash = mapping.apply(
        {str(key): item for key, item in value.items() if item not in (None, "")}
    )
    return SourceRow(number=number, values=values, problem=clash)


def _json_object(text: str) -> tuple[dict[str, Any] | None, str | None]:
    """The line's object, or None and why it is none."""
    try:
        value = json.loads(text, parse_int=_whole_number)
    except json.JSONDecodeError as exc:
        return None, f"the line is not JSON: {exc.msg}"
    except RecursionError:
        return None, (
            "the line nests arrays or objects too deeply to be read; a license is"
            " one object of names and values"
        )
    except _LongNumber:
        return None, (
            f"a number on the line has more than {_NUMBER_DIGITS:,} digits, which no"
            " license value has; correct it and send the line again"
        )
    if not isinstance(value, dict):
        return None, "the line is not a JSON object"
    return value, None


def _sheet_names(row: list[str | None]) -> list[str]:
    """A header row's column names; a column without a name is ``""``."""
    names = [(cell or "").strip() for cell in row]
    while names and not names[-1]:
        names.pop()
    return names


def _sheet_rows(
    stream: IO[bytes], sheet: str | None, mapping: ColumnMapping
) -> Iterator[SourceRow]:
    title, rows = sheet_cells(stream, sheet)
    header: list[str] | None = None
    names: list[str] = []
    for row in rows:
        if header is None:
            if row.problem is None and all(cell is None for cell in row.cells):
                continue
            header = _sheet_header(title, row)
            names = mapping.rename_header(header, letters=True)
            continue
        if row.problem is not None or any(cell is not None for cell in row.cells):
            yield _sheet_row(row, header, names)


def _sheet_row(row: SheetRow, header: list[str], names: list[str]) -> SourceRow:
    """The row's values by name; its problem is the sheet's (a cell too long, a row
    beyond the last), or cells with a value under no column name. A row with a
    problem keeps its other values, so that its report names its ZZBH."""
    values: dict[str, Any] = {}
    unnamed = []
    for index, cell in enumerate(row.cells):
        if cell is None:
            continue
        if index >= len(header) or not header[index]:
            unnamed.append(f"{column_letter(index)}{row.number}")
        elif names[index]:
            values[names[index]] = cell
    problem = row.problem
    if problem is None and unnamed:
        many = len(unnamed) > 1
        problem = (
            f"cell{'s' if many else ''} {', '.join(unnamed)}"
            f" {'have' if many else 'has'} a value but no column name in the"
            " header row; name the column or clear the cells"
        )
    return SourceRow(number=row.number, values=values, problem=problem)
