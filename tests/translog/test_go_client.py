"""The node's log checked by an outside implementation: Go's sumdb note and tlog.

`goclient/main.go` is compiled with Debian's golang-go and golang-golang-x-mod-dev
(GOPATH mode, offline) and run against a live node: it opens the checkpoint with
`note.Open`, proves inclusion and consistency itself from the tiles with
`tlog.TileHashReader`, checks the proofs the node serves, and compares leaves with the
entry bundles. `scripts/test` installs the two packages when they are missing.
"""

import base64
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from support.live import free_port, serving
from zhengzhao.translog.note import Checkpoint
from zhengzhao.translog.sequencer import integrate

SOURCE = Path(__file__).parent / "goclient" / "main.go"
GOPATH = "/usr/share/gocode"


@pytest.fixture(scope="session")
def goclient(tmp_path_factory) -> Path:
    go = shutil.which("go")
    if go is None or not Path(GOPATH, "src/golang.org/x/mod/sumdb/tlog").is_dir():
        pytest.fail(
            "the Go client test needs Debian's golang-go and golang-golang-x-mod-dev:"
            " apt-get install -y golang-go golang-golang-x-mod-dev"
        )
    out = tmp_path_factory.mktemp("goclient")
    binary = out / "goclient"
    env = {
        **os.environ,
        "GO111MODULE": "off",
        "GOPATH": GOPATH,
        "GOCACHE": str(out / "cache"),
        "GOFLAGS": "",
    }
    subprocess.run(
        [go, "build", "-o", str(binary), str(SOURCE)],
        check=True,
        env=env,
        capture_output=True,
        timeout=300,
    )
    return binary


def run_goclient(binary: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(binary), *args], capture_output=True, text=True, timeout=120
    )


def log_vkey(node) -> str:
    with node.database.reading() as conn:
        key = node.log_keys.verifier_key(conn)
    assert key is not None
    return key


def current_checkpoint(world) -> Checkpoint:
    return Checkpoint.parse(
        world.http.get("/log/checkpoint").text.split("\n\n")[0] + "\n"
    )


@pytest.fixture
def grown_log(world, node, clock):
    """A log of two checkpoints, the second past a full tile: (old checkpoint,
    a license with several events)."""
    followed = world.issue()["identifier"]
    world.event(followed, "suspended", reason="暂扣")
    for _ in range(40):
        world.issue()
    integrate(node, now=clock.now())
    old = current_checkpoint(world)
    world.event(followed, "released")
    for _ in range(260):
        world.issue()
    integrate(node, now=clock.now())
    return old, followed


def test_go_sumdb_packages_accept_checkpoint_tiles_and_proofs(
    goclient, world, node, grown_log
):
    old, license_id = grown_log
    with serving(world.http.app, free_port()) as url:
        result = run_goclient(
            goclient,
            *("-log", f"{url}/log", "-vkey", log_vkey(node)),
            *("-license", license_id),
            *(
                "-old",
                str(old.size),
                "-oldroot",
                base64.b64encode(old.root_hash).decode(),
            ),
        )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("ok checkpoint size 303 ")
    assert [line.split(" event ")[1] for line in lines if "inclusion" in line] == [
        "1 at index 0",
        "2 at index 1",
        "3 at index 42",
    ]
    assert lines[-1] == f"ok consistency {old.size}..303"


def test_go_client_refuses_a_checkpoint_under_another_key(goclient, world, node, clock):
    world.issue()
    integrate(node, now=clock.now())
    name, key_id, material = log_vkey(node).split("+", 2)
    raw = bytearray(base64.b64decode(material))
    raw[-1] ^= 1  # another public key under the same name
    forged = f"{name}+{key_id}+{base64.b64encode(bytes(raw)).decode()}"
    with serving(world.http.app, free_port()) as url:
        result = run_goclient(goclient, "-log", f"{url}/log", "-vkey", forged)
    assert result.returncode == 1
    assert "FAIL" in result.stderr


def test_go_client_refuses_a_root_the_log_never_had(goclient, world, node, grown_log):
    old, _license_id = grown_log
    with serving(world.http.app, free_port()) as url:
        result = run_goclient(
            goclient,
            *("-log", f"{url}/log", "-vkey", log_vkey(node)),
            *("-old", str(old.size), "-oldroot", base64.b64encode(bytes(32)).decode()),
        )
    assert result.returncode == 1
    assert "consistency" in result.stderr
