"""Rows that change a license gathered before: when a status changed (ZZZTBGRQ), and
the dates a gathered license keeps (ZZBFRQ, ZZYXQQSRQ)."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from gathering.support import card_row, write_csv
from support.world import OPERATOR, type_code
from zhengzhao.gathering.reader import SourceFormat
from zhengzhao.gathering.service import run_submitted, submit_batch
from zhengzhao.storage.gathering import list_rejections
from zhengzhao.storage.tables import license_events, licenses

CARD = type_code("resident-identity-card")


@pytest.fixture
def gather(world, clock, tmp_path):
    """Gather ``rows`` as a CSV file; the batch's rejections (reason by field)."""
    files = iter(range(1, 1000))

    def run(*rows):
        path = write_csv(tmp_path / f"file-{next(files)}.csv", list(rows))
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
        view = run_submitted(
            world.node,
            submission=submission,
            principal=OPERATOR,
            path=path,
            clock=clock,
        )
        with world.node.database.reading() as conn:
            found = list_rejections(conn, view.record.id)
        return view.record.counts, {item.field: item.reason for item in found}

    return run


def events(node, kind: str) -> list[datetime]:
    """When each event of ``kind`` occurred, by license paper number order."""
    with node.database.reading() as conn:
        return list(
            conn.execute(
                select(license_events.c.occurred_at)
                .join(licenses, licenses.c.id == license_events.c.license_id)
                .where(license_events.c.kind == kind)
                .order_by(licenses.c.paper_number)
            ).scalars()
        )


def test_status_change_date_is_when_the_event_occurred(gather, world):
    gather(card_row(1), card_row(2))
    counts, problems = gather(
        card_row(1, ZZZT="02", ZZZTBGRQ="2026-10-30"), card_row(2, ZZZT="07")
    )
    assert (counts.updated, problems) == (2, {})
    # 30 October from 00:00 China Standard Time; a change without a date, when it
    # was gathered (the clock's 2 November 10:00 UTC).
    assert events(world.node, "suspended") == [datetime(2026, 10, 29, 16, tzinfo=UTC)]
    assert events(world.node, "revoked") == [datetime(2026, 11, 2, 10, tzinfo=UTC)]


def test_new_row_with_a_status_and_its_date_records_both(gather, world):
    counts, _ = gather(card_row(1, ZZZT="09", ZZZTBGRQ="20260301"))
    assert counts.accepted == 1
    assert events(world.node, "mortgaged") == [datetime(2026, 2, 28, 16, tzinfo=UTC)]


@pytest.mark.parametrize(
    ("changed", "reason"),
    [
        (
            "2026-11-03",
            "ZZZTBGRQ 2026-11-03 is after the day of gathering (2026-11-02); a status"
            " change is gathered after it happens",
        ),
        (
            "2026-01-04",
            "ZZZTBGRQ 2026-01-04 is before the date of issue ZZBFRQ 2026-01-05; a"
            " license changes status after it is issued",
        ),
        ("2026-02-30", "ZZZTBGRQ 2026-02-30 is not a date (YYYY-MM-DD)"),
    ],
)
def test_status_change_date_to_come_or_before_issue_is_rejected(
    gather, world, changed, reason
):
    gather(card_row(1))
    counts, problems = gather(card_row(1, ZZZT="02", ZZZTBGRQ=changed))
    assert (counts.rejected, problems) == (1, {"ZZZTBGRQ": reason})
    assert events(world.node, "suspended") == []


def test_status_change_date_before_the_gathered_issue_date_is_rejected(gather):
    gather(card_row(1))
    # The row leaves its date of issue out; the gathered one still stands.
    row = card_row(1, ZZZT="02", ZZZTBGRQ="2025-12-31")
    del row["ZZBFRQ"], row["ZZYXQQSRQ"]
    counts, problems = gather(row)
    assert (counts.rejected, problems) == (
        1,
        {
            "ZZZTBGRQ": "ZZZTBGRQ 2025-12-31 is before the date of issue of ZZBH"
            " P0000001, 2026-01-05; a license changes status after it is issued"
        },
    )


def test_status_change_date_without_a_change_is_not_an_event(gather, world):
    gather(card_row(1, ZZZT="01"))
    counts, _ = gather(card_row(1, ZZZT="01", ZZZTBGRQ="2026-10-30"))
    assert counts.unchanged == 1
    assert len(events(world.node, "issued")) == 1


def test_changed_date_of_issue_is_rejected_and_the_gathered_one_stays(gather, world):
    gather(card_row(1))
    counts, problems = gather(card_row(1, ZZBFRQ="2026-01-06"))
    assert (counts.rejected, counts.unchanged) == (1, 0)
    assert problems == {
        "ZZBFRQ": "ZZBFRQ 2026-01-06: the date of issue differs from the gathered"
        " 2026-01-05 of ZZBH P0000001; a gathered license keeps its date of issue:"
        " send the gathered date, or give another license its own paper number"
    }
    with world.node.database.reading() as conn:
        stored = conn.execute(select(licenses.c.issue_date)).scalars().all()
    assert [day.isoformat() for day in stored] == ["2026-01-05"]


def test_changed_first_valid_day_is_rejected(gather):
    gather(card_row(1))
    counts, problems = gather(card_row(1, ZZYXQQSRQ="2026-01-07"))
    assert counts.rejected == 1
    assert problems["ZZYXQQSRQ"].startswith(
        "ZZYXQQSRQ 2026-01-07: the first valid day differs from the gathered"
        " 2026-01-05 of ZZBH P0000001"
    )


