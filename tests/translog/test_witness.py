"""Witnesses: the node collects cosignatures over real HTTP; a witness cosigns only
checkpoints that extend what it saw, and refuses a split view with evidence."""

import base64
import hashlib
import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from sqlalchemy import text

from conftest import POSTGRES_URL
from support.live import free_port, serving
from support.world import person_id
from translog.memory import MemoryHashReader
from zhengzhao.api.app import create_witness_app
from zhengzhao.config import WitnessedLogConfig, WitnessEndpoint
from zhengzhao.errors import InvalidDocument
from zhengzhao.node import Node
from zhengzhao.storage import log as log_store
from zhengzhao.storage import witness as witness_store
from zhengzhao.translog import witness as witness_module
from zhengzhao.translog.cosigning import Cosigner, add_checkpoint_body
from zhengzhao.translog.merkle import (
    consistency_proof,
    leaf_hash,
    root_from_leaf_hashes,
    verify_inclusion,
)
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
from zhengzhao.verify.trust_list import TrustList


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
    integrate(node, now=clock.now())
    cosigner.cosign_latest()
    for _ in range(3):
        world.issue()
    step = integrate(node, now=clock.now())
    cosigner.cosign_latest()
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
    integrate(node, now=clock.now())
    Cosigner(node, clock=clock).cosign_latest()
    world.issue()
    integrate(node, now=clock.now())
    Cosigner(node, clock=clock).cosign_latest()  # a fresh cosigner starts from old 0
    assert "witness.test/w1" in cosigned_checkpoint(node)


def test_witness_answers_size_mismatch_with_its_size(world, node, clock, witness):
    use_witness(world, witness)
    world.issue()
    step = integrate(node, now=clock.now())
    Cosigner(node, clock=clock).cosign_latest()
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
    Cosigner(node, clock=clock).cosign_latest()
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
    Cosigner(node, clock=clock).cosign_latest()
    world.issue()
    world.issue()
    second = integrate(node, now=clock.now())
    proof = consistency(node, first.new_size, second.new_size)
    wrong = [bytes(32)] * len(proof)
    response = post(url, add_checkpoint_body(first.new_size, wrong, second.checkpoint))
    assert response.status_code == 422
    assert response.text.startswith("log-proof-invalid: size 3 of zz.test/log is not")
    assert "a proof that fails proves nothing, so nothing was kept" in response.text
    # A genuine checkpoint with a junk proof proves nothing about the log.
    assert node_witness(witness_node, now=clock.now()).evidence() == []
    # The right proof still gets the checkpoint cosigned.
    right = add_checkpoint_body(first.new_size, proof, second.checkpoint)
    assert post(url, right).status_code == 200


def cosigned_at(world, node, clock, witness, count):
    """Issue ``count`` licenses and have the witness cosign the log's checkpoint."""
    use_witness(world, witness)
    for _ in range(count):
        world.issue()
    step = integrate(node, now=clock.now())
    Cosigner(node, clock=clock).cosign_latest()
    assert step.new_size == count
    return step


def log_signs(node, clock, size, root):
    """A checkpoint of ``size`` and ``root`` signed with the log's own key."""
    with node.database.reading() as conn:
        signer = node.log_keys.signer(conn, now=clock.now())
    checkpoint = Checkpoint(origin="zz.test/log", size=size, root_hash=root)
    return sign_note(checkpoint.body(), [signer])


