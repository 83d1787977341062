"""Killing `zhengzhao serve` in the middle of a batch submitted through the API loses
nothing and gathers nothing twice: the next `zhengzhao serve` resumes the batch from
the copy the database keeps, after its last committed chunk.

A real server process gathers a file in its background and is killed with SIGKILL
once its first chunk has committed; a second server, started on the same database,
finishes the batch by itself. The file changes licenses gathered before as well as
bringing new ones (`crash`).
"""

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from gathering.crash import (
    assert_gathered_once,
    base_rows,
    file_rows,
    kill_when_done_reaches,
)
from gathering.support import write_csv
from oversight.support import gather
from support.cli import write_config
from support.live import free_port
from support.world import type_code
from zhengzhao.gathering.batches import CHUNK_ROWS
from zhengzhao.storage.gathering import batch_by_id

#: Three chunks and a part: the server is killed after the first.
NEW = 3 * CHUNK_ROWS
ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}


def serve(config, port: int) -> subprocess.Popen[bytes]:
    """A `zhengzhao serve` process, once it answers."""
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "zhengzhao", "--config", str(config), "serve"),
            *("--host", "127.0.0.1", "--port", str(port)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=ENV,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited"
        try:
            httpx.get(f"http://127.0.0.1:{port}/v1/health", timeout=1)
        except httpx.TransportError:
            time.sleep(0.1)
        else:
            return process
    process.kill()
    raise AssertionError("the server did not start")


def wait_finished(node, batch_id: int) -> None:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        with node.database.reading() as conn:
            batch = batch_by_id(conn, batch_id)
        assert batch is not None and batch.state != "stopped", batch
        if batch.state == "finished":
            return
        time.sleep(0.2)
    raise AssertionError(f"batch {batch_id} did not finish")


@pytest.mark.slow
def test_sigkilled_server_resumes_the_batch_when_it_starts_again(
    tmp_path, settings, world, node, clock
):
    config = write_config(tmp_path / "node.toml", settings)
    gather(world, clock, write_csv(tmp_path / "base.csv", base_rows()))
    rows = file_rows(NEW)
    content = write_csv(tmp_path / "cards.csv", rows).read_bytes()
    port = free_port()

    server = serve(config, port)
    try:
        response = httpx.post(
            f"http://127.0.0.1:{port}/v1/gathering/batches",
            params={"type": type_code("resident-identity-card")},
            files={"file": ("cards.csv", content, "text/csv")},
            headers=world.headers("psb_tianshan"),
            timeout=60,
        )
        assert response.status_code == 202, response.text
        batch_id = response.json()["id"]
        killed_at = kill_when_done_reaches(server, node, CHUNK_ROWS)
    finally:
        server.kill()
        server.wait(timeout=30)
    assert 0 < killed_at < len(rows), killed_at

    server = serve(config, port)
    try:
        wait_finished(node, batch_id)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert_gathered_once(node, rows, batch_id=batch_id)
