"""A batch whose run fails is `stopped` with its error, and resumes on request:
through `POST /v1/gathering/batches/{id}/resume`, from the copy the node keeps."""

import io
import zipfile

import pytest
from sqlalchemy import delete, select

from conftest import T0
from gathering.support import card_row, write_csv, write_xlsx
from support.world import OPERATOR, type_code
from zhengzhao.gathering.reader import SourceFormat
from zhengzhao.gathering.service import gather_stored, submit_batch
from zhengzhao.storage import gathering as store
from zhengzhao.storage.tables import gathering_batches, gathering_content

CARD = type_code("resident-identity-card")
BATCHES = "/v1/gathering/batches"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def damaged_workbook(tmp_path) -> bytes:
    """A workbook whose header reads and whose sheet breaks off halfway."""
    good = write_xlsx(tmp_path / "good.xlsx", [card_row(n) for n in range(1, 60)])
    damaged = io.BytesIO()
    with (
        zipfile.ZipFile(good) as source,
        zipfile.ZipFile(damaged, "w") as target,
    ):
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = data[: len(data) // 2]
            target.writestr(item, data)
    return damaged.getvalue()


def stopped_batch(world, tmp_path, clock):
    """A CSV batch submitted with a stored copy whose run failed: its piece was
    lost before it ran. Returns the batch and the lost piece."""
    path = write_csv(tmp_path / "cards.csv", [card_row(n) for n in (1, 2, 3)])
    submission = submit_batch(
        world.node,
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
    batch_id = submission.view.record.id
    with world.node.database.transaction() as conn:
        piece = store.content_piece(conn, batch_id, 0)
        conn.execute(delete(gathering_content))
    gather_stored(world.node, submission=submission, principal=OPERATOR, clock=clock)
    return batch_id, piece


def test_batch_whose_file_breaks_off_stops_with_its_error(world, tmp_path):
    response = world.http.post(
        BATCHES,
        params={"type": CARD},
        files={"file": ("cards.xlsx", damaged_workbook(tmp_path), XLSX)},
        headers=world.headers("psb_tianshan"),
    )
    assert response.status_code == 202, response.text
    found = world.http.get(
        f"{BATCHES}/{response.json()['id']}", headers=world.headers("psb_tianshan")
    ).json()
    assert found["state"] == "stopped"
    assert found["error"].startswith("sheet Sheet1 cannot be read after row")
    assert "the workbook is damaged" in found["error"]


def test_stopped_batch_resumes_on_request_and_finishes(world, tmp_path, clock):
    batch_id, piece = stopped_batch(world, tmp_path, clock)
    before = world.http.get(
        f"{BATCHES}/{batch_id}", headers=world.headers("psb_tianshan")
    ).json()
    assert before["state"] == "stopped"
    assert before["error"] == (
        f"the stored copy of batch {batch_id}'s file ends before byte 0 of"
        f" {before['size']}; submit the file again"
    )
    with world.node.database.transaction() as conn:
        store.store_content_piece(conn, batch_id, 0, piece)

    response = world.http.post(
        f"{BATCHES}/{batch_id}/resume", headers=world.headers("psb_tianshan")
    )
    assert response.status_code == 202, response.text
    assert (response.json()["state"], response.json()["error"]) == ("open", None)
    after = world.http.get(
        f"{BATCHES}/{batch_id}", headers=world.headers("psb_tianshan")
    ).json()
    assert (after["state"], after["error"]) == ("finished", None)
    assert (after["counts"]["rows"], after["counts"]["accepted"]) == (3, 3)


def test_stopped_batch_resumes_when_its_file_is_submitted_again(world, tmp_path, clock):
    batch_id, _ = stopped_batch(world, tmp_path, clock)
    content = (tmp_path / "cards.csv").read_bytes()
    response = world.http.post(
        BATCHES,
        params={"type": CARD},
        files={"file": ("cards.csv", content, "text/csv")},
        headers=world.headers("psb_tianshan"),
    )
    assert response.status_code == 202, response.text
    assert response.json()["id"] == batch_id
    after = world.http.get(
        f"{BATCHES}/{batch_id}", headers=world.headers("psb_tianshan")
    ).json()
    assert (after["state"], after["counts"]["accepted"]) == ("finished", 3)


def test_resume_of_a_finished_batch_reports_it(world, tmp_path):
    content = write_csv(tmp_path / "cards.csv", [card_row(1)]).read_bytes()
    batch = world.http.post(
        BATCHES,
        params={"type": CARD},
        files={"file": ("cards.csv", content, "text/csv")},
        headers=world.headers("psb_tianshan"),
    ).json()
    response = world.http.post(
        f"{BATCHES}/{batch['id']}/resume", headers=world.headers("operator")
    )
    assert response.status_code == 200
    assert response.json()["state"] == "finished"


def test_resume_of_a_batch_the_node_keeps_no_copy_of_is_refused(world, tmp_path, clock):
    path = write_csv(tmp_path / "cards.csv", [card_row(1)])
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
    response = world.http.post(
        f"{BATCHES}/{submission.view.record.id}/resume",
        headers=world.headers("psb_tianshan"),
    )
    assert response.status_code == 409
    assert response.json() == {
        "code": "batch-not-stored",
        "message": f"batch {submission.view.record.id} was gathered from cards.csv"
        " that the node keeps no copy of (a file the command line read where it"
        " lies, or one uploaded before the node encrypted its copies): run the same"
        " `zhengzhao gather` command again, or submit the file again, to resume it",
    }


@pytest.mark.parametrize(
    ("who", "status", "code"),
    [
        ("psb_shayibake", 403, "permission-denied"),
        ("auditor", 403, "permission-denied"),
        ("verifier", 403, "permission-denied"),
        (None, 401, "authentication-required"),
    ],
)
def test_resume_is_refused_to_others_than_its_department_and_operators(
    world, tmp_path, clock, who, status, code
):
    batch_id, _ = stopped_batch(world, tmp_path, clock)
    response = world.http.post(
        f"{BATCHES}/{batch_id}/resume",
        headers=world.headers(who) if who else {},
    )
    assert response.status_code == status
    assert response.json()["code"] == code
    with world.node.database.reading() as conn:
        state = conn.execute(select(gathering_batches.c.state)).scalar_one()
    assert state == "stopped"


def test_resume_of_an_unknown_batch_is_not_found(world):
    response = world.http.post(
        f"{BATCHES}/999/resume", headers=world.headers("operator")
    )
    assert response.status_code == 404
    assert response.json()["message"] == "no gathering batch 999"


def test_stop_is_not_recorded_on_a_finished_batch(world, tmp_path, clock):
    batch_id, piece = stopped_batch(world, tmp_path, clock)
    with world.node.database.transaction() as conn:
        store.store_content_piece(conn, batch_id, 0, piece)
    world.http.post(f"{BATCHES}/{batch_id}/resume", headers=world.headers("operator"))
    with world.node.database.transaction() as conn:
        store.stop_batch(conn, batch_id, error="late", now=T0)
        batch = store.batch_by_id(conn, batch_id)
    assert batch is not None and (batch.state, batch.error) == ("finished", None)
