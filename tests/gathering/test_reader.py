"""Reading gathering files: row numbers, mappings, encodings and shapes."""

import io

import pytest

from zhengzhao.errors import UnreadableFile
from zhengzhao.gathering import reader
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


def test_csv_unclosed_quote_rejects_its_row_naming_the_lines_it_swallowed():
    lines = [f"A{n},张三" for n in range(1, 101)]
    lines[3] = 'A4,"张三'  # row 5 (line 5) opens a quote that is never closed
    found = rows("ZZBH,CZZT\n" + "\n".join(lines) + "\n")
    assert [row.number for row in found] == [2, 3, 4, 5]
    assert found[3].values["ZZBH"] == "A4"
    assert found[3].problem == (
        "a quote opened in this row on line 5 is never closed on its line: lines 5"
        " to 101 were read as this one row, so the 96 lines after line 5 were not"
        ' read as rows; close the quote (a quote inside a cell is written twice, "")'
        " and send these rows again"
    )


def test_csv_quote_closed_lines_later_names_the_lines_and_reading_goes_on():
    # The quote closes before 王五, and the row it made has the header's three
    # cells: the whole lines inside one of them show what it swallowed.
    text = 'ZZBH,CZZT,CZZTDM\nA1,"张三,1\nA2,李四,2\nA3,"王五",3\nA4,赵六,4\n'
    found = rows(text)
    assert [(row.number, row.problem is None) for row in found] == [
        (2, False),
        (3, True),
    ]
    assert found[0].problem.startswith(
        "a quote opened in this row on line 2 is never closed on its line: lines 2"
        " to 4 were read as this one row, so the 2 lines after line 2 were not read"
        " as rows"
    )
    assert found[1].values == {"ZZBH": "A4", "CZZT": "赵六", "CZZTDM": "4"}


def test_csv_cell_in_quotes_over_several_lines_is_one_row():
    (row,) = rows('ZZBH,address\nA1,"解放南路\n100号"\n')
    assert row.problem is None and row.values["address"] == "解放南路\n100号"


def test_csv_cell_over_the_limit_from_an_unclosed_quote_names_its_lines():
    body = "\n".join(f"A{n},{'x' * 1000}" for n in range(2, 1200))
    found = rows(f'ZZBH,CZZT\nA1,"open\n{body}\n')
    assert found[0].number == 2
    assert found[0].problem.startswith(
        "a cell of the row is longer than 1,048,576 characters, which no license"
        " field is; look for a quote that opens a cell and is never closed: lines 2"
        " to "
    )
    assert "lines after line 2 were not read as rows" in found[0].problem


def test_csv_header_with_an_unclosed_quote_is_refused():
    stream = io.BytesIO('ZZBH,"CZZT\nA1,张三\n'.encode())
    with pytest.raises(UnreadableFile) as refused:
        csv_header(stream)
    assert refused.value.message == (
        "a quote opened in the header row (line 1) is not closed on its line: lines"
        " 1 to 2 were read as the header; close the quote and send the file again"
    )


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (
            "[" * 200_000,
            "the line nests arrays or objects too deeply to be read; a license is"
            " one object of names and values",
        ),
        (
            '{"ZZBH": ' + "9" * 5000 + "}",
            "a number on the line has more than 4,300 digits, which no license value"
            " has; correct it and send the line again",
        ),
    ],
    ids=["nested", "long-number"],
)
def test_jsonl_line_python_cannot_read_is_a_row_problem(line, problem):
    found = rows(f'{{"ZZBH": "A1"}}\n{line}\n{{"ZZBH": "A3"}}\n', SourceFormat.JSONL)
    assert [(row.number, row.problem) for row in found] == [
        (1, None),
        (2, problem),
        (3, None),
    ]


