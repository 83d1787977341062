"""Excel workbooks: rows as the sheet numbers them, cells as text, damaged files."""

import io
import time
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from zhengzhao.errors import UnreadableFile
from zhengzhao.gathering import workbook
from zhengzhao.gathering.reader import SourceFormat, read_rows, sheet_header
from zhengzhao.gathering.workbook import (
    InexactNumber,
    SheetDateTime,
    cell_text,
    column_letter,
    inert_text,
    write_workbook,
)


def workbook_bytes(*sheets: tuple[str, list[list[object]]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        worksheet = workbook.create_sheet(title)
        for number, row in enumerate(rows, start=1):
            for column, value in enumerate(row, start=1):
                if value is not None:
                    worksheet.cell(row=number, column=column, value=value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def rows(content: bytes, sheet=None):
    return list(read_rows(io.BytesIO(content), format=SourceFormat.XLSX, sheet=sheet))


def test_sheet_rows_keep_the_sheets_row_numbers():
    content = workbook_bytes(
        ("cards", [[None], ["ZZBH", "CZZT"], ["A1", "张三"], [None], ["A2", "李四"]])
    )
    found = rows(content)
    # The header is the first row with anything in it; empty rows are skipped.
    assert [(row.number, row.values) for row in found] == [
        (3, {"ZZBH": "A1", "CZZT": "张三"}),
        (5, {"ZZBH": "A2", "CZZT": "李四"}),
    ]


def test_cells_read_as_the_text_a_csv_would_hold():
    content = workbook_bytes(
        (
            "cards",
            [
                ["ZZBH", "ZZBFRQ", "n", "t", "b", "s"],
                [
                    20230000403,
                    date(2026, 1, 5),
                    3.0,
                    datetime(2026, 1, 5, 9, 30),
                    True,
                    " x ",
                ],
                [12.5, datetime(2026, 1, 5), 0.1, None, False, "=1+2"],
            ],
        )
    )
    first, second = rows(content)
    assert first.values == {
        "ZZBH": "20230000403",
        "ZZBFRQ": "2026-01-05",
        "n": "3",
        "t": "2026-01-05 09:30:00",
        "b": "true",
        "s": "x",
    }
    # openpyxl writes "=1+2" as a formula with no computed value: an empty cell.
    assert second.values == {
        "ZZBH": "12.5",
        "ZZBFRQ": "2026-01-05",
        "n": "0.1",
        "b": "false",
    }


def test_number_beyond_fifteen_digits_is_inexact():
    value = cell_text(650102199001011234.0)
    assert isinstance(value, InexactNumber)
    assert value == "6.50102199001011e+17"
    assert not isinstance(cell_text(650102199001011), InexactNumber)
    assert cell_text(650102199001011234) == "650102199001011234"  # an exact integer


def test_named_sheet_is_read_and_a_missing_one_refused():
    content = workbook_bytes(
        ("first", [["ZZBH"], ["A1"]]), ("营业执照", [["ZZBH"], ["B1"]])
    )
    assert [row.values["ZZBH"] for row in rows(content, sheet="营业执照")] == ["B1"]
    assert sheet_header(io.BytesIO(content), None) == ("first", ["ZZBH"])
    with pytest.raises(
        UnreadableFile, match="no sheet 'cards'; its sheets: first, 营业执照"
    ):
        sheet_header(io.BytesIO(content), "cards")


def test_value_under_a_column_without_a_name_is_a_row_problem():
    content = workbook_bytes(
        ("cards", [["ZZBH", None, "CZZT"], ["A1", "x", "张三", "y"]])
    )
    (row,) = rows(content)
    assert row.values == {"ZZBH": "A1", "CZZT": "张三"}
    assert row.problem == (
        "cells B2, D2 have a value but no column name in the header row; name the"
        " column or clear the cells"
    )


def test_sheet_without_header_is_refused():
    content = workbook_bytes(("empty", []))
    with pytest.raises(UnreadableFile, match="sheet empty has no header row"):
        sheet_header(io.BytesIO(content), None)


@pytest.mark.parametrize(
    "content",
    [
        "ZZBH,CZZT\nA1,张三\n".encode(),
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),  # an old .xls (OLE2) file
        b"PK\x05\x06" + bytes(18),  # an empty zip archive
    ],
    ids=["csv-text", "old-xls", "empty-zip"],
)
def test_file_that_is_not_a_workbook_is_refused(content):
    with pytest.raises(UnreadableFile, match=r"not an Excel workbook \(\.xlsx\)"):
        sheet_header(io.BytesIO(content), None)


def test_damaged_sheet_is_refused_while_reading():
    good = workbook_bytes(("cards", [["ZZBH"], *[[f"A{n}"] for n in range(50)]]))
    damaged = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(good)) as source,
        zipfile.ZipFile(damaged, "w") as target,
    ):
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]  # the sheet's XML cut off halfway
            target.writestr(item, data)
    with pytest.raises(UnreadableFile, match="sheet cards cannot be read after row"):
        rows(damaged.getvalue())