def test_first_valid_day_of_an_extended_version_is_accepted(gather, world, clock):
    gather(card_row(1))
    gather(card_row(1, ZZYXQJZRQ="2046-01-04"))  # extended: the version starts today
    counts, _ = gather(card_row(1, ZZYXQQSRQ="2026-11-02", ZZYXQJZRQ="2046-01-04"))
    assert counts.unchanged == 1
    # The first version's first day, as the department's system keeps it: as well.
    counts, _ = gather(card_row(1, ZZYXQJZRQ="2046-01-04"), card_row(2))
    assert (counts.unchanged, counts.accepted) == (1, 1)


def test_date_of_issue_after_the_day_of_gathering_is_rejected(gather, world):
    counts, problems = gather(card_row(1, ZZBFRQ="2026-11-03", ZZYXQQSRQ="2026-11-03"))
    assert counts.rejected == 1
    assert problems["ZZBFRQ"] == (
        "ZZBFRQ 2026-11-03 is after the day of gathering (2026-11-02); a license is"
        " gathered after it is issued: correct the date of issue"
    )


def rejected(node) -> list[tuple[str | None, str | None, str]]:
    """Field, value and reason of every rejection stored, oldest first."""
    with node.database.reading() as conn:
        return [
            (item.field, item.value, item.reason)
            for batch in range(1, 20)
            for item in list_rejections(conn, batch)
        ]


def versions(node) -> list[tuple[int, str]]:
    """Version number and status of every license stored, oldest first."""
    with node.database.reading() as conn:
        return [
            (row.version, row.status)
            for row in conn.execute(
                select(licenses.c.version, licenses.c.status).order_by(licenses.c.id)
            )
        ]


def test_status_change_dated_before_a_correction_is_recorded_first(gather, world):
    gather(card_row(1))
    counts, problems = gather(
        card_row(1, CZZT="李四", ZZZT="02", ZZZTBGRQ="2026-10-30")
    )
    assert (counts.updated, problems) == (1, {})
    # Suspended on its day, on the first version; the correction, today, makes the
    # second, which keeps the suspension.
    assert events(world.node, "suspended") == [datetime(2026, 10, 29, 16, tzinfo=UTC)]
    assert events(world.node, "corrected") == [datetime(2026, 11, 2, 10, tzinfo=UTC)]
    assert versions(world.node) == [(1, "superseded"), (2, "suspended")]


def test_status_change_dated_before_the_latest_event_names_zzztbgrq(gather, world):
    gather(card_row(1))
    gather(card_row(1, ZZZT="02", ZZZTBGRQ="2026-10-30"))
    counts, _ = gather(card_row(1, ZZZT="01", ZZZTBGRQ="2026-10-20"))
    assert counts.rejected == 1
    assert rejected(world.node) == [
        (
            "ZZZTBGRQ",
            "2026-10-20",
            "ZZZTBGRQ 2026-10-20 is before the latest event of ZZBH P0000001"
            " happened at 2026-10-29T16:00:00Z; a license's changes are recorded in"
            " the order they happened: send the status change with the day it"
            " happened, after that",
        )
    ]
    assert events(world.node, "released") == []


def test_dated_status_change_on_a_version_issued_after_it_names_zzztbgrq(gather, world):
    gather(card_row(1))
    gather(card_row(1, CZZT="李四"))  # corrected today: version 002 from 2 November
    counts, _ = gather(card_row(1, CZZT="李四", ZZZT="02", ZZZTBGRQ="2026-10-30"))
    assert counts.rejected == 1
    ((field, value, reason),) = rejected(world.node)
    assert (field, value) == ("ZZZTBGRQ", "2026-10-30")
    assert reason.startswith("ZZZTBGRQ 2026-10-30 is before version ")
    assert "of ZZBH P0000001 was issued on 2026-11-02; a license's changes" in reason


def test_row_that_ends_a_license_on_its_day_and_corrects_it_is_refused(gather, world):
    gather(card_row(1))
    counts, _ = gather(card_row(1, CZZT="李四", ZZZT="07", ZZZTBGRQ="2026-10-30"))
    assert counts.rejected == 1
    assert rejected(world.node) == [
        (
            "ZZZT",
            "07",
            "ZZZT 07: the row ends license ZZBH P0000001 as of ZZZTBGRQ 2026-10-30"
            " and also changes CZZT, which the library can record only after that"
            " day, on a license that has ended: send the row with the data the"
            " license had when it ended, or record the change through the API"
            " first, dated before",
        )
    ]
    assert versions(world.node) == [(1, "valid")]


def test_row_that_ends_a_license_without_a_day_corrects_it_first(gather, world):
    gather(card_row(1))
    counts, problems = gather(card_row(1, CZZT="李四", ZZZT="07"))
    assert (counts.updated, problems) == (1, {})
    assert versions(world.node) == [(1, "superseded"), (2, "revoked")]


def test_lifecycle_refusal_names_zzzt_and_its_value(gather, world):
    gather(card_row(1, ZZZT="07"))
    counts, _ = gather(card_row(1, ZZZT="02"))
    assert counts.rejected == 1
    assert rejected(world.node) == [
        (
            "ZZZT",
            "02",
            "ZZZT 02: cannot record `suspended`: the license is revoked and no event"
            " can follow that",
        )
    ]


def test_extension_the_lifecycle_refuses_names_zzyxqjzrq_and_the_day(gather, world):
    gather(card_row(1))
    counts, _ = gather(
        card_row(1, ZZZT="02", ZZZTBGRQ="2026-10-30", ZZYXQJZRQ="2046-01-04")
    )
    assert counts.rejected == 1
    assert rejected(world.node) == [
        (
            "ZZYXQJZRQ",
            "2046-01-04",
            "ZZYXQJZRQ 2046-01-04: cannot record `extended`: the license is"
            " suspended, not valid",
        )
    ]
    # Nothing of the row was kept: the suspension went with the extension.
    assert events(world.node, "suspended") == []
