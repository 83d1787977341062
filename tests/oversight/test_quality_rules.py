"""The accuracy and rectification rules, each on a file or two of its own: what
counts as another rejection, what fixes a rejected row, and that pushes count."""

from datetime import UTC, datetime

import pytest

from gathering.support import card_row, write_csv
from oversight.support import ASSESSED_AT, CARD, push, write_rows, wrong_check
from support.world import OPERATOR
from zhengzhao.gathering.reader import SourceFormat
from zhengzhao.gathering.service import run_submitted, submit_batch
from zhengzhao.oversight.months import Month
from zhengzhao.oversight.quality import assess_quality

NOVEMBER = Month(2026, 11)


def gather(world, clock, path, *, chunk_rows=None):
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
    run_submitted(
        world.node,
        submission=submission,
        principal=OPERATOR,
        path=path,
        clock=clock,
        chunk_rows=chunk_rows,
    )


def measures(world):
    """psb_tianshan's measures of November, by metric."""
    with world.node.database.reading() as conn:
        report = assess_quality(
            conn, principal=OPERATOR, month=NOVEMBER, now=ASSESSED_AT
        )
    (found,) = [
        item
        for item in report.departments
        if item.department == world.departments["psb_tianshan"]
    ]
    return {key: dict(measure.figures) for key, measure in found.measures.items()}


def bad_check(number: int, **changes):
    row = card_row(number, **changes)
    return {**row, "CZZTDM": wrong_check(row["CZZTDM"])}


def test_row_with_the_wrong_number_of_cells_is_another_rejection(
    world, clock, tmp_path
):
    row = card_row(1)
    gather(
        world,
        clock,
        write_rows(tmp_path / "a.csv", [card_row(2), [*map(str, row.values()), "x"]]),
    )
    found = measures(world)
    assert (found["metadata"]["failed"], found["schema"]["failed"]) == (1, 0)
    assert found["metadata"]["submitted"] == 2


@pytest.mark.parametrize("chunk_rows", [None, 1], ids=["one-chunk", "row-by-row"])
def test_row_fixed_later_in_the_same_batch_is_fixed(world, clock, tmp_path, chunk_rows):
    path = write_csv(tmp_path / "a.csv", [bad_check(1), card_row(1)])
    gather(world, clock, path, chunk_rows=chunk_rows)
    assert measures(world)["rectification"] == {"open": 1, "fixed": 1, "rate": 1.0}


def test_earlier_row_of_the_same_batch_does_not_fix_a_later_rejection(
    world, clock, tmp_path
):
    gather(world, clock, write_csv(tmp_path / "a.csv", [card_row(1), bad_check(1)]))
    assert measures(world)["rectification"] == {"open": 1, "fixed": 0, "rate": 0.0}


def test_only_an_issue_correction_or_extension_fixes_a_rejected_row(
    world, clock, tmp_path
):
    gather(world, clock, write_csv(tmp_path / "a.csv", [card_row(1)]))
    clock.advance(days=1)
    shortened = card_row(1, ZZYXQJZRQ="2030-01-04")
    gather(world, clock, write_csv(tmp_path / "b.csv", [shortened, card_row(2)]))
    clock.advance(days=1)
    (identifier,) = push(world, card_row(1))["licenses"]
    world.event(identifier, "suspended")
    world.event(identifier, "released")
    assert measures(world)["rectification"] == {"open": 1, "fixed": 0, "rate": 0.0}

    clock.advance(days=1)
    gather(world, clock, write_csv(tmp_path / "c.csv", [card_row(1, CZZT="张三丰")]))
    assert measures(world)["rectification"] == {"open": 1, "fixed": 1, "rate": 1.0}


def test_pushes_count_as_rows_submitted_rejected_and_fixed(world, clock):
    rejected = push(world, bad_check(1))
    assert rejected["code"] == "record-rejected"
    clock.advance(hours=1)
    push(world, card_row(1))
    push(world, {"ZZBH": "P0000001", "ZZZT": "02"})
    found = measures(world)
    assert found["identifiers"] == {"submitted": 3, "failed": 1, "rate": 1 / 3}
    assert found["rectification"] == {"open": 1, "fixed": 1, "rate": 1.0}


def test_rejection_in_the_month_fixed_after_it_stays_open(world, clock, tmp_path):
    clock.moment = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)  # 23:00 in Urumqi
    gather(world, clock, write_csv(tmp_path / "a.csv", [bad_check(1)]))
    clock.moment = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    gather(world, clock, write_csv(tmp_path / "b.csv", [card_row(1)]))
    assert measures(world)["rectification"] == {"open": 1, "fixed": 0, "rate": 0.0}


def test_only_an_empty_or_failing_identifier_counts_against_identifiers(
    world, clock, tmp_path
):
    gather(world, clock, write_csv(tmp_path / "a.csv", [card_row(1)]))
    clock.advance(days=1)
    another = card_row(7)["CZZTDM"]
    rows = [
        bad_check(2),  # fails its check character: an identifier
        card_row(3, CZZTDM=""),  # empty: an identifier
        card_row(1, CZZTDM=another),  # another holder's: a transfer, not a failure
    ]
    gather(world, clock, write_csv(tmp_path / "b.csv", rows))
    push(world, card_row(1, CZZTDM=another))  # the same transfer, pushed
    found = measures(world)
    assert (found["identifiers"]["failed"], found["metadata"]["failed"]) == (2, 2)
    assert found["schema"]["failed"] == 0
