"""The gathering API: submit a file, read the batch and its rejections; who may."""

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from gathering.support import card_row, write_csv, write_xlsx
from support.world import type_code

CARD = type_code("resident-identity-card")
BATCHES = "/v1/gathering/batches"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_bytes(tmp_path, rows) -> bytes:
    return write_csv(tmp_path / "upload.csv", rows).read_bytes()


def upload(world, who, content: bytes, *, name="cards.csv", **params):
    return world.http.post(
        BATCHES,
        params={"type": CARD, **params},
        files={"file": (name, content, "text/csv")},
        headers=world.headers(who),
    )


def test_submit_multipart_gathers_rows_and_reports_rejections(world, tmp_path):
    rows = [card_row(1), card_row(2), card_row(3, ZZYXQJZRQ="2024-02-30")]
    response = upload(world, "psb_tianshan", csv_bytes(tmp_path, rows))
    assert response.status_code == 202, response.text
    batch = response.json()
    assert response.headers["Location"] == f"{BATCHES}/{batch['id']}"

    found = world.http.get(
        f"{BATCHES}/{batch['id']}", headers=world.headers("psb_tianshan")
    ).json()
    assert found["state"] == "finished"
    assert found["counts"] == {
        "rows": 3,
        "accepted": 2,
        "unchanged": 0,
        "updated": 0,
        "rejected": 1,
    }
    report = world.http.get(
        f"{BATCHES}/{batch['id']}/rejections", headers=world.headers("psb_tianshan")
    ).json()
    assert report["items"] == [
        {
            "row": 4,
            "paperNumber": "P0000003",
            "field": "ZZYXQJZRQ",
            "value": "2024-02-30",
            "reason": "ZZYXQJZRQ 2024-02-30 is not a date (YYYY-MM-DD)",
        }
    ]


@pytest.mark.parametrize(
    ("length", "reason"),
    [
        # Read, and refused by the schema: no field is that long.
        (200_000, "is longer than 120 characters"),
        # Not read at all: the row is refused for its shape, the rest gathered.
        (2_000_000, "a cell of the row is longer than 1,048,576 characters"),
    ],
)
def test_submit_csv_with_an_overlong_cell_rejects_that_row_only(
    world, tmp_path, length, reason
):
    rows = [card_row(n) for n in (1, 2, 3, 4)]
    rows[2]["address"] = "新" * length
    response = upload(world, "psb_tianshan", csv_bytes(tmp_path, rows))
    assert response.status_code == 202, response.text
    found = world.http.get(
        f"{BATCHES}/{response.json()['id']}", headers=world.headers("psb_tianshan")
    ).json()
    assert found["state"] == "finished"
    assert (found["counts"]["rows"], found["counts"]["accepted"]) == (4, 3)
    report = world.http.get(
        f"{BATCHES}/{found['id']}/rejections", headers=world.headers("psb_tianshan")
    ).json()
    ((problem),) = report["items"]
    assert problem["row"] == 4 and reason in problem["reason"]
    # A report shows a part of a long value: enough to find the row by.
    assert len(problem["reason"]) <= 1000 and len(problem["value"] or "") <= 200


