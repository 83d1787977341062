"""Witnesses: the node collects cosignatures over real HTTP; a witness cosigns only
checkpoints that extend what it saw, and refuses a split view with evidence."""

import base64

import httpx
import pytest

from conftest import random_master_key
from support.live import free_port, serving
from zhengzhao.api.app import create_app
from zhengzhao.config import Settings, WitnessedLogConfig, WitnessEndpoint
from zhengzhao.node import Node
from zhengzhao.storage.migrate import upgrade
from zhengzhao.translog.cosigning import Cosigner, add_checkpoint_body
from zhengzhao.translog.merkle import leaf_hash, root_from_leaf_hashes
from zhengzhao.translog.note import (
    Checkpoint,
    CosignatureVerifier,
    open_note,
    sign_note,
    verify_cosignature,
)
from zhengzhao.translog.sequencer import integrate
from zhengzhao.translog.service import consistency, cosigned_checkpoint
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


def use_witness(world, witness):
    _node, url, vkey = witness
    settings = world.node.settings.model_copy(
        update={"witnesses": [WitnessEndpoint(url=url, vkey=vkey)]}
    )
    world.node.settings = settings
    return vkey


def post(url, body):
    return httpx.post(f"{url}/add-checkpoint", content=body, timeout=10)


def test_node_collects_and_serves_witness_cosignatures(world, node, clock, witness):
    vkey = use_witness(world, witness)
    cosigner = Cosigner(node, clock=clock)
    world.issue()
    step = integrate(node, now=clock.now())
    cosigner.request(step)
    for _ in range(3):
        world.issue()
    step = integrate(node, now=clock.now())
    cosigner.request(step)
    text = cosigned_checkpoint(node)
    opened = open_note(text, [CosignatureVerifier.from_vkey(vkey)])
    assert opened.verified_by == ("witness.test/w1",)
    cosignature = next(
        line for line in opened.signature_lines if "witness.test" in line
    )
    assert verify_cosignature(cosignature, opened.body, vkey) == int(
        clock.now().timestamp()
    )
    assert Checkpoint.parse(opened.body).size == step.new_size


def test_restarted_node_learns_witness_size_from_409(world, node, clock, witness):
    use_witness(world, witness)
    world.issue()
    Cosigner(node, clock=clock).request(integrate(node, now=clock.now()))
    world.issue()
    step = integrate(node, now=clock.now())
    Cosigner(node, clock=clock).request(step)  # a fresh cosigner starts from old 0
    assert "witness.test/w1" in cosigned_checkpoint(node)


def test_witness_answers_size_mismatch_with_its_size(world, node, clock, witness):
    use_witness(world, witness)
    world.issue()
    step = integrate(node, now=clock.now())
    Cosigner(node, clock=clock).request(step)
    world.issue()
    later = integrate(node, now=clock.now())
    response = post(witness[1], add_checkpoint_body(0, [], later.checkpoint))
    assert response.status_code == 409
    assert response.headers["content-type"].startswith("text/x.tlog.size")
    assert response.text == f"{step.new_size}\n"


def test_witness_refuses_split_view_and_keeps_evidence(world, node, clock, witness):
    witness_node, url, _vkey = witness
    use_witness(world, witness)
    world.issue()
    world.issue()
    step = integrate(node, now=clock.now())
    Cosigner(node, clock=clock).request(step)
    # The log key signs another tree of the same size: a split view.
    forged_root = root_from_leaf_hashes([leaf_hash(b"a"), leaf_hash(b"b")])
    forged = Checkpoint(origin="zz.test/log", size=step.new_size, root_hash=forged_root)
    with node.database.reading() as conn:
        signer = node.log_keys.signer(conn, now=clock.now())
    note = sign_note(forged.body(), [signer])
    response = post(url, add_checkpoint_body(step.new_size, [], note))
    assert response.status_code == 409
    assert "split view" in response.text
    assert step.checkpoint.splitlines()[2] in response.text  # the cosigned root
    evidence = node_witness(witness_node, now=clock.now()).evidence()
    assert [e.origin for e in evidence] == ["zz.test/log"]
    assert evidence[0].cosigned_note == step.checkpoint


def test_witness_refuses_checkpoint_without_consistency(world, node, clock, witness):
    witness_node, url, _vkey = witness
    use_witness(world, witness)
    world.issue()
    first = integrate(node, now=clock.now())
    Cosigner(node, clock=clock).request(first)
    world.issue()
    world.issue()
    second = integrate(node, now=clock.now())
    proof = consistency(node, first.new_size, second.new_size)
    wrong = [bytes(32)] * len(proof)
    response = post(url, add_checkpoint_body(first.new_size, wrong, second.checkpoint))
    assert response.status_code == 422
    assert "not shown to extend" in response.text
    assert len(node_witness(witness_node, now=clock.now()).evidence()) == 1


def test_witness_refuses_unknown_log_and_bad_signature(world, node, clock, witness):
    _node, url, _vkey = witness
    world.issue()
    step = integrate(node, now=clock.now())
    other = step.checkpoint.replace("zz.test/log", "elsewhere/log", 1)
    assert post(url, add_checkpoint_body(0, [], other)).status_code == 404
    body, _, signature = step.checkpoint.partition("\n\n")
    tampered = body.replace("\n1\n", "\n2\n") + "\n\n" + signature
    assert post(url, add_checkpoint_body(0, [], tampered)).status_code == 403


@pytest.mark.parametrize(
    "body",
    ["no blank line", "old 01\n\nx", "old x\n\nx", "old 0\n!!!\n\nx"],
)
def test_witness_refuses_malformed_requests(world, node, clock, witness, body):
    assert post(witness[1], body).status_code == 400


def test_witness_cosignature_blob_layout(world, node, clock, witness):
    _node, url, vkey = witness
    world.issue()
    step = integrate(node, now=clock.now())
    response = post(url, add_checkpoint_body(0, [], step.checkpoint))
    assert response.status_code == 200
    line = response.text.strip()
    blob = base64.b64decode(line.split(" ")[-1])
    assert len(blob) == 4 + 8 + 64
    assert blob[:4] == CosignatureVerifier.from_vkey(vkey).key_id
