"""`zhengzhao log` and `zhengzhao witness`: key, sequencer, audit, monitor, witness."""

import json
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy import text

from support.cli import invoke, write_config
from support.live import free_port, serving
from zhengzhao.config import load_settings
from zhengzhao.demo.witness import serve_witness_in_background
from zhengzhao.model.time import SystemClock
from zhengzhao.node import Node
from zhengzhao.translog.audit import audit
from zhengzhao.translog.cosigning import Cosigner
from zhengzhao.translog.sequencer import integrate
from zhengzhao.translog.service import cosigned_checkpoint


@pytest.fixture
def config(tmp_path, settings, world):
    return write_config(tmp_path / "node.toml", settings)


def run(config, *args):
    return invoke("--config", str(config), *args)


def test_log_vkey_prints_the_key_the_checkpoints_verify_with(config, world, node):
    result = run(config, "log", "vkey")
    assert result.exit_code == 0, result.output
    printed = result.output.strip()
    assert printed.startswith("zz.test/log+")
    with node.database.reading() as conn:
        assert node.log_keys.verifier_key(conn) == printed
    assert run(config, "log", "vkey").output.strip() == printed  # created once


def test_log_sequence_once_integrates_everything_pending(config, world, node):
    for _ in range(7):
        world.issue()
    result = run(config, "log", "sequence", "--once", "--batch", "3")
    assert result.exit_code == 0, result.output
    assert "7 leaves integrated; the log's size is 7" in result.output
    assert world.http.get("/log/checkpoint").text.split("\n")[1] == "7"


def test_log_audit_exits_zero_when_clean_and_one_naming_a_changed_event(
    config, world, node, clock
):
    identifier = world.issue()["identifier"]
    world.event(identifier, "suspended", reason="暂扣")
    integrate(node, now=clock.now())
    clean = run(config, "log", "audit")
    assert clean.exit_code == 0, clean.output
    assert "clean" in clean.output
    with node.database.transaction() as conn:
        conn.execute(
            text("UPDATE license_events SET reason = '误扣' WHERE sequence = 2")
        )
    found = run(config, "log", "audit", "--json")
    assert found.exit_code == 1
    report = json.loads(found.stdout)
    assert not report["clean"]
    assert {(f["kind"], f["license"], f["sequence"]) for f in report["findings"]} == {
        ("changed", identifier, 2)
    }


def test_log_audit_with_a_trusted_checkpoint_finds_a_rollback(
    config, world, node, clock, tmp_path
):
    world.issue()
    integrate(node, now=clock.now())
    world.issue()
    integrate(node, now=clock.now())
    trusted = tmp_path / "trusted.note"
    trusted.write_text(world.http.get("/log/checkpoint").text)
    with node.database.transaction() as conn:
        conn.execute(text("DELETE FROM log_checkpoints WHERE size = 2"))
        conn.execute(text("DELETE FROM log_entries WHERE idx = 1"))
    result = run(config, "log", "audit", "--trusted", str(trusted))
    assert result.exit_code == 1
    assert "truncated" in result.output


def test_log_monitor_follows_a_growing_log(world, node, clock, tmp_path):
    state = tmp_path / "monitor.json"
    world.issue()
    integrate(node, now=clock.now())
    with serving(world.http.app, free_port()) as url:
        first = invoke("log", "monitor", url, "--state", str(state), "--once")
        assert first.exit_code == 0, first.output
        assert "following zz.test/log from size 1" in first.output
        for _ in range(300):  # across a full tile
            world.issue()
        integrate(node, now=clock.now())
        second = invoke("log", "monitor", url, "--state", str(state), "--once")
    assert second.exit_code == 0, second.output
    assert "consistent: size 1 -> 301" in second.output
    assert json.loads(state.read_text())["size"] == 301


def test_log_monitor_reports_a_fork_and_keeps_its_last_good_view(
    world, node, clock, tmp_path
):
    state = tmp_path / "monitor.json"
    for _ in range(3):
        world.issue()
    integrate(node, now=clock.now())
    with serving(world.http.app, free_port()) as url:
        assert (
            invoke("log", "monitor", url, "--state", str(state), "--once").exit_code
            == 0
        )
        seen = json.loads(state.read_text())
        # The operator rewrites history: drops the log and grows another one,
        # signed with the same log key.
        with node.database.transaction() as conn:
            for table in ("log_cosignatures", "log_checkpoints", "log_hashes"):
                conn.execute(text(f"DELETE FROM {table}"))
            conn.execute(text("DELETE FROM log_entries"))
        for _ in range(5):
            world.issue()
        integrate(node, now=clock.now())
        result = invoke("log", "monitor", url, "--state", str(state), "--once")
    assert result.exit_code == 1
    assert "FORK" in result.output and "does not extend size 3" in result.output
    assert json.loads(state.read_text()) == seen


def test_log_monitor_refuses_a_log_signed_by_another_key(world, node, clock, tmp_path):
    world.issue()
    integrate(node, now=clock.now())
    other = "zz.test/log+00000000+AeHdFd6Kp1npaMNfiMkgo9izUkfR58esDvyvyO7s3hBW"
    with serving(world.http.app, free_port()) as url:
        result = invoke(
            "log", "monitor", url, "--vkey", other, "--state", str(tmp_path / "s")
        )
    assert result.exit_code == 2
    assert "error" in result.output


def test_witness_commands_need_a_witness_configuration(config):
    result = run(config, "witness", "vkey")
    assert result.exit_code == 2
    assert "not a witness" in result.output