def test_rejections_download_as_csv_with_a_byte_order_mark(world, tmp_path):
    rows = [card_row(1, sex="X"), card_row(2, CZZTDM="650102199001011230")]
    batch = upload(world, "psb_tianshan", csv_bytes(tmp_path, rows)).json()
    response = world.http.get(
        f"{BATCHES}/{batch['id']}/rejections",
        params={"format": "csv"},
        headers=world.headers("psb_tianshan"),
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert lines[0] == ["row", "ZZBH", "field", "value", "reason"]
    assert lines[1] == ["2", "P0000001", "sex", "X", "sex: 'X' is not one of 男, 女"]
    assert lines[2][:4] == ["3", "P0000002", "CZZTDM", "6501**********1230"]
    assert "check character is 0, expected 9" in lines[2][4]


def test_rejections_download_as_csv_writes_formulas_as_text(world, tmp_path):
    rows = [card_row(1, ZZBFRQ='=HYPERLINK("http://x","y")'), card_row(2, sex="@x")]
    batch = upload(world, "psb_tianshan", csv_bytes(tmp_path, rows)).json()
    as_json = world.http.get(
        f"{BATCHES}/{batch['id']}/rejections", headers=world.headers("psb_tianshan")
    ).json()["items"]
    assert as_json[0]["value"] == '=HYPERLINK("http://x","y")'
    text = world.http.get(
        f"{BATCHES}/{batch['id']}/rejections",
        params={"format": "csv"},
        headers=world.headers("psb_tianshan"),
    ).content.decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[1][3] == '\'=HYPERLINK("http://x","y")'
    assert [line[3] for line in lines[1:]].count("'@x") == 1
    assert not any(
        cell.startswith(("=", "+", "-", "@")) for line in lines for cell in line
    )


def test_rejections_download_as_excel_workbook(world, tmp_path):
    rows = [card_row(1, sex="X"), card_row(2), card_row(3, CZZTDM="650102199001011230")]
    batch = upload(world, "psb_tianshan", csv_bytes(tmp_path, rows)).json()
    response = world.http.get(
        f"{BATCHES}/{batch['id']}/rejections",
        params={"format": "xlsx"},
        headers=world.headers("psb_tianshan"),
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX
    assert (
        f"batch-{batch['id']}-rejections.xlsx"
        in (response.headers["content-disposition"])
    )
    sheet = load_workbook(io.BytesIO(response.content))["rejections"]
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[0] == ("row", "ZZBH", "field", "value", "reason")
    assert lines[1] == (2, "P0000001", "sex", "X", "sex: 'X' is not one of 男, 女")
    assert lines[2][:4] == (4, "P0000003", "CZZTDM", "6501**********1230")
    assert len(lines) == 3


def test_rejections_download_is_refused_to_another_department(world, tmp_path):
    batch = upload(world, "psb_tianshan", csv_bytes(tmp_path, [card_row(1)])).json()
    for report_format in ("csv", "xlsx"):
        response = world.http.get(
            f"{BATCHES}/{batch['id']}/rejections",
            params={"format": report_format},
            headers=world.headers("psb_shayibake"),
        )
        assert response.status_code == 403
        assert response.json()["code"] == "permission-denied"
    verifier = world.http.get(
        f"{BATCHES}/{batch['id']}/rejections",
        params={"format": "xlsx"},
        headers=world.headers("verifier"),
    )
    assert verifier.status_code == 403


def test_submit_raw_json_lines_body(world):
    body = "".join(
        json.dumps(card_row(n), ensure_ascii=False) + "\n" for n in (1, 2)
    ).encode()
    response = world.http.post(
        BATCHES,
        params={"type": CARD},
        content=body,
        headers=world.headers("psb_tianshan", **{"Content-Type": "application/jsonl"}),
    )
    assert response.status_code == 202, response.text
    assert response.json()["format"] == "jsonl"
    listed = world.http.get(BATCHES, headers=world.headers("psb_tianshan")).json()
    assert [item["counts"]["accepted"] for item in listed["items"]] == [2]


def test_submit_excel_workbook_as_multipart_and_as_raw_body(world, tmp_path):
    content = write_xlsx(
        tmp_path / "cards.xlsx",
        [card_row(1), card_row(2, ZZBH=12345)],
        补录=[card_row(3)],
    ).read_bytes()
    response = world.http.post(
        BATCHES,
        params={"type": CARD},
        files={"file": ("cards.xlsx", content, XLSX)},
        headers=world.headers("psb_tianshan"),
    )
    assert response.status_code == 202, response.text
    assert (response.json()["format"], response.json()["sheet"]) == ("xlsx", "Sheet1")
    found = world.http.get(
        f"{BATCHES}/{response.json()['id']}", headers=world.headers("psb_tianshan")
    ).json()
    assert (found["state"], found["counts"]["accepted"]) == ("finished", 2)

    raw = world.http.post(
        BATCHES,
        params={"type": CARD, "sheet": "补录"},
        content=content,
        headers=world.headers("psb_tianshan", **{"Content-Type": XLSX}),
    )
    assert raw.status_code == 202, raw.text
    assert raw.json()["sheet"] == "补录" and raw.json()["id"] != found["id"]


def test_submit_workbook_that_is_damaged_is_refused(world):
    response = world.http.post(
        BATCHES,
        params={"type": CARD},
        files={"file": ("cards.xlsx", b"PK\x03\x04 not really a zip", XLSX)},
        headers=world.headers("psb_tianshan"),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "unreadable-file"
    assert "not an Excel workbook (.xlsx)" in response.json()["message"]


def test_submit_same_file_again_reports_the_finished_batch(world, tmp_path):
    content = csv_bytes(tmp_path, [card_row(1)])
    first = upload(world, "psb_tianshan", content).json()
    again = upload(world, "psb_tianshan", content, name="renamed.csv")
    assert again.status_code == 200
    assert again.json()["id"] == first["id"]
    assert again.json()["counts"]["accepted"] == 1


def test_operator_gathers_for_a_named_department(world, tmp_path):
    department = world.departments["psb_tianshan"].credit_code
    response = upload(
        world, "operator", csv_bytes(tmp_path, [card_row(1)]), department=department
    )
    assert response.status_code == 202, response.text
    assert response.json()["department"] == department


def test_submit_with_mapping_renames_columns(world, tmp_path):
    rows = [{("证照编号" if k == "ZZBH" else k): v for k, v in card_row(1).items()}]
    response = world.http.post(
        BATCHES,
        params={"type": CARD},
        files={
            "file": ("cards.csv", csv_bytes(tmp_path, rows), "text/csv"),
            "mapping": (None, json.dumps({"证照编号": "ZZBH"})),
        },
        headers=world.headers("psb_tianshan"),
    )
    assert response.status_code == 202, response.text
    assert response.json()["counts"]["rejected"] == 0


def test_submit_unknown_column_is_refused_before_any_row(world, tmp_path):
    rows = [card_row(1, colour="red")]
    response = upload(world, "psb_tianshan", csv_bytes(tmp_path, rows))
    assert response.status_code == 422
    assert response.json()["code"] == "unreadable-file"
    assert "column colour is neither" in response.json()["message"]
    listed = world.http.get(BATCHES, headers=world.headers("psb_tianshan")).json()
    assert listed["items"] == []


def test_submit_file_not_utf8_is_refused(world, tmp_path):
    content = csv_bytes(tmp_path, [card_row(1)]).decode().encode("gb18030")
    response = upload(world, "psb_tianshan", content)
    assert response.status_code == 422
    assert "not UTF-8" in response.json()["message"]


def test_department_cannot_gather_for_another_department(world, tmp_path):
    other = world.departments["psb_shayibake"].credit_code
    response = upload(
        world, "psb_tianshan", csv_bytes(tmp_path, [card_row(1)]), department=other
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission-denied"


def test_department_cannot_gather_a_type_it_is_not_responsible_for(world, tmp_path):
    response = upload(world, "market_urumqi", csv_bytes(tmp_path, [card_row(1)]))
    assert response.status_code == 403
    assert response.json()["code"] == "not-responsible"


@pytest.mark.parametrize("who", ["auditor", "verifier"])
def test_readers_and_verifiers_cannot_submit(world, tmp_path, who):
    response = upload(world, who, csv_bytes(tmp_path, [card_row(1)]))
    assert response.status_code == 403


def test_submit_without_credentials_is_refused(world, tmp_path):
    response = world.http.post(
        BATCHES,
        params={"type": CARD},
        files={"file": ("cards.csv", csv_bytes(tmp_path, [card_row(1)]), "text/csv")},
    )
    assert response.status_code == 401


def test_department_cannot_read_another_departments_batch(world, tmp_path):
    batch = upload(world, "psb_tianshan", csv_bytes(tmp_path, [card_row(1)])).json()
    for path in (f"{BATCHES}/{batch['id']}", f"{BATCHES}/{batch['id']}/rejections"):
        response = world.http.get(path, headers=world.headers("psb_shayibake"))
        assert response.status_code == 403
    listed = world.http.get(BATCHES, headers=world.headers("psb_shayibake")).json()
    assert listed["items"] == []
    auditor = world.http.get(
        f"{BATCHES}/{batch['id']}", headers=world.headers("auditor")
    )
    assert auditor.status_code == 200


def test_unknown_batch_is_not_found(world):
    response = world.http.get(f"{BATCHES}/999", headers=world.headers("operator"))
    assert response.status_code == 404
