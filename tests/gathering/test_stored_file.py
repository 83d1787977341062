"""The copy of an uploaded file the node keeps: sealed, read back in order, by
seeking, as a workbook, and deleted when its batch finishes."""

import io

import pytest
from sqlalchemy import func, select, update

from conftest import T0
from gathering.support import card_row, write_csv, write_xlsx
from support.world import type_code
from zhengzhao.errors import CryptoError, NotFound
from zhengzhao.gathering import copies
from zhengzhao.gathering.copies import StoredFile, store_copy
from zhengzhao.gathering.reader import SourceFormat, read_rows
from zhengzhao.storage import gathering as store
from zhengzhao.storage.tables import gathering_content

CARD = type_code("resident-identity-card")


@pytest.fixture
def stored(node, world, tmp_path, monkeypatch):
    """``content`` kept in pieces of ``piece`` bytes as a new batch's file."""

    def keep(content: bytes, piece: int) -> StoredFile:
        with node.database.transaction() as conn:
            batch = store.insert_batch(
                conn,
                store.NewBatch(
                    department_id=world.departments["psb_tianshan"].id,
                    type_code=CARD,
                    content_hash="0" * 64,
                    format="xlsx",
                    mapping=None,
                    sheet="Sheet1",
                    filename=None,
                    size=len(content),
                    actor="tests",
                    now=T0,
                ),
            )
        path = tmp_path / f"upload-{batch.id}"
        path.write_bytes(content)
        monkeypatch.setattr(copies, "PIECE_BYTES", piece)
        store_copy(node, batch.id, path)
        return StoredFile(node, batch.id, size=len(content))

    return keep


def pieces(node) -> list[bytes]:
    with node.database.reading() as conn:
        return [
            bytes(data)
            for data in conn.execute(
                select(gathering_content.c.data).order_by(
                    gathering_content.c.batch_id, gathering_content.c.seq
                )
            ).scalars()
        ]


def test_stored_file_reads_and_seeks_across_pieces(stored):
    content = bytes(range(256)) * 4
    raw = io.BufferedReader(stored(content, piece=100), buffer_size=64)
    assert raw.read(250) == content[:250]
    assert raw.seek(-30, io.SEEK_END) == len(content) - 30
    assert raw.read() == content[-30:]
    raw.seek(95)
    assert raw.read(10) == content[95:105]
    assert raw.read(0) == b"" and raw.tell() == 105


def test_stored_copy_holds_no_identifier_in_clear(stored, node, tmp_path):
    row = card_row(1)
    content = write_csv(tmp_path / "cards.csv", [row]).read_bytes()
    raw = io.BufferedReader(stored(content, piece=64))
    assert raw.read() == content
    kept = pieces(node)
    assert len(kept) == -(-len(content) // 64)
    assert all(row["CZZTDM"].encode() not in piece for piece in kept)
    assert row["CZZTDM"][:6].encode() not in b"".join(kept)


def test_stored_piece_moved_to_another_place_does_not_open(stored, node):
    raw = io.BufferedReader(stored(b"a" * 100 + b"b" * 100, piece=100))
    _, second = pieces(node)
    with node.database.transaction() as conn:
        conn.execute(
            update(gathering_content)
            .values(data=second)
            .where(gathering_content.c.seq == 0)
        )
    with pytest.raises(CryptoError) as refused:
        raw.read()
    assert refused.value.code == "decryption-failed"
    assert refused.value.message == (
        "piece 0 of the stored copy of batch 1's file cannot be decrypted: the master"
        " key changed since it was stored (restore the old ZHENGZHAO_MASTER_KEY), or"
        " the piece was altered or copied from another batch"
    )


def test_workbook_reads_from_small_stored_pieces(stored, tmp_path):
    path = write_xlsx(tmp_path / "cards.xlsx", [card_row(n) for n in range(1, 40)])
    stream = io.BufferedReader(stored(path.read_bytes(), piece=1000))
    found = list(read_rows(stream, format=SourceFormat.XLSX))
    assert [row.values["ZZBH"] for row in found] == [f"P{n:07d}" for n in range(1, 40)]


def test_stored_file_missing_a_piece_is_refused(stored, node):
    stored(b"x" * 100, piece=100)
    raw = io.BufferedReader(StoredFile(node, 1, size=300))
    assert len(raw.read(100)) == 100
    with pytest.raises(NotFound, match="ends before byte 100 of 300"):
        raw.read(100)


def test_stored_copy_is_deleted_when_its_batch_finishes(world, node, tmp_path):
    content = write_csv(tmp_path / "cards.csv", [card_row(1), card_row(2)])
    response = world.http.post(
        "/v1/gathering/batches",
        params={"type": CARD},
        files={"file": ("cards.csv", content.read_bytes(), "text/csv")},
        headers=world.headers("psb_tianshan"),
    )
    assert response.status_code == 202, response.text
    batch = world.http.get(
        f"/v1/gathering/batches/{response.json()['id']}",
        headers=world.headers("psb_tianshan"),
    ).json()
    assert batch["state"] == "finished"
    with node.database.reading() as conn:
        left = conn.execute(select(func.count()).select_from(gathering_content))
        assert left.scalar_one() == 0
