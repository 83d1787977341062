"""`zhengzhao gather`: summaries, exit status, and what a second file changes."""

import json
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from gathering.support import card_row, write_csv, write_jsonl, write_xlsx
from support.cli import invoke, write_config
from support.world import type_code
from zhengzhao.storage.tables import licenses

CARD = type_code("resident-identity-card")


@pytest.fixture
def gather(tmp_path, settings, world):
    config = write_config(tmp_path / "node.toml", settings)
    department = world.departments["psb_tianshan"].credit_code

    def run(path, *extra):
        result = invoke(
            *("--config", str(config), "gather", str(path), "--type", CARD),
            *("--department", department, "--json", *extra),
        )
        summary = json.loads(result.output) if result.exit_code in (0, 1) else None
        return result, summary

    return run


def current(node, paper_number):
    """Status and valid-until of the newest version with ``paper_number``."""
    with node.database.reading() as conn:
        rows = conn.execute(
            select(licenses.c.status, licenses.c.valid_until, licenses.c.version)
            .where(licenses.c.paper_number == paper_number)
            .order_by(licenses.c.id)
        ).all()
    return rows


def test_gather_all_valid_exits_zero_with_summary(gather, tmp_path):
    result, summary = gather(write_csv(tmp_path / "a.csv", [card_row(1), card_row(2)]))
    assert result.exit_code == 0
    assert summary["accepted"] == 2 and summary["rejected"] == 0
    assert summary["state"] == "finished" and not summary["alreadyFinished"]


def test_gather_with_rejected_rows_exits_one(gather, tmp_path):
    rows = [card_row(1), card_row(2, CZZT="")]
    result, summary = gather(write_csv(tmp_path / "a.csv", rows))
    assert result.exit_code == 1
    assert (summary["accepted"], summary["rejected"]) == (1, 1)


def test_gather_json_lines(gather, tmp_path):
    result, summary = gather(write_jsonl(tmp_path / "a.jsonl", [card_row(1)]))
    assert result.exit_code == 0 and summary["accepted"] == 1


def test_gather_missing_file_exits_two(gather, tmp_path):
    result, _ = gather(tmp_path / "absent.csv")
    assert result.exit_code == 2
    assert "no file" in result.output


def test_gather_unknown_type_exits_two(tmp_path, settings, world):
    config = write_config(tmp_path / "node.toml", settings)
    path = write_csv(tmp_path / "a.csv", [card_row(1)])
    result = invoke(
        *("--config", str(config), "gather", str(path), "--type", "X" * 21),
        *("--department", world.departments["psb_tianshan"].credit_code),
    )
    assert result.exit_code == 2
    assert "is not in the catalog" in result.output


def test_gather_with_mapping_file(gather, tmp_path):
    rows = [{("持证人" if k == "CZZT" else k): v for k, v in card_row(1).items()}]
    mapping = tmp_path / "mapping.toml"
    mapping.write_text('[columns]\n"持证人" = "CZZT"\n', encoding="utf-8")
    result, summary = gather(
        write_csv(tmp_path / "a.csv", rows), "--mapping", str(mapping)
    )
    assert result.exit_code == 0, result.output
    assert summary["accepted"] == 1


def test_regathered_unchanged_rows_are_no_ops(gather, tmp_path, node):
    gather(write_csv(tmp_path / "a.csv", [card_row(1), card_row(2)]))
    # A different file (another row added) with the same two licenses in it.
    rows = [card_row(1), card_row(2), card_row(3)]
    _, summary = gather(write_csv(tmp_path / "b.csv", rows))
    assert (summary["accepted"], summary["unchanged"], summary["updated"]) == (1, 2, 0)
    assert len(current(node, "P0000001")) == 1


def test_changed_field_becomes_a_correction(gather, tmp_path, node):
    gather(write_csv(tmp_path / "a.csv", [card_row(1)]))
    _, summary = gather(
        write_csv(tmp_path / "b.csv", [card_row(1, address="新疆乌鲁木齐市天山区1号")])
    )
    assert summary["updated"] == 1
    versions = current(node, "P0000001")
    assert [(row.status, row.version) for row in versions] == [
        ("superseded", 1),
        ("valid", 2),
    ]


def test_later_last_day_becomes_an_extension(gather, tmp_path, node):
    gather(write_csv(tmp_path / "a.csv", [card_row(1)]))
    _, summary = gather(
        write_csv(tmp_path / "b.csv", [card_row(1, ZZYXQJZRQ="2046-01-04")])
    )
    assert summary["updated"] == 1
    assert current(node, "P0000001")[-1].valid_until.isoformat() == "2046-01-04"


