"""Killing `zhengzhao gather` at any moment loses nothing and gathers nothing twice.

A real `python -m zhengzhao gather` process works through a file in small chunks and
is killed with SIGKILL part way, several times; the same command run once more
finishes the batch, and the library then holds every valid row's license exactly
once, every correction and status change of a license gathered before exactly once,
and every invalid row's rejection exactly once (`crash`). A CSV file and an Excel
workbook resume alike: from the count of rows their committed chunks hold.
"""

import os
import subprocess
import sys

import pytest
from sqlalchemy import func, select

from gathering.crash import (
    assert_gathered_once,
    base_rows,
    file_rows,
    kill_when_done_reaches,
)
from gathering.support import write_csv, write_xlsx
from support.cli import write_config
from support.world import type_code
from zhengzhao.storage.tables import gathering_batches, licenses

NEW = 540
CHUNK = 20

ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_sigkilled_gather_resumes_and_gathers_each_row_once(
    tmp_path, settings, world, node, suffix
):
    config = write_config(tmp_path / "node.toml", settings)
    write = write_csv if suffix == "csv" else write_xlsx

    def command(path):
        return [
            *(sys.executable, "-m", "zhengzhao", "--config", str(config), "gather"),
            *(str(path), "--type", type_code("resident-identity-card")),
            *("--department", world.departments["psb_tianshan"].credit_code),
            *("--chunk-rows", str(CHUNK), "--json"),
        ]

    base = subprocess.run(
        command(write(tmp_path / f"base.{suffix}", base_rows())),
        capture_output=True,
        text=True,
        env=ENV,
        timeout=300,
    )
    assert base.returncode == 0, base.stderr
    rows = file_rows(NEW)
    gathered = command(write(tmp_path / f"cards.{suffix}", rows))

    killed_at = []
    for target in (1, len(rows) // 3, 2 * len(rows) // 3):
        process = subprocess.Popen(
            gathered, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV
        )
        killed_at.append(kill_when_done_reaches(process, node, target))
    assert any(0 < done < len(rows) for done in killed_at), killed_at

    final = subprocess.run(
        gathered, capture_output=True, text=True, env=ENV, timeout=300
    )
    assert final.returncode == 1, final.stderr  # rows were rejected

    with node.database.reading() as conn:
        batch_id = conn.execute(select(func.max(gathering_batches.c.id))).scalar_one()
        batches = conn.execute(
            select(func.count()).select_from(gathering_batches)
        ).scalar()
        stored = conn.execute(select(func.count()).select_from(licenses)).scalar()
    assert batches == 2
    assert_gathered_once(node, rows, batch_id=batch_id)

    again = subprocess.run(
        gathered, capture_output=True, text=True, env=ENV, timeout=300
    )
    assert again.returncode == 1
    assert '"alreadyFinished": true' in again.stdout
    with node.database.reading() as conn:
        assert conn.execute(select(func.count()).select_from(licenses)).scalar() == (
            stored
        )
