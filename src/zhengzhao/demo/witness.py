"""The demo's witness: a second, witness-only node that cosigns the demo log.

It lives in ``<demo>/witness/`` with its own settings and SQLite database, serves
`POST /witness/add-checkpoint` on the port after the demo node's, and is named in
the demo node's `witnesses`, so that the demo's checkpoints come cosigned.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import uvicorn

from zhengzhao.api.app import create_witness_app
from zhengzhao.config import load_settings
from zhengzhao.errors import ConfigurationError
from zhengzhao.node import Node
from zhengzhao.storage.migrate import upgrade
from zhengzhao.translog.witness_keys import node_witness

__all__ = [
    "WITNESS_DIRECTORY",
    "BackgroundWitness",
    "serve_witness_in_background",
    "set_up_demo_witness",
]

WITNESS_DIRECTORY = "witness"
_CONFIG_NAME = "zhengzhao.toml"
_WITNESS_NAME = "witness.demo.zhengzhao"


def set_up_demo_witness(
    directory: Path, *, node: Node, node_config: Path, port: int
) -> Path:
    """Create the witness next to the demo node and name it in ``node_config``.

    Returns the witness's settings file.
    """
    with node.database.reading() as conn:
        log_vkey = node.log_keys.verifier_key(conn)
    if log_vkey is None:
        raise ConfigurationError("the demo log has no key yet: sequence it first")
    home = directory / WITNESS_DIRECTORY
    home.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        (home / f"witness.db{suffix}").unlink(missing_ok=True)
    config = home / _CONFIG_NAME
    config.write_text(
        "# The demo's witness: development mode, the published demo key.\n"
        'mode = "development"\n'
        f'database_url = "sqlite:///{home / "witness.db"}"\n'
        f'base_url = "http://127.0.0.1:{port}"\n'
        f'node_name = "{_WITNESS_NAME}"\n'
        f'witness_name = "{_WITNESS_NAME}"\n'
        "log_sequencer = false\n"
        f"port = {port}\n"
        "\n[[witness_logs]]\n"
        f'origin = "{node.settings.origin}"\n'
        f'vkey = "{log_vkey}"\n',
        encoding="utf-8",
    )
    with Node(load_settings(config)) as witness_node:
        upgrade(witness_node.database)
        witness_vkey = node_witness(witness_node, now=datetime.now(UTC)).verifier_key
    with node_config.open("a", encoding="utf-8") as settings:
        settings.write(
            "\n[[witnesses]]\n"
            f'url = "http://127.0.0.1:{port}/witness"\n'
            f'vkey = "{witness_vkey}"\n'
        )
    return config


class BackgroundWitness:
    """A witness served from a daemon thread."""

    def __init__(self, node: Node, server: uvicorn.Server, thread: threading.Thread):
        self.node = node
        self._server = server
        self._thread = thread

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self.node.close()


def serve_witness_in_background(config: Path) -> BackgroundWitness:
    """Serve the witness of ``config`` on its port in a daemon thread, returning once
    the server accepts connections."""
    node = Node(load_settings(config))
    server = uvicorn.Server(
        uvicorn.Config(
            create_witness_app(node),
            host="127.0.0.1",
            port=node.settings.port,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, name="demo-witness", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise ConfigurationError(
                f"the demo witness could not start on port {node.settings.port}"
            )
        time.sleep(0.02)
    return BackgroundWitness(node, server, thread)
