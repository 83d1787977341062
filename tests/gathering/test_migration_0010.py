"""Schema revision 0010 on a library gathered before it: mapping hashes, categories
of the problems stored, no file kept in clear, paper numbers in upper case."""

from importlib.resources import files

import pytest
from alembic import command
from alembic.config import Config
from sqlalchemy import select, text

from conftest import T0
from gathering.support import card_row
from support.world import type_code
from zhengzhao.storage import gathering as store
from zhengzhao.storage.migrate import upgrade
from zhengzhao.storage.tables import (
    gathering_batches,
    gathering_content,
    gathering_push_problems,
    gathering_pushes,
    gathering_rejections,
    licenses,
)

CARD = type_code("resident-identity-card")


def downgrade(node, revision: str) -> None:
    config = Config()
    config.set_main_option(
        "script_location", str(files("zhengzhao.storage") / "migrations")
    )
    with node.database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


@pytest.fixture
def before(world):
    """The world's library taken back to revision 0009, holding what a library
    gathered then held; revision 0010 is applied again after the test."""
    node = world.node
    issued = world.issue(paperNumber="p0000009", validUntil="2036-01-04")
    downgrade(node, "0009")
    department = world.departments["psb_tianshan"].id
    with node.database.engine.begin() as conn:
        for batch_id, state, mapping in (
            (1, "finished", None),
            (2, "open", '{"持证人": "CZZT", "编号": "ZZBH"}'),
        ):
            conn.execute(
                text(
                    "INSERT INTO gathering_batches (id, department_id, type_code,"
                    " content_hash, format, mapping, sheet, filename, size, state,"
                    " rows_done, accepted, unchanged, updated, rejected, actor,"
                    " created_at, updated_at) VALUES (:id, :department, :type,"
                    " :hash, 'csv', :mapping, '', 'a.csv', 10, :state, 0, 0, 0, 0,"
                    " 0, 'tests', :now, :now)"
                ),
                {
                    "id": batch_id,
                    "department": department,
                    "type": CARD,
                    "hash": f"{batch_id}" * 64,
                    "mapping": mapping,
                    "state": state,
                    "now": T0.replace(tzinfo=None),
                },
            )
            conn.execute(
                text(
                    "INSERT INTO gathering_content (batch_id, seq, data)"
                    " VALUES (:id, 0, :data)"
                ),
                {"id": batch_id, "data": card_row(1)["CZZTDM"].encode()},
            )
        problems = [
            ("CZZTDM", "CZZTDM: check character is 0, expected 9"),
            ("CZZTDM", "CZZTDM (holder identifier) is empty"),
            ("CZZTDM", "ZZBH p1 was gathered for another holder (6501**); …"),
            ("CZZTDM", "CZZTDM is a number cell, and a spreadsheet keeps only 15"),
            ("address", "address is a number cell, and a spreadsheet keeps only 15"),
            ("address", "address: is longer than 120 characters"),
            (None, "the row has 3 cells and the header 2"),
            ("ZZZT", "ZZZT 03 cannot be gathered"),
            ("occurredAt", "occurredAt x is not a time"),
        ]
        for number, (field, reason) in enumerate(problems, start=2):
            conn.execute(
                text(
                    "INSERT INTO gathering_rejections (batch_id, row_number, field,"
                    " reason, paper_number, rejected_at, event_mark) VALUES (1,"
                    " :number, :field, :reason, :paper, :now, 0)"
                ),
                {
                    "number": number,
                    "field": field,
                    "reason": reason,
                    "paper": f"p{number}",
                    "now": T0.replace(tzinfo=None),
                },
            )
        conn.execute(
            text(
                "INSERT INTO gathering_pushes (id, department_id, type_code,"
                " paper_number, outcome, actor, received_at, event_mark) VALUES (1,"
                " :department, :type, 'ab-1', 'rejected', 'tests', :now, 0)"
            ),
            {"department": department, "type": CARD, "now": T0.replace(tzinfo=None)},
        )
        conn.execute(
            text(
                "INSERT INTO gathering_push_problems (push_id, field, reason) VALUES"
                " (1, 'CZZTDM', 'CZZTDM: check character is 0, expected 9'),"
                " (1, 'sex', 'sex: 未知 is not one of 男, 女')"
            )
        )
    upgrade(node.database)
    yield node, issued


def test_batches_keep_their_mapping_in_their_key(before):
    node, _ = before
    with node.database.reading() as conn:
        rows = conn.execute(
            select(gathering_batches.c.id, gathering_batches.c.mapping_hash).order_by(
                gathering_batches.c.id
            )
        ).all()
        assert store.find_batch(
            conn,
            department_id=1,
            type_code=CARD,
            content_hash="2" * 64,
            mapping={"编号": "ZZBH", "持证人": "CZZT"},
        )
    assert [tuple(row) for row in rows] == [
        (1, ""),
        (2, store.mapping_hash({"持证人": "CZZT", "编号": "ZZBH"})),
    ]


def test_problems_stored_before_get_the_category_their_reason_shows(before):
    node, _ = before
    with node.database.reading() as conn:
        rows = conn.execute(
            select(gathering_rejections.c.category).order_by(
                gathering_rejections.c.row_number
            )
        ).scalars()
        pushed = conn.execute(
            select(gathering_push_problems.c.category).order_by(
                gathering_push_problems.c.id
            )
        ).scalars()
        assert list(rows) == [
            "identifier",
            "identifier",
            "other",  # a transfer attempt
            "other",  # a number cell that lost digits
            "other",
            "schema",
            "other",
            "other",
            "other",
        ]
        assert list(pushed) == ["identifier", "schema"]


def test_files_kept_in_clear_are_deleted_and_unfinished_batches_stopped(before):
    node, _ = before
    with node.database.reading() as conn:
        kept = conn.execute(select(gathering_content.c.batch_id)).all()
        states = conn.execute(
            select(gathering_batches.c.state, gathering_batches.c.error).order_by(
                gathering_batches.c.id
            )
        ).all()
    assert kept == []
    assert states[0] == ("finished", None)
    assert states[1] == (
        "stopped",
        "the node kept this batch's file unencrypted, and deleted it when it began to"
        " encrypt the files it keeps (schema revision 0010); submit the same file"
        " again to resume the batch after its last committed chunk",
    )


def test_paper_numbers_are_kept_in_upper_case(before):
    node, issued = before
    with node.database.reading() as conn:
        license_paper = conn.execute(
            select(licenses.c.paper_number).where(
                licenses.c.identifier == issued["identifier"]
            )
        ).scalar_one()
        rejected = conn.execute(
            select(gathering_rejections.c.paper_number).order_by(
                gathering_rejections.c.row_number
            )
        ).scalars()
        pushed = conn.execute(select(gathering_pushes.c.paper_number)).scalar_one()
        assert license_paper == "P0000009"
        assert list(rejected)[:2] == ["P2", "P3"]
        assert pushed == "AB-1"
