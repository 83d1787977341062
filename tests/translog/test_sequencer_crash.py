"""Killing the sequencer at any moment loses, duplicates and reorders nothing.

A real `zhengzhao log sequence --once` process integrates a queue of leaves in small
batches and is killed with SIGKILL part way, several times; after a final run the log
holds every event exactly once, in the order the events were queued, and the audit
finds nothing.
"""

import os
import signal
import subprocess
import sys
import time

from sqlalchemy import func, select, text

from support.cli import write_config
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