def test_jsonl_line_longer_than_the_limit_is_a_row_problem_and_skipped(monkeypatch):
    monkeypatch.setattr(reader, "_LINE_BYTES", 4000)
    monkeypatch.setattr(reader, "LINE_CHARS", 1000)
    long = '{"ZZBH": "' + "x" * 10_000 + '"}'
    wide = '{"ZZBH": "' + "新" * 1100 + '"}'
    found = rows(f'{long}\n{wide}\n{{"ZZBH": "A3"}}\n', SourceFormat.JSONL)
    assert [(row.number, row.values) for row in found] == [
        (1, {}),
        (2, {}),
        (3, {"ZZBH": "A3"}),
    ]
    assert found[0].problem == (
        "the line is 10,013 bytes long, longer than the 1,000 characters a line may"
        " hold, which no license needs; correct it and send it again"
    )
    assert found[1].problem.startswith("the line is 3,313 bytes long")


def test_jsonl_line_that_is_not_utf8_is_a_row_problem():
    content = b'{"ZZBH": "A1"}\n{"CZZT": "' + "张三".encode("gbk") + b'"}\n'
    found = list(read_rows(io.BytesIO(content), format=SourceFormat.JSONL))
    assert [row.number for row in found] == [1, 2]
    assert found[1].problem == (
        "the line is not UTF-8 text (its byte 11 is not); save the file as UTF-8 and"
        " send the line again"
    )


def test_jsonl_byte_order_mark_is_dropped():
    (row,) = list(
        read_rows(
            io.BytesIO(b'\xef\xbb\xbf{"ZZBH": "A1"}\n'), format=SourceFormat.JSONL
        )
    )
    assert row.problem is None and row.values == {"ZZBH": "A1"}


@pytest.mark.parametrize(
    ("header", "mapping", "message"),
    [
        (
            ["ZZBH", "CZZT", "CZZT"],
            {},
            "column 2 (CZZT) and column 3 (CZZT) both give CZZT",
        ),
        (
            ["CZZT", "ZZBH", "别名"],
            {"别名": "CZZT"},
            "column 1 (CZZT) and column 3 (别名 (mapped to CZZT)) both give CZZT",
        ),
        (
            ["姓名", "ZZBH", "别名"],
            {"姓名": "CZZT", "别名": "CZZT"},
            "column 1 (姓名 (mapped to CZZT)) and column 3 (别名 (mapped to CZZT))"
            " both give CZZT",
        ),
    ],
    ids=["same-header", "header-and-mapping", "two-mapped"],
)
def test_two_columns_giving_one_field_are_refused(header, mapping, message):
    with pytest.raises(UnreadableFile) as refused:
        ColumnMapping(mapping).rename_header(header)
    assert refused.value.message == (
        f"{message}, and a field is read from one column; remove one of them, or"
        ' map it to an empty name ("") to ignore it'
    )


def test_two_columns_giving_one_field_refuse_a_csv_before_any_row():
    with pytest.raises(UnreadableFile, match=r"column 2 \(CZZT\) and column 3"):
        rows("ZZBH,CZZT,CZZT\nA1,张三,李四\n")


def test_sheet_columns_giving_one_field_are_named_by_letter():
    with pytest.raises(UnreadableFile, match=r"^column A \(ZZBH\) and column C"):
        ColumnMapping({"编号": "ZZBH"}).rename_header(
            ["ZZBH", "CZZT", "编号"], letters=True
        )


def test_jsonl_keys_giving_one_field_reject_the_line():
    mapping = ColumnMapping({"别名": "CZZT"})
    found = rows(
        '{"ZZBH": "A1", "CZZT": "张三", "别名": "李四"}\n'
        '{"ZZBH": "A2", "别名": "王五"}\n',
        SourceFormat.JSONL,
        mapping=mapping,
    )
    assert found[0].problem == (
        "keys CZZT and 别名 (mapped to CZZT) both give CZZT, and a field is read from"
        " one key: send one of them"
    )
    assert (found[1].problem, found[1].values) == (
        None,
        {"ZZBH": "A2", "CZZT": "王五"},
    )