def test_witness_keeps_no_evidence_of_a_hundred_junk_proofs(
    world, node, clock, witness, caplog
):
    witness_node, url, _vkey = witness
    cosigned_at(world, node, clock, witness, 3)
    world.issue()
    world.issue()
    later = integrate(node, now=clock.now())
    length = len(consistency(node, 3, later.new_size))
    caplog.set_level(logging.INFO)
    for attempt in range(100):
        junk = [
            hashlib.sha256(f"{attempt}/{i}".encode()).digest() for i in range(length)
        ]
        response = post(url, add_checkpoint_body(3, junk, later.checkpoint))
        assert response.status_code == 422
    assert node_witness(witness_node, now=clock.now()).evidence() == []
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_witness_keeps_evidence_of_a_fork_proved_by_its_own_proof(
    world, node, clock, witness, caplog
):
    witness_node, url, _vkey = witness
    step = cosigned_at(world, node, clock, witness, 3)
    with node.database.reading() as conn:
        real = [leaf_hash(leaf) for leaf in log_store.entries(conn, 0, 3)]
    # The log rewrites entry 1 and grows the rewritten tree: its proof is right
    # for the tree it signs, and shows that tree beginning with another root.
    forked = [real[0], leaf_hash(b"rewritten"), real[2], leaf_hash(b"next")]
    proof = consistency_proof(3, 4, MemoryHashReader(forked))
    note = log_signs(node, clock, 4, root_from_leaf_hashes(forked))
    caplog.set_level(logging.INFO)
    response = post(url, add_checkpoint_body(3, proof, note))
    assert response.status_code == 409
    assert response.text.startswith("split-view: split view of zz.test/log")
    assert root_from_leaf_hashes(forked[:3]).hex() in response.text
    evidence = node_witness(witness_node, now=clock.now()).evidence()
    assert [e.cosigned_note for e in evidence] == [step.checkpoint]
    assert evidence[0].offered_request == add_checkpoint_body(3, proof, note)
    assert [r.levelname for r in caplog.records if "REFUSED" in r.getMessage()] == [
        "ERROR"
    ]


def test_witness_keeps_one_piece_of_evidence_per_view_replayed(
    world, node, clock, witness
):
    witness_node, url, _vkey = witness
    step = cosigned_at(world, node, clock, witness, 3)
    note = log_signs(node, clock, 3, leaf_hash(b"another tree"))
    extra = note + "\u2014 someone AAAAAAAA\n"  # an unknown signature line more
    for body in [note] * 5 + [extra] * 5:
        response = post(url, add_checkpoint_body(step.new_size, [], body))
        assert response.status_code == 409
    assert len(node_witness(witness_node, now=clock.now()).evidence()) == 1


def test_witness_keeps_at_most_max_evidence_views_of_a_log(
    world, node, clock, witness, monkeypatch
):
    witness_node, url, _vkey = witness
    monkeypatch.setattr(witness_module, "MAX_EVIDENCE", 2)
    step = cosigned_at(world, node, clock, witness, 3)
    for number in range(4):
        note = log_signs(node, clock, 3, leaf_hash(f"tree {number}".encode()))
        response = post(url, add_checkpoint_body(step.new_size, [], note))
        assert response.status_code == 409  # refused all the same
    assert len(node_witness(witness_node, now=clock.now()).evidence()) == 2


def test_witness_refuses_a_body_over_64_kib_before_reading_it(
    world, node, clock, witness
):
    _node, url, _vkey = witness
    response = httpx.post(
        f"{url}/add-checkpoint", content=b"x" * (64 * 1024 + 1), timeout=10
    )
    assert response.status_code == 413
    assert response.text.startswith("request-too-large: the request body is larger")

    def chunked():
        for _ in range(70):
            yield b"x" * 1024

    response = httpx.post(f"{url}/add-checkpoint", content=chunked(), timeout=10)
    assert response.status_code == 413


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


@pytest.mark.parametrize(
    "old",
    ["old \u0661", "old \uff11", "old 1\u0660", "old +1", "old -0", "old 0 ", "old"],
)
def test_witness_refuses_an_old_size_that_is_not_ascii_digits(
    world, node, clock, witness, old
):
    world.issue()
    step = integrate(node, now=clock.now())
    response = post(witness[1], f"{old}\n\n{step.checkpoint}")
    assert response.status_code == 400
    assert "the first line must be `old <size>`" in response.text


def test_witness_refuses_a_proof_between_equal_sizes(world, node, clock, witness):
    use_witness(world, witness)
    world.issue()
    step = integrate(node, now=clock.now())
    Cosigner(node, clock=clock).cosign_latest()
    body = add_checkpoint_body(1, [bytes(32)], step.checkpoint)
    response = post(witness[1], body)
    assert response.status_code == 400
    assert "the consistency proof must be empty, not 1 lines" in response.text
    # The same checkpoint again, with the empty proof the spec asks for, is fine.
    assert (
        post(witness[1], add_checkpoint_body(1, [], step.checkpoint)).status_code == 200
    )


