"""What the crash tests gather, and how they check that each row counted once.

The library first holds `BASE` licenses; the file then brings new licenses (every
`BAD_EVERY`-th with an impossible date, rejected), corrections of the holder's name
for the first half of the base, and suspensions, with their dates, for the second
half: rows that change what earlier batches gathered, spread through the file so
that a crash falls between them.
"""

from __future__ import annotations

import signal
import time
from typing import Any

from sqlalchemy import func, select

from gathering.support import card_row
from zhengzhao.storage.tables import (
    gathering_batches,
    gathering_rejections,
    license_events,
    licenses,
)

#: Licenses gathered before the file: P1 … P`BASE`.
BASE = 60
#: Every `BAD_EVERY`-th new row has an impossible date and is rejected.
BAD_EVERY = 50
CORRECTED = range(1, BASE // 2 + 1)
SUSPENDED = range(BASE // 2 + 1, BASE + 1)
CORRECTED_NAME = "张三丰"
SUSPENDED_ON = "2026-01-20"


def base_rows() -> list[dict[str, Any]]:
    return [card_row(number) for number in range(1, BASE + 1)]


def file_rows(new: int) -> list[dict[str, Any]]:
    """``new`` new rows (numbered after the base), with the changed rows spread
    evenly among them."""
    fresh = [
        card_row(number, ZZYXQJZRQ="2036-02-30")
        if (number - BASE) % BAD_EVERY == 0
        else card_row(number)
        for number in range(BASE + 1, BASE + new + 1)
    ]
    changed = [card_row(number, CZZT=CORRECTED_NAME) for number in CORRECTED] + [
        card_row(number, ZZZT="02", ZZZTBGRQ=SUSPENDED_ON) for number in SUSPENDED
    ]
    rows: list[dict[str, Any]] = []
    step = max(1, len(fresh) // len(changed))
    for index, row in enumerate(fresh):
        rows.append(row)
        if index % step == step - 1 and changed:
            rows.append(changed.pop(0))
    return rows + changed


def rows_done(node) -> int:
    with node.database.reading() as conn:
        done = conn.execute(
            select(gathering_batches.c.rows_done).order_by(
                gathering_batches.c.id.desc()
            )
        ).first()
    return done[0] if done else 0


def kill_when_done_reaches(process, node, rows: int) -> int:
    """SIGKILL ``process`` as soon as the last batch has ``rows`` rows done; the
    rows done then."""
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        if rows_done(node) >= rows:
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.002)
    process.wait(timeout=30)
    return rows_done(node)


def assert_gathered_once(node, rows: list[dict[str, Any]], *, batch_id: int) -> None:
    """Every valid row of ``rows`` (the file of batch ``batch_id``, whose header
    is row 1) counted exactly once, every invalid one rejected exactly once."""
    bad = [row for row in rows if row["ZZYXQJZRQ"] == "2036-02-30"]
    new = [row for row in rows if int(row["ZZBH"][1:]) > BASE and row not in bad]
    with node.database.reading() as conn:
        first_versions = (
            conn.execute(
                select(licenses.c.paper_number).where(
                    licenses.c.supersedes_id.is_(None)
                )
            )
            .scalars()
            .all()
        )
        events = conn.execute(
            select(licenses.c.paper_number, license_events.c.kind, func.count())
            .join(licenses, licenses.c.id == license_events.c.license_id)
            .where(license_events.c.kind.in_(["corrected", "suspended"]))
            .group_by(licenses.c.paper_number, license_events.c.kind)
        ).all()
        occurred = set(
            conn.execute(
                select(license_events.c.occurred_at).where(
                    license_events.c.kind == "suspended"
                )
            ).scalars()
        )
        rejected = (
            conn.execute(
                select(gathering_rejections.c.row_number).where(
                    gathering_rejections.c.batch_id == batch_id
                )
            )
            .scalars()
            .all()
        )
        batch = conn.execute(
            select(gathering_batches).where(gathering_batches.c.id == batch_id)
        ).one()
    assert sorted(first_versions) == sorted(
        [f"P{n:07d}" for n in range(1, BASE + 1)] + [row["ZZBH"] for row in new]
    )
    assert sorted((paper, kind, count) for paper, kind, count in events) == sorted(
        [(f"P{n:07d}", "corrected", 1) for n in CORRECTED]
        + [(f"P{n:07d}", "suspended", 1) for n in SUSPENDED]
    )
    assert [moment.isoformat() for moment in occurred] == [
        "2026-01-19T16:00:00+00:00"  # 20 January, 00:00 China Standard Time
    ]
    assert sorted(rejected) == sorted(rows.index(row) + 2 for row in bad)
    assert (batch.state, batch.rows_done) == ("finished", len(rows))
    assert (batch.accepted, batch.updated, batch.rejected, batch.unchanged) == (
        len(new),
        len(CORRECTED) + len(SUSPENDED),
        len(bad),
        0,
    )