def test_witness_vkey_and_empty_evidence(tmp_path, settings, world):
    config = write_config(
        tmp_path / "witness.toml",
        settings,
        'witness_name = "witness.zz.test"',
    )
    vkey = run(config, "witness", "vkey")
    assert vkey.exit_code == 0, vkey.output
    assert vkey.output.startswith("witness.zz.test+")
    evidence = run(config, "witness", "evidence")
    assert evidence.exit_code == 0
    assert "no refused checkpoints" in evidence.output


@pytest.mark.filterwarnings("ignore::zhengzhao.config.UnsafeDemoKeyWarning")
def test_demo_log_is_sequenced_audited_and_cosigned_by_its_witness(tmp_path):
    directory = tmp_path / "demo"
    port = free_port()
    result = invoke(
        "demo",
        *("--dir", str(directory), "--holders", "10", "--port", str(port)),
        "--no-serve",
    )
    assert result.exit_code == 0, result.output
    with Node(load_settings(directory / "zhengzhao.toml")) as demo_node:
        report = audit(demo_node)
        assert report.clean and report.size > 10
        with demo_node.database.reading() as conn:
            assert conn.execute(text("SELECT count(*) FROM log_outbox")).scalar() == 0
        witness = serve_witness_in_background(directory / "witness" / "zhengzhao.toml")
        try:
            Cosigner(demo_node, clock=SystemClock()).cosign_latest()
        finally:
            witness.stop()
        note = cosigned_checkpoint(demo_node)
    assert note.split("\n")[1] == str(report.size)
    assert "\n\u2014 witness.demo.zhengzhao " in note


def test_log_audit_with_the_published_vkey_finds_a_swapped_key(
    config, world, node, clock
):
    world.issue()
    integrate(node, now=clock.now())
    published = run(config, "log", "vkey").output.strip()
    clean = run(config, "log", "audit", "--vkey", published)
    assert clean.exit_code == 0, clean.output
    with node.database.transaction() as conn:
        conn.execute(
            text("UPDATE node_keys SET public_key = :k WHERE purpose = 'log'"),
            {"k": bytes(32)},
        )
    found = run(config, "log", "audit", "--vkey", published, "--json")
    assert found.exit_code == 1
    kinds = [f["kind"] for f in json.loads(found.stdout)["findings"]]
    assert kinds == ["untrusted-key", "untrusted-key"]


@contextmanager
def proxied(world) -> Iterator[tuple[str, dict[str, str | None]]]:
    """The node's log behind a cache that can be made to serve an old checkpoint:
    set ``served["note"]``; tiles always come from the node."""
    served: dict[str, str | None] = {"note": None}
    proxy = FastAPI()

    @proxy.get("/log/checkpoint")
    def checkpoint() -> PlainTextResponse:
        note = served["note"] or world.http.get("/log/checkpoint").text
        return PlainTextResponse(note)

    @proxy.get("/log/{path:path}")
    def rest(path: str) -> Response:
        answer = world.http.get(f"/log/{path}")
        return Response(answer.content, status_code=answer.status_code)

    with serving(proxy, free_port()) as url:
        yield url, served


def grow(world, node, clock, count: int) -> str:
    for _ in range(count):
        world.issue()
    return integrate(node, now=clock.now()).checkpoint


def rewrite_history(node) -> None:
    """The operator drops the whole log, to grow another with the same key."""
    with node.database.transaction() as conn:
        for table in ("log_cosignatures", "log_checkpoints", "log_hashes"):
            conn.execute(text(f"DELETE FROM {table}"))
        conn.execute(text("DELETE FROM log_entries"))


def monitor_once(url, state, vkey):
    return invoke(
        "log", "monitor", url, "--state", str(state), "--vkey", vkey, "--once"
    )


def test_log_monitor_takes_an_older_consistent_checkpoint_for_stale(
    world, node, clock, tmp_path
):
    state = tmp_path / "monitor.json"
    older = grow(world, node, clock, 3)
    grow(world, node, clock, 2)
    vkey = run_vkey(node)
    with proxied(world) as (url, served):
        assert monitor_once(url, state, vkey).exit_code == 0
        served["note"] = older  # a cache still holds size 3
        result = monitor_once(url, state, vkey)
    assert result.exit_code == 0, result.output
    assert "stale: served size 3, older than size 5 seen" in result.output
    assert json.loads(state.read_text())["size"] == 5


def test_log_monitor_finds_a_fork_in_an_older_inconsistent_checkpoint(
    world, node, clock, tmp_path
):
    state = tmp_path / "monitor.json"
    grow(world, node, clock, 5)
    vkey = run_vkey(node)
    with proxied(world) as (url, served):
        assert monitor_once(url, state, vkey).exit_code == 0
        rewrite_history(node)
        served["note"] = grow(world, node, clock, 3)  # another tree's size 3
        grow(world, node, clock, 4)  # its tiles reach past size 5
        result = monitor_once(url, state, vkey)
    assert result.exit_code == 1
    assert "FORK" in result.output
    assert "size 3 of zz.test/log is not a prefix of the size 5" in result.output


def test_log_monitor_finds_a_log_rolled_back_below_its_tiles(
    world, node, clock, tmp_path
):
    state = tmp_path / "monitor.json"
    grow(world, node, clock, 5)
    vkey = run_vkey(node)
    with proxied(world) as (url, _served):
        assert monitor_once(url, state, vkey).exit_code == 0
        rewrite_history(node)
        grow(world, node, clock, 2)
        result = monitor_once(url, state, vkey)
    assert result.exit_code == 1
    assert "went back from size 5 to 2 and no longer serves the tiles" in result.output


def run_vkey(node) -> str:
    with node.database.reading() as conn:
        key = node.log_keys.verifier_key(conn)
    assert key is not None
    return key
