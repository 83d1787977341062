"""Reading gathering files: row numbers, mappings, encodings and shapes."""

import io

import pytest

from zhengzhao.errors import UnreadableFile
from zhengzhao.gathering.reader import (
    CELL_CHARS,
    ColumnMapping,
    SourceFormat,
    csv_header,
    examine,
    read_rows,
)


def rows(text: str, format=SourceFormat.CSV, mapping=None):
    stream = io.BytesIO(text.encode("utf-8"))
    return list(read_rows(stream, format=format, mapping=mapping))


def test_csv_rows_are_numbered_with_the_header_as_row_one():
    found = rows('\ufeffZZBH,CZZT\nA1,张三\n\nA2,"李,四"\n')
    assert [(row.number, row.values) for row in found] == [
        (2, {"ZZBH": "A1", "CZZT": "张三"}),
        (4, {"ZZBH": "A2", "CZZT": "李,四"}),
    ]


def test_csv_row_with_a_stray_comma_names_the_problem():
    (row,) = rows("ZZBH,CZZT\nA1,张,三\n")
    assert row.problem is not None and "3 cells and the header 2" in row.problem


def test_csv_cell_longer_than_the_limit_rejects_its_row_and_reading_goes_on():
    huge = "x" * (CELL_CHARS + 1)
    found = rows(f"ZZBH,CZZT\nA1,张三\nA2,{huge}\nA3,李四\n")
    assert [(row.number, row.values) for row in found] == [
        (2, {"ZZBH": "A1", "CZZT": "张三"}),
        (3, {}),
        (4, {"ZZBH": "A3", "CZZT": "李四"}),
    ]
    assert found[1].problem == (
        "a cell of the row is longer than 1,048,576 characters, which no license"
        " field is; look for a quote that opens a cell and is never closed, and send"
        " the row again"
    )


def test_csv_cell_longer_than_the_modules_default_limit_is_read():
    # Python's csv module stops at 131,072 characters unless told otherwise.
    (row,) = rows(f"ZZBH,CZZT\nA1,{'x' * 200_000}\n")
    assert row.problem is None and len(row.values["CZZT"]) == 200_000


def test_csv_header_too_long_to_read_is_refused_before_any_row():
    stream = io.BytesIO(f"ZZBH,{'x' * (CELL_CHARS + 1)}\nA1,x\n".encode())
    with pytest.raises(UnreadableFile, match="row 1 is not CSV"):
        csv_header(stream)


def test_jsonl_line_that_is_not_json_is_a_row_problem():
    found = rows('{"ZZBH": "A1"}\n{oops\n[1]\n', format=SourceFormat.JSONL)
    assert [row.number for row in found] == [1, 2, 3]
    assert found[1].problem.startswith("the line is not JSON")
    assert found[2].problem == "the line is not a JSON object"


def test_mapping_renames_and_drops_columns():
    mapping = ColumnMapping.from_text(
        '{"columns": {"编号": "ZZBH", "备注": ""}}', toml=False
    )
    (row,) = rows("编号,备注,CZZT\nA1,x,张三\n", mapping=mapping)
    assert row.values == {"ZZBH": "A1", "CZZT": "张三"}


def test_mapping_that_is_not_names_is_refused():
    with pytest.raises(UnreadableFile, match="file column → field name"):
        ColumnMapping.from_text('{"编号": 3}', toml=False)


def test_examine_hashes_and_refuses_bytes_that_are_not_utf8():
    facts = examine(io.BytesIO(b"ZZBH\n"))
    assert facts.size == 5 and len(facts.sha256) == 64
    with pytest.raises(UnreadableFile, match="byte 5 is not"):
        examine(io.BytesIO("ZZBH\n张三".encode("gb18030")))


@pytest.mark.parametrize(
    ("name", "media", "expected"),
    [
        ("a.csv", None, SourceFormat.CSV),
        ("a.jsonl", None, SourceFormat.JSONL),
        (None, "text/csv; charset=utf-8", SourceFormat.CSV),
        ("upload", "application/x-ndjson", SourceFormat.JSONL),
        ("a.XLSX", None, SourceFormat.XLSX),
        (
            None,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            SourceFormat.XLSX,
        ),
    ],
)
def test_format_is_detected_from_name_or_media_type(name, media, expected):
    assert SourceFormat.detect(filename=name, content_type=media) is expected


def test_unknown_format_is_refused():
    with pytest.raises(UnreadableFile, match=r"name it \.csv, \.jsonl or \.xlsx"):
        SourceFormat.detect(filename="a.txt", content_type=None)


def test_old_excel_file_is_refused_with_advice():
    with pytest.raises(UnreadableFile, match=r"saved as Excel Workbook \(\.xlsx\)"):
        SourceFormat.detect(filename="cards.xls", content_type=None)
