"""What a batch is and who may run one: its mapping is part of it, two columns may not
give one field, a deactivated department gathers nothing, and a file's bad lines or
cells are rejected rows."""

import io
import json
import threading
from datetime import datetime

import pytest
from openpyxl import Workbook

from conftest import is_postgres
from gathering.support import card_row, write_csv
from support.world import OPERATOR, type_code
from zhengzhao.errors import DepartmentDeactivated
from zhengzhao.gathering.reader import ColumnMapping, SourceFormat
from zhengzhao.gathering.service import run_submitted, submit_batch
from zhengzhao.node import Node
from zhengzhao.storage import gathering as store

CARD = type_code("resident-identity-card")
BATCHES = "/v1/gathering/batches"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(world, content: bytes, *, mapping=None, who="psb_tianshan", name="a.csv"):
    files = {"file": (name, content, "text/csv")}
    if mapping is not None:
        files["mapping"] = (None, json.dumps(mapping, ensure_ascii=False))
    return world.http.post(
        BATCHES, params={"type": CARD}, files=files, headers=world.headers(who)
    )


def batch(world, batch_id: int) -> dict:
    response = world.http.get(
        f"{BATCHES}/{batch_id}", headers=world.headers("psb_tianshan")
    )
    assert response.status_code == 200, response.text
    found: dict = response.json()
    return found


def problems(world, batch_id: int) -> list[dict]:
    response = world.http.get(
        f"{BATCHES}/{batch_id}/rejections", headers=world.headers("psb_tianshan")
    )
    items: list[dict] = response.json()["items"]
    return items


def deactivate(world, key="psb_tianshan"):
    code = world.departments[key].credit_code
    response = world.http.post(
        f"/v1/departments/{code}/deactivate", headers=world.headers("operator")
    )
    assert response.status_code == 200, response.text


def aliased(tmp_path) -> bytes:
    """A file whose holder name is under 持证人, as a department's system writes it."""
    row = {("持证人" if key == "CZZT" else key): v for key, v in card_row(1).items()}
    return write_csv(tmp_path / "a.csv", [row]).read_bytes()


def test_same_file_with_another_mapping_is_another_batch(world, tmp_path):
    content = aliased(tmp_path)
    ignored = upload(world, content, mapping={"持证人": ""})
    assert ignored.status_code == 202, ignored.text
    assert batch(world, ignored.json()["id"])["counts"]["rejected"] == 1

    mapped = upload(world, content, mapping={"持证人": "CZZT"})
    assert mapped.status_code == 202, mapped.text
    assert mapped.json()["id"] != ignored.json()["id"]
    assert batch(world, mapped.json()["id"])["counts"]["accepted"] == 1
    # The same file and mapping again is the same, finished batch.
    again = upload(world, content, mapping={"持证人": "CZZT"})
    assert (again.status_code, again.json()["id"]) == (200, mapped.json()["id"])


def test_unfinished_batch_and_another_mapping_make_two_batches(world, tmp_path, clock):
    path = tmp_path / "a.csv"
    path.write_bytes(aliased(tmp_path))

    def submitted(mapping):
        return submit_batch(
            world.node,
            principal=OPERATOR,
            department_code=world.departments["psb_tianshan"].credit_code,
            type_code=CARD,
            path=path,
            format=SourceFormat.CSV,
            mapping=ColumnMapping(mapping),
            filename=path.name,
            keep_copy=False,
            now=clock.now(),
        )

    first = submitted({"持证人": ""})  # recorded, never run
    second = submitted({"持证人": "CZZT"})
    assert second.view.record.id != first.view.record.id
    assert not second.existing and second.view.record.state == "open"


def test_two_columns_giving_one_field_refuse_the_file(world, tmp_path):
    content = write_csv(
        tmp_path / "a.csv", [{**card_row(1), "别名": "李四"}]
    ).read_bytes()
    response = upload(world, content, mapping={"别名": "CZZT"})
    assert response.status_code == 422
    assert response.json() == {
        "code": "unreadable-file",
        "message": "column 2 (CZZT) and column 11 (别名 (mapped to CZZT)) both give"
        " CZZT, and a field is read from one column; remove one of them, or map it"
        ' to an empty name ("") to ignore it',
    }
    listed = world.http.get(BATCHES, headers=world.headers("psb_tianshan")).json()
    assert listed["items"] == []