@pytest.mark.parametrize(
    "mangle",
    [
        lambda note: note.replace("\n\n", "\n"),  # no blank line before signatures
        lambda note: note.replace("\u2014 ", "- "),  # not a signature line
        lambda note: note.replace("\n1\n", "\none\n", 1),  # the size is no number
    ],
)
def test_witness_answers_a_malformed_checkpoint_with_400(
    world, node, clock, witness, mangle
):
    world.issue()
    step = integrate(node, now=clock.now())
    response = post(witness[1], add_checkpoint_body(0, [], mangle(step.checkpoint)))
    assert response.status_code == 400
    assert "the checkpoint of zz.test/log is malformed" in response.text


def test_add_checkpoint_on_a_node_that_is_not_a_witness_is_not_found(
    world, node, clock, witness
):
    witness_node, url, _vkey = witness
    world.issue()
    step = integrate(node, now=clock.now())
    witness_node.settings = witness_node.settings.model_copy(
        update={"witness_name": None}
    )
    response = post(url, add_checkpoint_body(0, [], step.checkpoint))
    assert response.status_code == 404
    assert response.text == "this node is not a witness: it has no witness_name\n"


#: Rounds of the race: one round alone races only now and then.
RACE_ROUNDS = 5


@pytest.mark.skipif(
    not POSTGRES_URL,
    reason="SQLite runs one write transaction at a time, so requests cannot race",
)
@pytest.mark.parametrize("old_size", [0, 2])
def test_witness_on_postgresql_cosigns_one_of_concurrent_requests(
    world, node, clock, settings, old_size
):
    checkpoints = {}
    for _ in range(old_size + 6):
        world.issue()
        step = integrate(node, now=clock.now())
        checkpoints[step.new_size] = step.checkpoint
    offered = [size for size in checkpoints if size > old_size]
    bodies = {
        size: add_checkpoint_body(
            old_size, consistency(node, old_size, size), checkpoints[size]
        )
        for size in offered
    }
    with node.database.reading() as conn:
        log_vkey = node.log_keys.verifier_key(conn)
    witness_settings = settings.model_copy(
        update={
            "witness_name": "witness.test/w1",
            "witness_logs": [WitnessedLogConfig(origin="zz.test/log", vkey=log_vkey)],
        }
    )
    with (
        Node(witness_settings) as witness_node,
        serving(create_witness_app(witness_node, clock=clock), free_port()) as url,
    ):
        for _round in range(RACE_ROUNDS):
            with witness_node.database.transaction() as conn:
                conn.execute(text("DELETE FROM witness_checkpoints"))
            if old_size:
                node_witness(witness_node, now=clock.now()).add_checkpoint(
                    add_checkpoint_body(0, [], checkpoints[old_size]), now=clock.now()
                )
            barrier = threading.Barrier(len(offered))

            def offer(size, barrier=barrier):
                barrier.wait()
                return size, post(f"{url}/witness", bodies[size]).status_code

            with ThreadPoolExecutor(len(offered)) as pool:
                answers = dict(pool.map(offer, offered))
            with witness_node.database.reading() as conn:
                held = witness_store.latest_cosigned(conn, "zz.test/log")
            cosigned = [size for size, status in answers.items() if status == 200]
            assert len(cosigned) == 1, answers
            assert sorted(answers.values()) == [200] + [409] * (len(offered) - 1)
            assert held is not None and held.size == cosigned[0]  # never went back


# --- serving cosigned checkpoints ----------------------------------------------------


def test_checkpoint_served_is_the_latest_the_witnesses_cosigned(
    world, node, clock, witness
):
    vkey = use_witness(world, witness)
    world.issue()
    first = integrate(node, now=clock.now())
    Cosigner(node, clock=clock).cosign_latest()
    world.issue()
    newest = integrate(node, now=clock.now())  # not cosigned yet
    served = world.http.get("/log/checkpoint").text
    opened = open_note(served, [CosignatureVerifier.from_vkey(vkey)])
    assert Checkpoint.parse(opened.body).size == first.new_size
    Cosigner(node, clock=clock).cosign_latest()
    served = world.http.get("/log/checkpoint").text
    assert served.startswith(newest.checkpoint)
    assert "\u2014 witness.test/w1 " in served


