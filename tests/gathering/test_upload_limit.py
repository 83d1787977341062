"""The largest file `POST /v1/gathering/batches` takes: the node's
`gathering_upload_bytes`, refused with 413 before the rest is received."""

import pytest
from sqlalchemy import func, select

from gathering.support import card_row, write_csv
from support.world import type_code
from zhengzhao.storage.tables import gathering_batches

CARD = type_code("resident-identity-card")
BATCHES = "/v1/gathering/batches"
LIMIT = 2000
REFUSAL = {
    "code": "upload-too-large",
    "message": "the file is larger than the 2,000 bytes this node takes in one"
    " upload; split it into files of fewer rows, or ask the node's operator to raise"
    " gathering_upload_bytes",
}


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"gathering_upload_bytes": LIMIT})


def batches(world) -> int:
    with world.node.database.reading() as conn:
        found = conn.execute(select(func.count()).select_from(gathering_batches))
        return int(found.scalar_one())


def content(tmp_path, rows: int) -> bytes:
    path = write_csv(tmp_path / "a.csv", [card_row(n) for n in range(1, rows + 1)])
    return path.read_bytes()


def test_file_within_the_limit_is_taken(world, tmp_path):
    body = content(tmp_path, 5)
    assert len(body) < LIMIT
    response = world.http.post(
        BATCHES,
        params={"type": CARD},
        files={"file": ("a.csv", body, "text/csv")},
        headers=world.headers("psb_tianshan"),
    )
    assert response.status_code == 202, response.text


def test_multipart_file_over_the_limit_is_refused(world, tmp_path):
    response = world.http.post(
        BATCHES,
        params={"type": CARD},
        files={"file": ("a.csv", content(tmp_path, 20), "text/csv")},
        headers=world.headers("psb_tianshan"),
    )
    assert (response.status_code, response.json()) == (413, REFUSAL)
    assert batches(world) == 0


def test_raw_body_over_the_limit_is_refused_by_its_length(world, tmp_path):
    response = world.http.post(
        BATCHES,
        params={"type": CARD},
        content=content(tmp_path, 20),
        headers=world.headers("psb_tianshan", **{"Content-Type": "text/csv"}),
    )
    assert (response.status_code, response.json()) == (413, REFUSAL)
    assert batches(world) == 0


def test_body_sent_without_a_length_is_refused_once_over_the_limit(world, tmp_path):
    body = content(tmp_path, 20)

    def chunks():
        for start in range(0, len(body), 500):
            yield body[start : start + 500]

    response = world.http.post(
        BATCHES,
        params={"type": CARD},
        content=chunks(),
        headers=world.headers("psb_tianshan", **{"Content-Type": "text/csv"}),
    )
    assert (response.status_code, response.json()) == (413, REFUSAL)
    assert batches(world) == 0
