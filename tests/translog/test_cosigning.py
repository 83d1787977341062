"""The sequencer in the server signs checkpoints within the merge delay, and no
witness, hung or refusing, holds it up; a witness that reports a fork is an ERROR."""

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import text

from support.live import free_port, serving
from zhengzhao.api.app import create_app
from zhengzhao.config import WitnessEndpoint
from zhengzhao.seals.algorithms import Algorithm, SigningKey
from zhengzhao.storage import log as log_store
from zhengzhao.translog.cosigning import Cosigner, CosigningThread
from zhengzhao.translog.note import CosignatureSigner
from zhengzhao.translog.sequencer import SequencerThread, integrate

#: Any well-formed witness key: a hung witness never gets to use it.
SOME_WITNESS_VKEY = CosignatureSigner(
    "witness.test/hung", SigningKey.generate(Algorithm.ED25519)
).verifier_key


def use_witness(node, witness) -> None:
    _witness_node, url, vkey = witness
    node.settings = node.settings.model_copy(
        update={"witnesses": [WitnessEndpoint(url=url, vkey=vkey)]}
    )


def cosigning_records(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "zhengzhao.translog.cosigning"]


def log_size(node) -> int:
    with node.database.reading() as conn:
        latest = log_store.latest_checkpoint(conn)
    return latest.size if latest else 0


def seconds_until_logged(world, node, deadline: float = 10.0) -> float:
    """Issue a license; seconds until a checkpoint covers its event."""
    world.issue()
    with node.database.reading() as conn:
        queued = log_store.pending_count(conn)
    target = log_size(node) + queued
    started = time.monotonic()
    while log_size(node) < target:
        assert time.monotonic() - started < deadline, "no checkpoint came"
        time.sleep(0.01)
    return time.monotonic() - started


class _Hang(BaseHTTPRequestHandler):
    """Reads the request and never answers until the server closes."""

    release: threading.Event

    def do_POST(self) -> None:
        self.server.asked += 1  # type: ignore[attr-defined]
        self.release.wait(30)

    def log_message(self, *_args: object) -> None:
        pass


@contextmanager
def hung_witness() -> Iterator[tuple[str, ThreadingHTTPServer]]:
    """A real HTTP server on loopback that accepts requests and never answers."""
    release = threading.Event()
    handler = type("Hang", (_Hang,), {"release": release})
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    server.asked = 0  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/witness", server
    finally:
        release.set()
        server.shutdown()
        server.server_close()


def test_sequencer_thread_integrates_within_the_merge_delay(world, node, clock):
    delay = node.settings.log_merge_delay
    sequencer = SequencerThread(node, clock=clock)
    sequencer.start()
    try:
        waits = [seconds_until_logged(world, node) for _ in range(4)]
    finally:
        sequencer.stop()
    assert max(waits) <= delay, waits
    with node.database.reading() as conn:
        assert log_store.pending_count(conn) == 0


def test_checkpoints_arrive_within_the_merge_delay_while_a_witness_hangs(
    world, node, clock
):
    delay = node.settings.log_merge_delay
    with hung_witness() as (url, server):
        node.settings = node.settings.model_copy(
            update={"witnesses": [WitnessEndpoint(url=url, vkey=SOME_WITNESS_VKEY)]}
        )
        app = create_app(node, clock=clock, background=True)
        with serving(app, free_port()):
            waits = []
            for _ in range(4):
                waits.append(seconds_until_logged(world, node))
                time.sleep(0.3)
        asked = server.asked  # type: ignore[attr-defined]
    assert max(waits) <= delay, waits
    assert asked >= 1  # the witness was asked, and hung


