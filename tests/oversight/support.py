"""A month of known quality: two departments, batches, fixes, events, declarations.

November 2026, for 乌鲁木齐市公安局天山区分局 (``psb_tianshan``, resident identity
cards, gathered from files) and 乌鲁木齐市市场监督管理局 (``market_urumqi``, business
licences through the API). Every figure the assessment should find is written out in
`EXPECTED`, worked by hand from the rows below.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from gathering.support import card_row, write_csv
from support.world import OPERATOR, World, example_fields, org_id, type_code
from zhengzhao.gathering.reader import SourceFormat
from zhengzhao.gathering.service import BatchView, run_submitted, submit_batch
from zhengzhao.oversight.volumes import VolumeDeclaration, declare_volume
from zhengzhao.storage.tables import licenses

CARD = type_code("resident-identity-card")
BUSINESS = type_code("business-licence")
MONTH = "2026-11"
#: When the assessment runs: after the month, with a later declaration standing.
ASSESSED_AT = datetime(2026, 12, 5, 2, 0, tzinfo=UTC)


def wrong_check(code: str) -> str:
    """``code`` with its last character replaced by another digit."""
    return code[:-1] + ("1" if code[-1] != "1" else "2")


def gather(
    world: World, clock: Any, path: Path, key: str = "psb_tianshan"
) -> BatchView:
    submission = submit_batch(
        world.node,
        principal=OPERATOR,
        department_code=world.departments[key].credit_code,
        type_code=CARD,
        path=path,
        format=SourceFormat.CSV,
        mapping=None,
        filename=path.name,
        keep_copy=False,
        now=clock.now(),
    )
    return run_submitted(
        world.node, submission=submission, principal=OPERATOR, path=path, clock=clock
    )


def identifier_of(world: World, paper_number: str) -> str:
    with world.node.database.reading() as conn:
        return str(
            conn.execute(
                select(licenses.c.identifier).where(
                    licenses.c.paper_number == paper_number
                )
            ).scalar_one()
        )


def declare(world: World, clock: Any, key: str, expected: int, as_of: date) -> None:
    with world.node.database.transaction() as conn:
        declare_volume(
            conn,
            principal=OPERATOR,
            declaration=VolumeDeclaration(
                department_code=world.departments[key].credit_code,
                type_code=CARD,
                expected=expected,
                as_of=as_of,
            ),
            now=clock.now(),
        )


def build_month(world: World, clock: Any, tmp_path: Path) -> None:
    """Store the month's history; the clock ends at `ASSESSED_AT`."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    # October: one card gathered, one rejected for its check character, never fixed.
    clock.moment = datetime(2026, 10, 20, 2, 0, tzinfo=UTC)
    declare(world, clock, "psb_tianshan", 8, date(2026, 10, 20))
    bad = card_row(102)
    gather(
        world,
        clock,
        write_csv(
            tmp_path / "october.csv",
            [
                card_row(101, ZZBFRQ="2026-10-19", ZZYXQQSRQ="2026-10-19"),
                {**bad, "CZZTDM": wrong_check(bad["CZZTDM"])},
            ],
        ),
    )

    # 2 November, 18:00 in Urumqi's official time: five rows, three gathered with
    # delays of 0, 1 and 30 days, one with a bad check character, one without `sex`.
    clock.moment = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    fourth = card_row(4, ZZBFRQ="2026-11-01", ZZYXQQSRQ="2026-11-01")
    fifth = card_row(5)
    del fifth["sex"]
    gather(
        world,
        clock,
        write_csv(
            tmp_path / "november-1.csv",
            [
                card_row(1, ZZBFRQ="2026-11-02", ZZYXQQSRQ="2026-11-02"),
                card_row(2, ZZBFRQ="2026-11-01", ZZYXQQSRQ="2026-11-01"),
                card_row(3, ZZBFRQ="2026-10-03", ZZYXQQSRQ="2026-10-03"),
                {**fourth, "CZZTDM": wrong_check(fourth["CZZTDM"])},
                fifth,
            ],
        ),
    )

    # 10 November: the fourth row again, fixed: gathered 9 days after its issue.
    clock.moment = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
    gather(world, clock, write_csv(tmp_path / "november-2.csv", [fourth]))

    # 12 November: a suspension recorded 48 hours late, and a release on the spot.
    clock.moment = datetime(2026, 11, 12, 2, 0, tzinfo=UTC)
    first = identifier_of(world, "P0000001")
    world.event(first, "suspended", occurredAt="2026-11-10T02:00:00Z")
    world.event(first, "released")

    # 5 November: two business licences through the API, one for a pilot-era code.
    clock.moment = datetime(2026, 11, 5, 2, 0, tzinfo=UTC)
    fields = example_fields("business-licence")
    world.issue("market_urumqi", "business-licence", holder=org_id(7), fields=fields)
    world.issue(
        "market_urumqi",
        "business-licence",
        holder=wrong_check(org_id(8)),
        name="乌鲁木齐试点商贸有限公司",
        fields=fields,
        lenient_identifier=True,
    )

    # December: a declaration for a day after the month does not count for it.
    clock.moment = ASSESSED_AT
    declare(world, clock, "psb_tianshan", 100, date(2026, 12, 1))


#: psb_tianshan: completeness 5 of 8; identifiers and schema each 1 of 6 rows;
#: delays 0, 1, 30, 9 days (2 on time); events 48 h and 0 h; 1 of 3 rows fixed
#: (the October row stays open).
TIANSHAN_SCORE = (
    30 * 62.5 + 10 * 500 / 6 + 10 * 500 / 6 + 5 * 100 + 15 * 50 + 10 * 50 + 15 * 100 / 3
) / 95
#: market_urumqi: one lenient code of two; both gathered the day they were issued.
MARKET_SCORE = (5 * 50 + 15 * 100) / 20

EXPECTED: dict[str, dict[str, dict[str, float | int | None]]] = {
    "psb_tianshan": {
        "completeness": {"counted": 5, "expected": 8, "rate": 5 / 8},
        "identifiers": {"submitted": 6, "failed": 1, "rate": 1 / 6},
        "schema": {"submitted": 6, "failed": 1, "rate": 1 / 6},
        "metadata": {"submitted": 6, "failed": 0, "rate": 0.0},
        "gathering_delay": {"records": 4, "median": 1, "p95": 30, "on_time": 0.5},
        "recording_delay": {"records": 2, "median": 0, "p95": 48, "on_time": 0.5},
        "rectification": {"open": 3, "fixed": 1, "rate": 1 / 3},
    },
    "market_urumqi": {
        "lenient": {"licenses": 2, "lenient": 1, "rate": 0.5},
        "gathering_delay": {"records": 2, "median": 0, "p95": 0, "on_time": 1.0},
    },
}
