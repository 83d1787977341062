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

A row that cannot be read (a CSV cell longer than `CELL_CHARS`, a line that is not
JSON) is a `SourceRow` with a problem, and reading goes on with the next one. A CSV
reader that meets such a cell drops the rest of its line; a cell that runs on over
several lines (an opening quote never closed) can take the lines after it with it,
and the rows they held are not read.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

from zhengzhao.errors import UnreadableFile

from .workbook import XLSX_MEDIA_TYPE, column_letter, sheet_cells

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
#: The longest CSV cell read, in characters: over 250 times the longest text a seed
#: type allows (4,000), and still a size one row may hold in memory. Python's csv
#: module stops at 131,072 by default.
CELL_CHARS = 1 << 20


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

    def apply(self, values: dict[str, Any]) -> dict[str, Any]:
        renamed: dict[str, Any] = {}
        for column, value in values.items():
            name = self.columns.get(column, column)
            if name:
                renamed[name] = value
        return renamed

    def rename(self, column: str) -> str:
        return self.columns.get(column, column)


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


def _csv_reader(text: io.TextIOWrapper) -> Iterator[list[str]]:
    # The csv module's limit is one for the whole process: raised here, never lowered.
    if csv.field_size_limit() < CELL_CHARS:
        csv.field_size_limit(CELL_CHARS)
    return csv.reader(text)


def csv_header(stream: IO[bytes]) -> list[str]:
    """The header row of a CSV file; raises `UnreadableFile` when there is none."""
    text = _text(stream)
    try:
        header = next(_csv_reader(text), None)
    except csv.Error as exc:
        raise UnreadableFile(f"row 1 is not CSV: {exc}") from exc
    finally:
        text.detach()
    if not header or not any(cell.strip() for cell in header):
        raise UnreadableFile("the CSV file has no header row naming its columns")
    return [cell.strip() for cell in header]


def sheet_header(stream: IO[bytes], sheet: str | None) -> tuple[str, list[str]]:
    """The name of the workbook's sheet ``sheet`` (None: the first) and its header.

    The header is the sheet's first row with anything in it. Raises `UnreadableFile`
    for a file that is not a workbook, a sheet it lacks, or a sheet without a header.
    """
    title, cells = sheet_cells(stream, sheet)
    for _, row in cells:
        if any(cell is not None for cell in row):
            return title, _sheet_names(row)
    raise UnreadableFile(f"sheet {title} has no header row naming its columns")


def read_rows(
    stream: IO[bytes],
    *,
    format: SourceFormat,
    mapping: ColumnMapping | None = None,
    sheet: str | None = None,
) -> Iterator[SourceRow]:
    """The file's rows in order, renamed through ``mapping``; ``sheet`` names the
    sheet of a workbook to read (None: the first)."""
    rows = (
        _csv_rows(stream)
        if format is SourceFormat.CSV
        else _jsonl_rows(stream)
        if format is SourceFormat.JSONL
        else _sheet_rows(stream, sheet)
    )
    mapping = mapping or ColumnMapping()
    for row in rows:
        yield SourceRow(
            number=row.number, values=mapping.apply(row.values), problem=row.problem
        )


def _csv_rows(stream: IO[bytes]) -> Iterator[SourceRow]:
    reader = _csv_reader(_text(stream))
    try:
        header = [cell.strip() for cell in next(reader)]
    except StopIteration:
        return
    number = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            number += 1
            yield SourceRow(number=number, values={}, problem=_unreadable_row(exc))
            continue
        number += 1
        if not any(cell.strip() for cell in cells):
            continue
        problem = None
        if len(cells) != len(header):
            problem = (
                f"the row has {len(cells)} cells and the header {len(header)}; a cell"
                " with a comma or a line break must be quoted"
            )
        values = {
            name: cell.strip()
            for name, cell in zip(header, cells, strict=False)
            if cell.strip()
        }
        yield SourceRow(number=number, values=values, problem=problem)


def _unreadable_row(error: csv.Error) -> str:
    if "field larger than field limit" in str(error):
        return (
            f"a cell of the row is longer than {CELL_CHARS:,} characters, which no"
            " license field is; look for a quote that opens a cell and is never"
            " closed, and send the row again"
        )
    return f"the row cannot be read as CSV ({error}); correct it and send it again"


def _jsonl_rows(stream: IO[bytes]) -> Iterator[SourceRow]:
    for number, line in enumerate(_text(stream), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield SourceRow(
                number=number, values={}, problem=f"the line is not JSON: {exc.msg}"
            )
            continue
        if not isinstance(value, dict):
            yield SourceRow(
                number=number, values={}, problem="the line is not a JSON object"
            )
            continue
        values = {
            str(key): item for key, item in value.items() if item not in (None, "")
        }
        yield SourceRow(number=number, values=values)


def _sheet_names(row: list[str | None]) -> list[str]:
    """A header row's column names; a column without a name is ``""``."""
    names = [(cell or "").strip() for cell in row]
    while names and not names[-1]:
        names.pop()
    return names


def _sheet_rows(stream: IO[bytes], sheet: str | None) -> Iterator[SourceRow]:
    _, cells = sheet_cells(stream, sheet)
    header: list[str] | None = None
    for number, row in cells:
        if all(cell is None for cell in row):
            continue
        if header is None:
            header = _sheet_names(row)
            continue
        values: dict[str, Any] = {}
        unnamed = []
        for index, cell in enumerate(row):
            if cell is None:
                continue
            if index < len(header) and header[index]:
                values[header[index]] = cell
            else:
                unnamed.append(f"{column_letter(index)}{number}")
        problem = None
        if unnamed:
            many = len(unnamed) > 1
            problem = (
                f"cell{'s' if many else ''} {', '.join(unnamed)}"
                f" {'have' if many else 'has'} a value but no column name in the"
                " header row; name the column or clear the cells"
            )
        yield SourceRow(number=number, values=values, problem=problem)
