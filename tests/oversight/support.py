"""A month of known quality: departments, batches, pushes, fixes, events,
declarations.

November 2026, for 乌鲁木齐市公安局天山区分局 (``psb_tianshan``, resident identity
cards, gathered from files and pushes) and 乌鲁木齐市市场监督管理局 (``market_urumqi``,
business licences through the API, no volume declared); the other departments of the
test world declare nothing and gather nothing, though the responsibility list gives
them types. Every figure the assessment should find is written out in `EXPECTED`,
worked by hand from the rows below.
"""

from __future__ import annotations

import csv
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
REGISTER = type_code("household-register")
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


def declare(
    world: World,
    clock: Any,
    key: str,
    expected: int,
    as_of: date,
    type_code: str = CARD,
) -> None:
    with world.node.database.transaction() as conn:
        declare_volume(
            conn,
            principal=OPERATOR,
            declaration=VolumeDeclaration(
                department_code=world.departments[key].credit_code,
                type_code=type_code,
                expected=expected,
                as_of=as_of,
            ),
            now=clock.now(),
        )


def write_rows(path: Path, rows: list[dict[str, Any] | list[str]]) -> Path:
    """A CSV file of ``rows``: a dict is a row under the header (the first dict's
    keys), a list is written as its cells are, however many they are."""
    header = list(next(row for row in rows if isinstance(row, dict)))
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for row in rows:
            writer.writerow(
                row if isinstance(row, list) else [row.get(n, "") for n in header]
            )
    return path


def push(world: World, record: dict[str, Any]) -> Any:
    response = world.post("psb_tianshan", f"/v1/gathering/records?type={CARD}", record)
    assert response.status_code in (200, 201, 422), response.text
    return response.json()