def test_written_workbook_keeps_text_as_text(tmp_path):
    path = tmp_path / "report.xlsx"
    with path.open("wb") as out:
        write_workbook(
            out,
            title="未通过",
            header=["row", "reason"],
            widths=[8, 40],
            rows=[[2, '=HYPERLINK("http://x")'], [3, "bell\x07"], [4, None]],
        )
    workbook = load_workbook(path)
    sheet = workbook["未通过"]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.bold
    assert list(sheet.iter_rows(values_only=True)) == [
        ("row", "reason"),
        (2, '=HYPERLINK("http://x")'),
        (3, "bell\\x07"),
        (4, None),
    ]
    with zipfile.ZipFile(path) as archive:
        assert "<f>" not in archive.read("xl/worksheets/sheet1.xml").decode()


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+86 991 000", "'+86 991 000"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("张三", "张三"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_inert_text_makes_formula_like_text_text(text, written):
    assert inert_text(text) == written


def with_sheet_xml(content: bytes, sheet_data: str) -> bytes:
    """``content`` with its first sheet's rows replaced by ``sheet_data`` (the XML
    inside ``<sheetData>``), as a writer other than a spreadsheet may make it."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                start = text.index("<sheetData>") + len("<sheetData>")
                end = text.index("</sheetData>")
                data = (text[:start] + sheet_data + text[end:]).encode()
            target.writestr(item.filename, data)
    return out.getvalue()


def inline_row(number: int, *cells: str) -> str:
    return (
        f'<row r="{number}">'
        + "".join(
            f'<c r="{column_letter(index)}{number}" t="inlineStr">'
            f"<is><t>{text}</t></is></c>"
            for index, text in enumerate(cells)
        )
        + "</row>"
    )


def test_row_beyond_the_last_row_of_a_sheet_is_rejected_without_the_rows_between():
    content = with_sheet_xml(
        workbook_bytes(("cards", [["x"]])),
        inline_row(1, "ZZBH", "CZZT")
        + inline_row(2, "A1", "张三")
        + inline_row(20_000_000, "A2", "李四")
        + inline_row(20_000_001, "A3", "王五"),
    )
    started = time.process_time()
    found = rows(content)
    # openpyxl's read-only sheet would make twenty million empty rows first.
    assert time.process_time() - started < 5
    assert [(row.number, row.values) for row in found] == [
        (2, {"ZZBH": "A1", "CZZT": "张三"}),
        (20_000_000, {}),
        (20_000_001, {}),
    ]
    assert found[1].problem == (
        "row 20,000,000 is beyond the last row a sheet has (1,048,576): the workbook"
        " was not written by a spreadsheet, or is damaged; save it again from Excel"
        " and send the row again"
    )


def test_header_beyond_the_last_row_of_a_sheet_is_refused():
    content = with_sheet_xml(
        workbook_bytes(("cards", [["x"]])), inline_row(20_000_000, "ZZBH")
    )
    with pytest.raises(UnreadableFile) as refused:
        sheet_header(io.BytesIO(content), None)
    assert refused.value.message == (
        "sheet cards has no header row: its first row is numbered 20,000,000, beyond"
        " the last row a sheet has (1,048,576); save the workbook again from Excel"
        " and send it again"
    )


def test_cell_longer_than_the_limit_rejects_its_row(monkeypatch):
    monkeypatch.setattr(workbook, "CELL_CHARS", 100)
    content = workbook_bytes(
        ("cards", [["ZZBH", "CZZT"], ["A1", "张" * 101], ["A2", "李四"]])
    )
    found = rows(content)
    # The row keeps its other cells: its ZZBH names it in the report.
    assert [(row.number, row.values) for row in found] == [
        (2, {"ZZBH": "A1"}),
        (3, {"ZZBH": "A2", "CZZT": "李四"}),
    ]
    assert found[0].problem == (
        "cell B2 holds 101 characters, more than the 100 a cell may hold; correct"
        " the row"
    )


def test_cell_beyond_the_last_column_rejects_its_row():
    content = with_sheet_xml(
        workbook_bytes(("cards", [["x"]])),
        inline_row(1, "ZZBH")
        + '<row r="2"><c r="A2" t="inlineStr"><is><t>A1</t></is></c>'
        '<c r="ZZZ2" t="inlineStr"><is><t>x</t></is></c></row>',
    )
    (row,) = rows(content)
    assert row.problem == (
        "a cell in column 18,278 is beyond the last column a sheet has (16,384,"
        " XFD); correct the row"
    )


def test_text_longer_than_any_cell_stops_reading_the_sheet(monkeypatch):
    monkeypatch.setattr(workbook, "SHEET_RUN_BYTES", 1000)
    content = with_sheet_xml(
        workbook_bytes(("cards", [["x"]])),
        inline_row(1, "ZZBH")
        + "".join(inline_row(n, f"A{n}") for n in range(2, 2000))
        + inline_row(2000, "x" * 5000),
    )
    found = []
    with pytest.raises(UnreadableFile) as refused:
        found.extend(read_rows(io.BytesIO(content), format=SourceFormat.XLSX))
    # The parser reads ahead of the rows it gave: the row named is the last given.
    assert refused.value.message == (
        f"sheet cards cannot be read after row {found[-1].number}: more than 1,000"
        " bytes come between two tags of its XML, a text longer than any cell; the"
        " workbook was not written by a spreadsheet, or is damaged"
    )
    assert 1000 < found[-1].number < 2000


def bomb(content: bytes, part: str, size: int) -> bytes:
    """``content`` with ``part`` replaced by ``size`` bytes that compress to
    almost nothing."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for item in source.infolist():
            if item.filename != part:
                target.writestr(item.filename, source.read(item))
        target.writestr(part, b" " * size)
    return out.getvalue()