def test_cosigning_thread_asks_a_hung_witness_one_request_at_a_time(world, node, clock):
    with hung_witness() as (url, server):
        node.settings = node.settings.model_copy(
            update={"witnesses": [WitnessEndpoint(url=url, vkey=SOME_WITNESS_VKEY)]}
        )
        cosigning = CosigningThread(node, clock=clock, timeout=5.0, retry=0.05)
        cosigning.start()
        try:
            for _ in range(5):
                world.issue()
                integrate(node, now=clock.now())
                cosigning.notify()
                time.sleep(0.1)
        finally:
            cosigning.stop()
        asked = server.asked  # type: ignore[attr-defined]
    assert asked == 1  # still waiting for its first answer: not asked again


def test_witness_reporting_a_rollback_is_logged_as_an_error_with_evidence(
    world, node, clock, witness, caplog
):
    use_witness(node, witness)
    world.issue()
    world.issue()
    integrate(node, now=clock.now())
    world.issue()
    integrate(node, now=clock.now())
    Cosigner(node, clock=clock).cosign_latest()
    # The log goes back to size 2, and grows another third leaf.
    with node.database.transaction() as conn:
        conn.execute(text("DELETE FROM log_cosignatures"))
        conn.execute(text("DELETE FROM log_checkpoints WHERE size > 2"))
        conn.execute(text("DELETE FROM log_hashes WHERE level = 0 AND idx >= 2"))
        conn.execute(text("DELETE FROM log_entries WHERE idx >= 2"))
    with node.database.reading() as conn:
        rolled_back = log_store.latest_checkpoint(conn)
    assert rolled_back is not None
    with caplog.at_level(logging.WARNING, logger="zhengzhao.translog.cosigning"):
        Cosigner(node, clock=clock).cosign_latest()  # a restarted node: old 0
    (record,) = cosigning_records(caplog)
    assert record.levelname == "ERROR"
    assert "forked or went back" in record.getMessage()
    assert "larger than this log's 2" in record.getMessage()
    assert rolled_back.note in record.getMessage()

    caplog.clear()
    world.issue()
    integrate(node, now=clock.now())  # size 3 again, but another tree
    with caplog.at_level(logging.WARNING, logger="zhengzhao.translog.cosigning"):
        Cosigner(node, clock=clock).cosign_latest()
    (record,) = cosigning_records(caplog)
    assert record.levelname == "ERROR"
    assert "split view of zz.test/log" in record.getMessage()  # the witness's answer


@pytest.mark.parametrize("status", [500, 404])
def test_witness_failing_otherwise_is_a_warning(world, node, clock, status, caplog):
    class Fail(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(status)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Fail)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        node.settings = node.settings.model_copy(
            update={
                "witnesses": [
                    WitnessEndpoint(
                        url=f"http://127.0.0.1:{server.server_port}/witness",
                        vkey=SOME_WITNESS_VKEY,
                    )
                ]
            }
        )
        world.issue()
        integrate(node, now=clock.now())
        with caplog.at_level(logging.WARNING, logger="zhengzhao.translog.cosigning"):
            Cosigner(node, clock=clock).cosign_latest()
    finally:
        server.shutdown()
        server.server_close()
    (record,) = caplog.records
    assert record.levelname == "WARNING"
    assert f"HTTP {status}" in record.getMessage()


def test_cosigner_unable_to_prove_its_own_log_warns_and_never_raises(
    world, node, clock, witness, caplog
):
    use_witness(node, witness)
    cosigner = Cosigner(node, clock=clock)
    world.issue()
    integrate(node, now=clock.now())
    cosigner.cosign_latest()
    world.issue()
    step = integrate(node, now=clock.now())
    with node.database.transaction() as conn:
        conn.execute(text("DELETE FROM log_hashes"))  # no proof can be made now
    latest, missing = cosigner.missing()
    assert latest is not None and len(missing) == 1
    with caplog.at_level(logging.WARNING, logger="zhengzhao.translog.cosigning"):
        cosigner.ask(missing[0], latest)
    (record,) = cosigning_records(caplog)
    assert record.levelname == "WARNING"
    assert f"did not cosign size {step.new_size}" in record.getMessage()
