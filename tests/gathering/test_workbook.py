"""Excel workbooks: rows as the sheet numbers them, cells as text, damaged files."""

import io
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from zhengzhao.errors import UnreadableFile
from zhengzhao.gathering.reader import SourceFormat, read_rows, sheet_header
from zhengzhao.gathering.workbook import (
    InexactNumber,
    cell_text,
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