def test_deactivated_department_cannot_submit_a_batch(world, tmp_path):
    deactivate(world)
    content = write_csv(tmp_path / "a.csv", [card_row(1)]).read_bytes()
    for who in ("psb_tianshan", "operator"):
        response = world.http.post(
            BATCHES,
            params={
                "type": CARD,
                "department": world.departments["psb_tianshan"].credit_code,
            },
            files={"file": ("a.csv", content, "text/csv")},
            headers=world.headers(who),
        )
        assert response.status_code == 409
        assert response.json()["code"] == "department-deactivated"
        assert response.json()["message"].startswith(
            f"{world.departments['psb_tianshan'].name}"
            f" ({world.departments['psb_tianshan'].credit_code}) was deactivated at"
        )


def test_deactivated_department_cannot_push(world):
    deactivate(world)
    response = world.post(
        "psb_tianshan", f"/v1/gathering/records?type={CARD}", card_row(1)
    )
    assert response.status_code == 409
    assert response.json()["code"] == "department-deactivated"


def test_department_deactivated_before_its_batch_runs_stops_it(world, tmp_path, clock):
    path = write_csv(tmp_path / "a.csv", [card_row(1)])
    submission = submit_batch(
        world.node,
        principal=OPERATOR,
        department_code=world.departments["psb_tianshan"].credit_code,
        type_code=CARD,
        path=path,
        format=SourceFormat.CSV,
        mapping=None,
        filename=path.name,
        keep_copy=False,
        now=clock.now(),
    )
    deactivate(world)
    with pytest.raises(DepartmentDeactivated) as stopped:
        run_submitted(
            world.node,
            submission=submission,
            principal=OPERATOR,
            path=path,
            clock=clock,
        )
    found = batch(world, submission.view.record.id)
    assert (found["state"], found["error"]) == ("stopped", stopped.value.message)
    assert found["counts"]["rejected"] == 0


def test_department_deactivated_while_its_batch_runs_stops_it(world, tmp_path, clock):
    # Status changes and new licenses alike: the batch stops, no row is rejected.
    world_rows = [card_row(1), card_row(2)]
    path = write_csv(tmp_path / "a.csv", [*world_rows, card_row(3)])
    submission = submit_batch(
        world.node,
        principal=OPERATOR,
        department_code=world.departments["psb_tianshan"].credit_code,
        type_code=CARD,
        path=path,
        format=SourceFormat.CSV,
        mapping=None,
        filename=path.name,
        keep_copy=False,
        now=clock.now(),
    )

    def after_the_first_chunk(done):
        if done.counts.rows_done == 1:
            deactivate(world)

    with pytest.raises(DepartmentDeactivated):
        run_submitted(
            world.node,
            submission=submission,
            principal=OPERATOR,
            path=path,
            clock=clock,
            chunk_rows=1,
            on_chunk=after_the_first_chunk,
        )
    found = batch(world, submission.view.record.id)
    assert found["state"] == "stopped"
    assert "was deactivated at" in found["error"]
    assert (found["counts"]["accepted"], found["counts"]["rejected"]) == (1, 0)


def test_json_lines_that_python_cannot_read_are_rejected_rows(world):
    lines = [
        json.dumps(card_row(1), ensure_ascii=False),
        "[" * 200_000,
        '{"ZZBH": ' + "9" * 5000 + "}",
        json.dumps(card_row(4), ensure_ascii=False),
    ]
    response = world.http.post(
        BATCHES,
        params={"type": CARD},
        content="\n".join(lines).encode() + b"\n",
        headers=world.headers("psb_tianshan", **{"Content-Type": "application/jsonl"}),
    )
    assert response.status_code == 202, response.text
    found = batch(world, response.json()["id"])
    assert found["state"] == "finished"
    assert found["counts"] == {
        "rows": 4,
        "accepted": 2,
        "unchanged": 0,
        "updated": 0,
        "rejected": 2,
    }
    assert [(item["row"], item["field"]) for item in problems(world, found["id"])] == [
        (2, None),
        (3, None),
    ]