def test_license_proof_carries_cosignatures_a_verifier_checks_with_the_trust_list(
    world, node, clock, witness
):
    use_witness(world, witness)
    identifier = world.issue()["identifier"]
    integrate(node, now=clock.now())
    Cosigner(node, clock=clock).cosign_latest()
    world.issue()
    integrate(node, now=clock.now())  # a newer, uncosigned checkpoint
    trust = TrustList.from_json(world.http.get("/v1/trust-list").json())
    assert trust.log is not None and len(trust.log.witnesses) == 1
    body = world.http.get(f"/log/proofs/license/{identifier}").json()
    opened = open_note(body["checkpoint"], [trust.log.verifier, *trust.log.witnesses])
    assert opened.verified_by == ("zz.test/log", "witness.test/w1")
    checkpoint = Checkpoint.parse(opened.body)
    assert body["size"] == checkpoint.size == 1  # the cosigned one, not the newest
    (event,) = body["events"]
    verify_inclusion(
        leaf_hash=leaf_hash(base64.b64decode(event["leaf"])),
        index=event["index"],
        size=checkpoint.size,
        proof=[base64.b64decode(p) for p in event["inclusionProof"]],
        root=checkpoint.root_hash,
    )


def test_license_proof_of_an_event_newer_than_the_cosigned_checkpoint(
    world, node, clock, witness
):
    use_witness(world, witness)
    world.issue()
    integrate(node, now=clock.now())
    Cosigner(node, clock=clock).cosign_latest()
    identifier = world.issue()["identifier"]
    integrate(node, now=clock.now())
    body = world.http.get(f"/log/proofs/license/{identifier}").json()
    assert body["size"] == 2  # the newest checkpoint: no cosigned one holds it yet
    assert "\u2014 witness.test/w1 " not in body["checkpoint"]


def test_license_proof_against_an_asked_size(world, node, clock):
    identifier = world.issue()["identifier"]
    first = integrate(node, now=clock.now())
    world.issue()
    integrate(node, now=clock.now())
    older = world.http.get(
        f"/log/proofs/license/{identifier}", params={"size": first.new_size}
    ).json()
    assert older["size"] == first.new_size
    assert older["checkpoint"] == first.checkpoint
    unsigned = world.http.get(f"/log/proofs/license/{identifier}", params={"size": 7})
    assert unsigned.status_code == 404
    assert unsigned.json()["message"].startswith(
        "the log signed no checkpoint of size 7"
    )


def test_trust_list_without_witnesses_names_none(world, node, clock):
    integrate(node, now=clock.now())
    assert "witnesses" not in world.http.get("/v1/trust-list").json()["log"]


@pytest.mark.parametrize(
    ("witnesses", "message"),
    [
        ("witness.test/w1+00", "the trust list's log `witnesses` must be a list"),
        (["zz.test/log+00000000+AQ=="], "the trust list's witness key"),
    ],
)
def test_trust_list_with_malformed_witness_keys_is_refused(
    world, node, clock, witnesses, message
):
    integrate(node, now=clock.now())
    document = world.http.get("/v1/trust-list").json()
    document["log"]["witnesses"] = witnesses
    with pytest.raises(InvalidDocument) as caught:
        TrustList.from_json(document)
    assert caught.value.message.startswith(message)


def test_license_proof_ignores_cosignatures_of_a_witness_no_longer_configured(
    world, node, clock, witness
):
    use_witness(world, witness)
    identifier = world.issue()["identifier"]
    first = integrate(node, now=clock.now())
    Cosigner(node, clock=clock).cosign_latest()
    world.issue(holder=person_id(sequence=7))
    later = integrate(node, now=clock.now())
    path = f"/log/proofs/license/{identifier}"
    assert world.http.get(path).json()["size"] == first.new_size
    world.node.settings = world.node.settings.model_copy(update={"witnesses": []})
    assert world.http.get(path).json()["size"] == later.new_size
