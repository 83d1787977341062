"""Fixtures of the log's tests: a witness served over real HTTP."""

import pytest

from conftest import random_master_key
from support.live import free_port, serving
from zhengzhao.api.app import create_app
from zhengzhao.config import Settings, WitnessedLogConfig
from zhengzhao.node import Node
from zhengzhao.storage.migrate import upgrade
from zhengzhao.translog.sequencer import integrate
from zhengzhao.translog.witness_keys import node_witness


@pytest.fixture
def log_vkey(world, node, clock):
    integrate(node, now=clock.now())
    with node.database.reading() as conn:
        return node.log_keys.verifier_key(conn)


@pytest.fixture
def witness(tmp_path, log_vkey, clock):
    settings = Settings(
        mode="development",
        database_url=f"sqlite:///{tmp_path / 'witness.db'}",
        master_key=random_master_key(),  # type: ignore[arg-type]
        node_name="witness.test",
        witness_name="witness.test/w1",
        witness_logs=[WitnessedLogConfig(origin="zz.test/log", vkey=log_vkey)],
    )
    with Node(settings) as node:
        upgrade(node.database)
        app = create_app(node, clock=clock)
        with serving(app, free_port()) as url:
            vkey = node_witness(node, now=clock.now()).verifier_key
            yield node, f"{url}/witness", vkey