def test_status_column_change_records_the_event(gather, tmp_path, node):
    gather(write_csv(tmp_path / "a.csv", [card_row(1, ZZZT="01")]))
    _, summary = gather(write_csv(tmp_path / "b.csv", [card_row(1, ZZZT="7")]))
    assert summary["updated"] == 1
    assert current(node, "P0000001")[-1].status == "revoked"


def test_new_row_with_a_status_is_issued_in_that_status(gather, tmp_path, node):
    _, summary = gather(write_csv(tmp_path / "a.csv", [card_row(1, ZZZT="02")]))
    assert summary["accepted"] == 1
    assert current(node, "P0000001")[-1].status == "suspended"


def test_shorter_validity_is_rejected_with_a_reason(gather, tmp_path, world):
    gather(write_csv(tmp_path / "a.csv", [card_row(1)]))
    result, summary = gather(
        write_csv(tmp_path / "b.csv", [card_row(1, ZZYXQJZRQ="2030-01-04")])
    )
    assert result.exit_code == 1 and summary["rejected"] == 1
    report = world.http.get(
        f"/v1/gathering/batches/{summary['batch']}/rejections",
        headers=world.headers("psb_tianshan"),
    ).json()
    assert report["items"][0]["field"] == "ZZYXQJZRQ"
    assert (
        "is before the gathered license's last day 2036-01-04"
        in (report["items"][0]["reason"])
    )


def test_duplicate_paper_number_in_one_file_corrects_the_first(gather, tmp_path, node):
    rows = [card_row(1), card_row(1, CZZT="李四")]
    _, summary = gather(write_csv(tmp_path / "a.csv", rows))
    assert (summary["accepted"], summary["updated"]) == (1, 1)
    assert len(current(node, "P0000001")) == 2


def test_gather_excel_reads_date_cells_and_number_cells(gather, tmp_path, node):
    rows = [
        card_row(
            1,
            ZZBFRQ=date(2026, 1, 5),
            ZZYXQQSRQ=date(2026, 1, 5),
            ZZYXQJZRQ=date(2036, 1, 4),
        ),
        # A paper number typed into a number cell is read as its digits.
        card_row(2, ZZBH=20230000403),
    ]
    result, summary = gather(write_xlsx(tmp_path / "cards.xlsx", rows))
    assert result.exit_code == 0, result.output
    assert (summary["accepted"], summary["sheet"]) == (2, "Sheet1")
    assert current(node, "P0000001")[0].valid_until == date(2036, 1, 4)
    assert len(current(node, "20230000403")) == 1


def test_gather_excel_rejections_name_the_sheets_rows(gather, tmp_path, world):
    rows = [card_row(1), card_row(2, CZZTDM=650102199001011234), card_row(3, CZZT="")]
    result, summary = gather(write_xlsx(tmp_path / "cards.xlsx", rows))
    assert result.exit_code == 1
    report = world.http.get(
        f"/v1/gathering/batches/{summary['batch']}/rejections",
        headers=world.headers("psb_tianshan"),
    ).json()
    assert [(item["row"], item["field"]) for item in report["items"]] == [
        (3, "CZZTDM"),
        (4, "CZZT"),
    ]
    assert report["items"][0]["reason"].startswith(
        "CZZTDM is a number cell, and a spreadsheet keeps only 15 digits of a number"
    )
    assert "650102199001011" not in report["items"][0]["reason"]


def test_gather_each_sheet_of_a_workbook_is_its_own_batch(gather, tmp_path):
    path = write_xlsx(tmp_path / "two.xlsx", [card_row(1)], 第二批=[card_row(2)])
    _, first = gather(path)
    _, second = gather(path, "--sheet", "第二批")
    assert second["batch"] != first["batch"]
    assert (second["accepted"], second["sheet"]) == (1, "第二批")
    # Naming the first sheet finds the batch that read it by default.
    _, again = gather(path, "--sheet", "Sheet1")
    assert (again["batch"], again["alreadyFinished"]) == (first["batch"], True)


def test_gather_file_that_is_not_a_workbook_exits_two(gather, tmp_path):
    path = tmp_path / "cards.xlsx"
    path.write_text("ZZBH,CZZT\nA1,张三\n", encoding="utf-8")
    result, _ = gather(path)
    assert result.exit_code == 2
    assert "(unreadable-file)" in result.output
    assert "not an Excel workbook (.xlsx)" in result.output


