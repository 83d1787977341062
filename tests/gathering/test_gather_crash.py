"""Killing `zhengzhao gather` at any moment loses nothing and gathers nothing twice.

A real `python -m zhengzhao gather` process works through a file in small chunks and
is killed with SIGKILL part way, several times; the same command run once more
finishes the batch, and the library then holds every valid row's license exactly
once and every invalid row's rejection exactly once. A CSV file and an Excel workbook
resume alike: from the count of rows their committed chunks hold.
"""

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from gathering.support import card_row, write_csv, write_xlsx
from support.cli import write_config
from support.world import type_code
from zhengzhao.storage.tables import gathering_batches, gathering_rejections, licenses

ROWS = 600
CHUNK = 20
#: Every 50th row has an impossible date and is rejected.
BAD_EVERY = 50


def rows_done(node) -> int:
    with node.database.reading() as conn:
        done = conn.execute(select(gathering_batches.c.rows_done)).scalar()
    return done or 0


def kill_when_done_reaches(process, node, rows: int) -> int:
    """SIGKILL ``process`` as soon as the batch has ``rows`` rows done; rows then."""
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        if rows_done(node) >= rows:
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.002)
    process.wait(timeout=30)
    return rows_done(node)


ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_sigkilled_gather_resumes_and_gathers_each_row_once(
    tmp_path, settings, world, node, suffix
):
    config = write_config(tmp_path / "node.toml", settings)
    rows = [
        card_row(number, ZZYXQJZRQ="2036-02-30")
        if number % BAD_EVERY == 0
        else card_row(number)
        for number in range(1, ROWS + 1)
    ]
    write = write_csv if suffix == "csv" else write_xlsx
    path = write(tmp_path / f"cards.{suffix}", rows)
    command = [
        *(sys.executable, "-m", "zhengzhao", "--config", str(config), "gather"),
        *(str(path), "--type", type_code("resident-identity-card")),
        *("--department", world.departments["psb_tianshan"].credit_code),
        *("--chunk-rows", str(CHUNK), "--json"),
    ]

    killed_at = []
    for target in (1, ROWS // 3, 2 * ROWS // 3):
        process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV
        )
        killed_at.append(kill_when_done_reaches(process, node, target))
    assert any(0 < done < ROWS for done in killed_at), killed_at

    final = subprocess.run(
        command, capture_output=True, text=True, env=ENV, timeout=300
    )
    assert final.returncode == 1, final.stderr  # rows were rejected

    bad = ROWS // BAD_EVERY
    with node.database.reading() as conn:
        paper_numbers = conn.execute(select(licenses.c.paper_number)).scalars().all()
        rejected_rows = (
            conn.execute(select(gathering_rejections.c.row_number)).scalars().all()
        )
        batch = conn.execute(select(gathering_batches)).one()
        batches = conn.execute(
            select(func.count()).select_from(gathering_batches)
        ).scalar()
    assert sorted(paper_numbers) == sorted(
        row["ZZBH"] for row in rows if row["ZZYXQJZRQ"] != "2036-02-30"
    )
    # Row n of the file is row n + 1 of the CSV: the header is row 1.
    assert sorted(rejected_rows) == [
        n + 1 for n in range(BAD_EVERY, ROWS + 1, BAD_EVERY)
    ]
    assert batches == 1
    assert (batch.state, batch.rows_done) == ("finished", ROWS)
    assert (batch.accepted, batch.rejected, batch.unchanged) == (ROWS - bad, bad, 0)

    again = subprocess.run(
        command, capture_output=True, text=True, env=ENV, timeout=300
    )
    assert again.returncode == 1
    assert '"alreadyFinished": true' in again.stdout
    with node.database.reading() as conn:
        assert conn.execute(select(func.count()).select_from(licenses)).scalar() == (
            ROWS - bad
        )
