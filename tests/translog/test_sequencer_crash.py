"""Killing the sequencer at any moment loses, duplicates and reorders nothing.

A real `zhengzhao log sequence --once` process integrates a queue of leaves in small
batches and is killed with SIGKILL part way, several times; after a final run the log
holds every event exactly once, in the order the events were queued, and the audit
finds nothing. Likewise a real `zhengzhao serve`, its sequencer inside, is killed
twice while licenses are issued to it from several threads, and restarted.
"""

import os
import signal
import subprocess
import sys
import threading
import time

import httpx
import pytest
from sqlalchemy import func, select, text

from support.cli import write_config
from support.live import free_port
from support.world import example_fields, person_id, type_code
from zhengzhao.storage.tables import license_events, log_checkpoints, log_outbox
from zhengzhao.translog.audit import audit

LICENSES = 400
BATCH = 4


def log_size(node) -> int:
    with node.database.reading() as conn:
        return conn.execute(select(func.max(log_checkpoints.c.size))).scalar() or 0


def command(config) -> list[str]:
    return [
        *(sys.executable, "-m", "zhengzhao"),
        *("--config", str(config), "log", "sequence", "--once"),
        *("--batch", str(BATCH)),
    ]


ENV = {**os.environ, "PYTHONWARNINGS": "ignore"}


def kill_when_size_reaches(process, node, size: int) -> int:
    """SIGKILL ``process`` as soon as the log reaches ``size``; the size then."""
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        if log_size(node) >= size:
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.002)
    process.wait(timeout=30)
    return log_size(node)


def test_sigkilled_sequencer_loses_duplicates_and_reorders_nothing(
    tmp_path, settings, world, node
):
    config = write_config(tmp_path / "node.toml", settings)
    for _ in range(LICENSES):
        world.issue()
    with node.database.reading() as conn:
        queued = (
            conn.execute(select(log_outbox.c.event_id).order_by(log_outbox.c.id))
            .scalars()
            .all()
        )
    assert len(queued) == LICENSES

    killed_at = []
    for target in (1, LICENSES // 3, 2 * LICENSES // 3):
        process = subprocess.Popen(
            command(config),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=ENV,
        )
        killed_at.append(kill_when_size_reaches(process, node, target))
    assert any(0 < size < LICENSES for size in killed_at), killed_at

    final = subprocess.run(
        command(config), capture_output=True, text=True, env=ENV, timeout=300
    )
    assert final.returncode == 0, final.stderr

    with node.database.reading() as conn:
        logged = (
            conn.execute(text("SELECT event_id FROM log_entries ORDER BY idx"))
            .scalars()
            .all()
        )
        pending = conn.execute(select(func.count()).select_from(log_outbox)).scalar()
        events = conn.execute(select(func.count()).select_from(license_events)).scalar()
    assert pending == 0
    assert logged == queued  # each once, in queue order
    assert events == LICENSES
    report = audit(node)
    assert report.clean and report.size == LICENSES


# --- the server killed while licenses are issued ------------------------------------

#: Licenses issued over HTTP while the server is killed twice.
ISSUED = 120
#: Threads issuing at once.
ISSUERS = 4


class LiveServer:
    """A real `zhengzhao serve` process, its sequencer inside, on a free port."""

    def __init__(self, config) -> None:
        self.config = config
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "zhengzhao", "--config", str(self.config)),
                *("serve", "--host", "127.0.0.1", "--port", str(self.port)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=ENV,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, "the server exited"
            try:
                if httpx.get(f"{self.url}/v1/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise AssertionError("the server did not start")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)


def issue_until_done(server: LiveServer, world, numbers: list[int]) -> None:
    """Issue each numbered license, retrying with its idempotency key through
    any outage, until every one is answered 201."""
    headers = world.headers("psb_tianshan")
    deadline = time.monotonic() + 240
    for number in numbers:
        body = {
            "typeCode": type_code("resident-identity-card"),
            "holder": {"identifier": person_id(), "name": "张三"},
            "fields": example_fields("resident-identity-card"),
            "validUntil": "2036-01-01",
        }
        while True:
            assert time.monotonic() < deadline, "issuing did not finish"
            try:
                answer = httpx.post(
                    f"{server.url}/v1/licenses",
                    json=body,
                    headers={**headers, "Idempotency-Key": f"crash-{number}"},
                    timeout=10,
                )
            except httpx.HTTPError:
                time.sleep(0.05)  # the server is down: the same key again
                continue
            assert answer.status_code == 201, answer.text
            break


@pytest.mark.slow
def test_sigkilled_server_loses_duplicates_and_reorders_nothing_under_load(
    tmp_path, settings, world, node
):
    config = write_config(tmp_path / "node.toml", settings, "log_merge_delay = 0.3")
    server = LiveServer(config)
    server.start()
    shares = [list(range(n, ISSUED, ISSUERS)) for n in range(ISSUERS)]
    issuers = [
        threading.Thread(target=issue_until_done, args=(server, world, share))
        for share in shares
    ]
    for thread in issuers:
        thread.start()
    killed_at = []
    for target in (ISSUED // 5, ISSUED // 2):
        deadline = time.monotonic() + 120
        while log_size(node) < target and time.monotonic() < deadline:
            time.sleep(0.005)
        server.kill()
        killed_at.append(log_size(node))
        server.start()
    for thread in issuers:
        thread.join(timeout=300)
    deadline = time.monotonic() + 60
    while log_size(node) < ISSUED and time.monotonic() < deadline:
        time.sleep(0.05)
    server.kill()
    assert all(0 < size < ISSUED for size in killed_at), killed_at

    with node.database.reading() as conn:
        logged = conn.execute(
            text("SELECT idx, event_id FROM log_entries ORDER BY idx")
        ).all()
        events = conn.execute(select(license_events.c.id)).scalars().all()
        pending = conn.execute(select(func.count()).select_from(log_outbox)).scalar()
    assert len(events) == ISSUED  # each license once, through every retry
    assert pending == 0
    assert [index for index, _event in logged] == list(range(ISSUED))
    assert sorted(event for _index, event in logged) == sorted(events)  # each once
    if node.database.is_sqlite:
        # SQLite commits one writer at a time, so queue order is event order.
        assert [event for _index, event in logged] == sorted(events)
    report = audit(node)
    assert report.clean, [str(f) for f in report.findings]
    assert report.size == ISSUED