def test_gather_sheet_named_for_a_csv_file_exits_two(gather, tmp_path):
    result, _ = gather(write_csv(tmp_path / "a.csv", [card_row(1)]), "--sheet", "x")
    assert result.exit_code == 2
    assert "a sheet is named only for an Excel workbook" in result.output


def test_paper_number_longer_than_the_library_holds_is_rejected(gather, tmp_path):
    rows = [card_row(1, ZZBH="P" * 65), card_row(2)]
    result, summary = gather(write_csv(tmp_path / "a.csv", rows))
    assert result.exit_code == 1
    assert (summary["accepted"], summary["rejected"]) == (1, 1)


@pytest.fixture
def report(tmp_path, settings):
    config = write_config(tmp_path / "report.toml", settings)

    def run(*args):
        return invoke("--config", str(config), "gather", "report", *args)

    return run


def test_report_writes_rejections_to_an_excel_workbook(gather, report, tmp_path):
    rows = [card_row(1), card_row(2, ZZYXQJZRQ="2036-02-30"), card_row(3, CZZT="")]
    _, summary = gather(write_csv(tmp_path / "a.csv", rows))
    out = tmp_path / "out" / "rejections.xlsx"
    out.parent.mkdir()
    result = report(str(summary["batch"]), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "2 problems of batch 1 written to" in result.output
    sheet = load_workbook(out)["rejections"]
    assert list(sheet.iter_rows(values_only=True)) == [
        ("row", "ZZBH", "field", "value", "reason"),
        (
            3,
            "P0000002",
            "ZZYXQJZRQ",
            "2036-02-30",
            "ZZYXQJZRQ 2036-02-30 is not a date (YYYY-MM-DD)",
        ),
        (4, "P0000003", "CZZT", None, "CZZT (holder name) is empty"),
    ]
    assert [path.name for path in out.parent.iterdir()] == ["rejections.xlsx"]


def test_report_writes_csv_by_extension_or_format(gather, report, tmp_path):
    _, summary = gather(write_csv(tmp_path / "a.csv", [card_row(1, CZZT="")]))
    out = tmp_path / "report.txt"
    result = report(str(summary["batch"]), "--out", str(out), "--format", "csv")
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8-sig").splitlines() == [
        "row,ZZBH,field,value,reason",
        "2,P0000001,CZZT,,CZZT (holder name) is empty",
    ]


def test_report_of_unknown_batch_exits_two_and_writes_nothing(report, tmp_path):
    out = tmp_path / "rejections.xlsx"
    result = report("99", "--out", str(out))
    assert result.exit_code == 2
    assert "(not-found)" in result.output and "no gathering batch 99" in result.output
    assert list(tmp_path.glob("*rejections*")) == []


def test_report_with_unknown_extension_exits_two(report, tmp_path):
    result = report("1", "--out", str(tmp_path / "rejections.pdf"))
    assert result.exit_code == 2
    assert "name the file .xlsx or .csv" in result.output


def test_gather_excel_with_mapping_file(gather, tmp_path):
    rows = [{("证照编号" if k == "ZZBH" else k): v for k, v in card_row(1).items()}]
    mapping = tmp_path / "mapping.json"
    mapping.write_text('{"证照编号": "ZZBH"}', encoding="utf-8")
    path = write_xlsx(tmp_path / "cards.xlsx", rows)
    result, summary = gather(path, "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    assert summary["accepted"] == 1
    unmapped, _ = gather(write_xlsx(tmp_path / "other.xlsx", rows))
    assert unmapped.exit_code == 2
    assert "column 证照编号 is neither" in unmapped.output


def test_gather_json_lines_python_cannot_read_rejects_them_and_goes_on(
    gather, tmp_path
):
    path = tmp_path / "a.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps(card_row(1), ensure_ascii=False),
                "[" * 200_000,
                '{"ZZBH": ' + "9" * 5000 + "}",
                json.dumps(card_row(2), ensure_ascii=False),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    result, summary = gather(path)
    assert result.exit_code == 1
    assert (summary["accepted"], summary["rejected"]) == (2, 2)
    assert summary["state"] == "finished"


def test_gather_workbook_damaged_after_its_header_exits_two(gather, tmp_path):
    good = write_xlsx(tmp_path / "good.xlsx", [card_row(n) for n in range(1, 60)])
    damaged = tmp_path / "damaged.xlsx"
    with (
        zipfile.ZipFile(good) as source,
        zipfile.ZipFile(damaged, "w") as target,
    ):
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]
            target.writestr(item, data)
    result, _ = gather(damaged)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "(unreadable-file): sheet Sheet1 cannot be read after row" in result.output
