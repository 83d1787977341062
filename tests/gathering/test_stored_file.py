"""An uploaded file read back from its stored pieces: in order, by seeking, as a
workbook."""

import io

import pytest

from conftest import T0
from gathering.support import card_row, write_xlsx
from zhengzhao.errors import NotFound
from zhengzhao.gathering.batches import StoredFile
from zhengzhao.gathering.reader import SourceFormat, read_rows
from zhengzhao.storage import gathering as store


def stored(node, world, content: bytes, piece: int) -> StoredFile:
    """``content`` stored in pieces of ``piece`` bytes as batch 1's file."""
    with node.database.transaction() as conn:
        batch = store.insert_batch(
            conn,
            store.NewBatch(
                department_id=world.departments["psb_tianshan"].id,
                type_code="11100000000013127D001",
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
        for seq, start in enumerate(range(0, len(content), piece)):
            store.store_content_piece(
                conn, batch.id, seq, content[start : start + piece]
            )
    return StoredFile(node.database, batch.id, size=len(content))


def test_stored_file_reads_and_seeks_across_pieces(node, world):
    content = bytes(range(256)) * 4
    raw = io.BufferedReader(stored(node, world, content, piece=100), buffer_size=64)
    assert raw.read(250) == content[:250]
    assert raw.seek(-30, io.SEEK_END) == len(content) - 30
    assert raw.read() == content[-30:]
    raw.seek(95)
    assert raw.read(10) == content[95:105]
    assert raw.read(0) == b"" and raw.tell() == 105


def test_workbook_reads_from_small_stored_pieces(node, world, tmp_path):
    path = write_xlsx(tmp_path / "cards.xlsx", [card_row(n) for n in range(1, 40)])
    content = path.read_bytes()
    stream = io.BufferedReader(stored(node, world, content, piece=1000))
    found = list(read_rows(stream, format=SourceFormat.XLSX))
    assert [row.values["ZZBH"] for row in found] == [f"P{n:07d}" for n in range(1, 40)]


def test_stored_file_missing_a_piece_is_refused(node, world):
    stored(node, world, b"x" * 100, piece=100)
    raw = io.BufferedReader(StoredFile(node.database, 1, size=300))
    assert len(raw.read(100)) == 100
    with pytest.raises(NotFound, match="ends before byte 100 of 300"):
        raw.read(100)