@pytest.mark.parametrize(
    ("changes", "field", "value", "reason"),
    [
        (
            {"ZZBH": True},
            "ZZBH",
            "true",
            "ZZBH is true or false; a metadata value is a string or a number (or"
            " null, for none): send it as text",
        ),
        (
            {"CZZT": ["张三"]},
            "CZZT",
            '["张三"]',
            "CZZT is a JSON array; a metadata value is a string or a number (or null,"
            " for none): send it as text",
        ),
        (
            {"ZZYXQJZRQ": {"day": "2036-01-04"}},
            "ZZYXQJZRQ",
            '{"day": "2036-01-04"}',
            "ZZYXQJZRQ is a JSON object; a metadata value is a string or a number (or"
            " null, for none): send it as text",
        ),
        (
            {"address": {"street": "解放南路"}},
            "address",
            None,
            None,  # the schema's own words: a surface field is not a metadata value
        ),
    ],
    ids=["boolean-ZZBH", "array-CZZT", "object-date", "object-field"],
)
def test_json_value_that_is_not_text_is_a_rejected_row(
    world, changes, field, value, reason
):
    row = {**card_row(1), **changes}
    response = world.post("psb_tianshan", f"/v1/gathering/records?type={CARD}", row)
    assert response.status_code == 422, response.text
    (problem,) = response.json()["details"]["problems"]
    assert problem["field"] == field
    if reason is not None:
        assert (problem["value"], problem["reason"]) == (value, reason)


def test_workbook_date_cell_with_a_time_is_read_as_its_date(world, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    row = card_row(1, ZZBFRQ=datetime(2026, 1, 5, 10, 30))
    row["birthDate"] = datetime(1990, 1, 1, 8, 0)
    sheet.append(list(row))
    sheet.append(list(row.values()))
    out = io.BytesIO()
    workbook.save(out)
    response = world.http.post(
        BATCHES,
        params={"type": CARD},
        files={"file": ("a.xlsx", out.getvalue(), XLSX)},
        headers=world.headers("psb_tianshan"),
    )
    assert response.status_code == 202, response.text
    found = batch(world, response.json()["id"])
    assert (found["counts"]["accepted"], problems(world, found["id"])) == (1, [])


def test_two_identical_submissions_at_once_find_one_batch(
    world, settings, clock, tmp_path, database_url
):
    # On PostgreSQL the second insert waits for the first to commit, then finds
    # its batch; SQLite lets one writer in at a time.
    if not is_postgres(database_url):
        pytest.skip("concurrent transactions: PostgreSQL (SQLite serializes writers)")
    rounds = 5  # a race the key did not settle shows in one round or another
    for number in range(1, rounds + 1):
        path = write_csv(tmp_path / f"a{number}.csv", [card_row(number)])
        barrier = threading.Barrier(2)
        found: list[tuple[int, bool]] = []
        failures: list[BaseException] = []

        def submit(path=path, barrier=barrier, found=found, failures=failures):
            node = Node(settings)  # its own connections, as a second worker has
            try:
                barrier.wait()
                submission = submit_batch(
                    node,
                    principal=OPERATOR,
                    department_code=world.departments["psb_tianshan"].credit_code,
                    type_code=CARD,
                    path=path,
                    format=SourceFormat.CSV,
                    mapping=None,
                    filename=path.name,
                    keep_copy=True,
                    now=clock.now(),
                )
                found.append((submission.view.record.id, submission.existing))
            except BaseException as exc:
                failures.append(exc)
            finally:
                node.close()

        threads = [threading.Thread(target=submit) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []
        assert len({batch_id for batch_id, _ in found}) == 1, found
        assert sorted(existing for _, existing in found) == [False, True]


def test_problems_are_stored_with_the_category_they_count_in(world):
    gather_rows = [
        card_row(1, CZZTDM=card_row(1)["CZZTDM"][:-1] + "0"),  # a failing check
        card_row(2, CZZTDM=650102199001011234.0),  # a number cell that lost digits
        card_row(3, sex="未知"),  # not one of the schema's values
        card_row(4, CZZT="张\n三"),  # a line break in a metadata value
    ]
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(gather_rows[0]))
    for row in gather_rows:
        sheet.append(list(row.values()))
    out = io.BytesIO()
    workbook.save(out)
    response = world.http.post(
        BATCHES,
        params={"type": CARD},
        files={"file": ("a.xlsx", out.getvalue(), XLSX)},
        headers=world.headers("psb_tianshan"),
    )
    assert response.status_code == 202, response.text
    with world.node.database.reading() as conn:
        stored = store.list_rejections(conn, response.json()["id"])
    assert [(item.row_number, item.field, item.category) for item in stored] == [
        (2, "CZZTDM", "identifier"),
        (3, "CZZTDM", "other"),
        (4, "sex", "schema"),
        (5, "CZZT", "other"),
    ]
    assert stored[3].reason == (
        "CZZT holds a line break, which no metadata value has; in a CSV file, look"
        " for a quote opened before it and never closed, and send the row again"
    )