def build_month(world: World, clock: Any, tmp_path: Path) -> None:
    """Store the month's history; the clock ends at `ASSESSED_AT`."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    # October: one card gathered, one rejected for its check character, never fixed.
    clock.moment = datetime(2026, 10, 20, 2, 0, tzinfo=UTC)
    declare(world, clock, "psb_tianshan", 8, date(2026, 10, 20))
    # It holds no household registers, and says so: the type counts as declared.
    declare(world, clock, "psb_tianshan", 0, date(2026, 10, 20), REGISTER)
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

    # 2 November, 18:00 in Urumqi's official time: seven rows. Three gathered with
    # delays of 0, 1 and 30 days; one with a bad check character, one without `sex`;
    # one with a cell too many, fixed by the next row of the same file (delay 0).
    clock.moment = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    fourth = card_row(4, ZZBFRQ="2026-11-01", ZZYXQQSRQ="2026-11-01")
    fifth = card_row(5)
    del fifth["sex"]
    sixth = card_row(6, ZZBFRQ="2026-11-02", ZZYXQQSRQ="2026-11-02")
    first = card_row(1, ZZBFRQ="2026-11-02", ZZYXQQSRQ="2026-11-02")
    gather(
        world,
        clock,
        write_rows(
            tmp_path / "november-1.csv",
            [
                first,
                card_row(2, ZZBFRQ="2026-11-01", ZZYXQQSRQ="2026-11-01"),
                card_row(3, ZZBFRQ="2026-10-03", ZZYXQQSRQ="2026-10-03"),
                {**fourth, "CZZTDM": wrong_check(fourth["CZZTDM"])},
                {**fifth, "sex": ""},
                [*(str(value) for value in sixth.values()), "多余"],
                sixth,
            ],
        ),
    )

    # 5 November: three business licences through the API, one for a pilot-era
    # code, one issued on 2 November (a delay of 3 days: not on time).
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
    world.issue(
        "market_urumqi",
        "business-licence",
        holder=org_id(9),
        fields=fields,
        issueDate="2026-11-02",
    )

    # 6 November: a push with a bad check character; 7 November, the same record
    # fixed (gathered a day after its issue), and the suspension of the second
    # card pushed alone, 82 hours after the day it happened began.
    clock.moment = datetime(2026, 11, 6, 2, 0, tzinfo=UTC)
    seventh = card_row(7, ZZBFRQ="2026-11-06", ZZYXQQSRQ="2026-11-06")
    push(world, {**seventh, "CZZTDM": wrong_check(seventh["CZZTDM"])})
    clock.moment = datetime(2026, 11, 7, 2, 0, tzinfo=UTC)
    push(world, seventh)
    push(world, {"ZZBH": "P0000002", "ZZZT": "02", "ZZZTBGRQ": "2026-11-04"})

    # 10 November: the fourth row again, fixed: gathered 9 days after its issue;
    # and the first card shortened, which is refused.
    clock.moment = datetime(2026, 11, 10, 2, 0, tzinfo=UTC)
    gather(
        world,
        clock,
        write_csv(
            tmp_path / "november-2.csv", [fourth, {**first, "ZZYXQJZRQ": "2030-01-04"}]
        ),
    )

    # 12 November: a suspension recorded 48 hours late, and a release on the spot.
    # Neither fixes the first card's refused row: they change no data of it.
    clock.moment = datetime(2026, 11, 12, 2, 0, tzinfo=UTC)
    identifier = identifier_of(world, "P0000001")
    world.event(identifier, "suspended", occurredAt="2026-11-10T02:00:00Z")
    world.event(identifier, "released")

    # December: a declaration for a day after the month does not count for it.
    clock.moment = ASSESSED_AT
    declare(world, clock, "psb_tianshan", 100, date(2026, 12, 1))


#: psb_tianshan: completeness 7 of 8, both its types declared; 12 rows submitted
#: (7 and 2 in files, 3 pushes): identifiers 2 (a row, a push), schema 1, other 2
#: (a row's shape, a shortened license); delays 0, 0, 1, 1, 9, 30 days (4 on time);
#: status changes 0, 48 and 82 hours (1 on time); of 6 rows open, 3 fixed (the bad
#: check character of a row and of a push, the row with a cell too many) and 3 not
#: (October's row, the row without `sex`, the shortened license).
TIANSHAN_SCORE = (
    30 * 87.5
    + 10 * 1000 / 12
    + 10 * 1100 / 12
    + 5 * 1000 / 12
    + 15 * 400 / 6
    + 10 * 100 / 3
    + 15 * 50
) / 95
#: market_urumqi: two types on its list, none declared; one lenient code of three;
#: two gathered the day they were issued, one three days after.
MARKET_SCORE = (30 * 0 + 5 * 200 / 3 + 15 * 200 / 3) / 50
#: The departments that declared and gathered nothing: completeness 0, nothing else.
IDLE = ("psb_shayibake", "hrss_region", "land_tianshan")

EXPECTED: dict[str, dict[str, dict[str, float | int | None]]] = {
    "psb_tianshan": {
        "completeness": {
            "counted": 7,
            "expected": 8,
            "rate": 7 / 8,
            "declared": 2,
            "types": 2,
        },
        "identifiers": {"submitted": 12, "failed": 2, "rate": 2 / 12},
        "schema": {"submitted": 12, "failed": 1, "rate": 1 / 12},
        "metadata": {"submitted": 12, "failed": 2, "rate": 2 / 12},
        "gathering_delay": {"records": 6, "median": 1, "p95": 30, "on_time": 4 / 6},
        "recording_delay": {"records": 3, "median": 48, "p95": 82, "on_time": 1 / 3},
        "rectification": {"open": 6, "fixed": 3, "rate": 0.5},
    },
    "market_urumqi": {
        "completeness": {
            "counted": 0,
            "expected": 0,
            "rate": None,
            "declared": 0,
            "types": 2,
        },
        "lenient": {"licenses": 3, "lenient": 1, "rate": 1 / 3},
        "gathering_delay": {"records": 3, "median": 0, "p95": 3, "on_time": 2 / 3},
    },
    **{
        key: {
            "completeness": {
                "counted": 0,
                "expected": 0,
                "rate": None,
                "declared": 0,
                "types": types,
            }
        }
        for key, types in zip(IDLE, (2, 3, 1), strict=True)
    },
}