def test_workbook_part_compressed_like_a_bomb_is_refused_before_it_is_read():
    content = bomb(
        workbook_bytes(("cards", [["ZZBH"], ["A1"]])), "xl/sharedStrings.xml", 50 << 20
    )
    with pytest.raises(UnreadableFile) as refused:
        sheet_header(io.BytesIO(content), None)
    assert refused.value.message.startswith(
        "part xl/sharedStrings.xml of the workbook decompresses to 52,428,800 bytes"
        " from "
    )
    assert refused.value.message.endswith(
        ", more than 100 times its size: that is a decompression bomb, not a"
        " spreadsheet; save the workbook again from Excel and send it again"
    )


@pytest.mark.parametrize(
    ("part", "limit", "what", "advice"),
    [
        (
            "xl/sharedStrings.xml",
            "SHARED_STRINGS_BYTES",
            "its shared-strings table (the cells' texts)",
            "save the sheet as CSV UTF-8, or split the workbook",
        ),
        (
            "xl/worksheets/sheet1.xml",
            "SHEET_PART_BYTES",
            "sheet xl/worksheets/sheet1.xml",
            "split the workbook",
        ),
        (
            "xl/styles.xml",
            "OTHER_PART_BYTES",
            "part xl/styles.xml",
            "save the workbook again from Excel",
        ),
    ],
)
def test_workbook_part_beyond_its_limit_is_refused(
    monkeypatch, part, limit, what, advice
):
    # Above the other parts of a small workbook (its theme is 10,140 bytes).
    monkeypatch.setattr(workbook, limit, 15_000)
    content = bomb(workbook_bytes(("cards", [["ZZBH"], ["A1"]])), part, 20_000)
    with pytest.raises(UnreadableFile) as refused:
        sheet_header(io.BytesIO(content), None)
    assert refused.value.message == (
        f"the workbook's {what} decompresses to 20,000 bytes, more than the 15,000"
        f" the node reads; {advice} and send it again"
    )


def test_date_cell_with_a_time_is_a_sheet_datetime():
    value = cell_text(datetime(2026, 1, 20, 10, 0))
    assert isinstance(value, SheetDateTime)
    assert (value, value.day) == ("2026-01-20 10:00:00", "2026-01-20")
    assert cell_text(datetime(2026, 1, 20)) == "2026-01-20"
