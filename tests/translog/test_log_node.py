"""The node's log end to end: events queue leaves, the sequencer signs checkpoints,
and tiles, entry bundles and proofs served over HTTP all agree."""

import base64

import pytest
from sqlalchemy import select

from support.world import person_id
from zhengzhao.seals.proofs import add_proof
from zhengzhao.storage import log as log_store
from zhengzhao.storage.tables import license_events, log_entries, log_outbox
from zhengzhao.translog.leaves import read_leaf
from zhengzhao.translog.merkle import (
    leaf_hash,
    root_hash,
    verify_consistency,
    verify_inclusion,
)
from zhengzhao.translog.note import Checkpoint, NoteVerifier, open_note
from zhengzhao.translog.sequencer import integrate
from zhengzhao.translog.tiles import TiledHashReader, decode_entry_bundle, tile_path


def vkey(world):
    with world.node.database.reading() as conn:
        return world.node.log_keys.verifier_key(conn)


def checkpoint(world) -> Checkpoint:
    text = world.http.get("/log/checkpoint").text
    opened = open_note(text, [NoteVerifier.from_vkey(vkey(world))])
    return Checkpoint.parse(opened.body)


class HttpHashes:
    """Tile-level hashes read from the node's tiles, as any client would."""

    def __init__(self, world, size: int) -> None:
        self.world, self.size = world, size

    def read(self, level: int, start: int, end: int) -> list[bytes]:
        available = self.size >> (8 * level)
        out = []
        for index in range(start // 256, (end - 1) // 256 + 1):
            width = min(256, available - index * 256)
            path = tile_path(level, index, None if width == 256 else width)
            data = self.world.http.get(f"/log/{path}").content
            out += [data[i : i + 32] for i in range(0, len(data), 32)]
        first = start - start // 256 * 256
        return out[first : first + end - start]


def test_events_queue_leaves_in_the_same_transaction(world, node):
    world.issue()
    with node.database.reading() as conn:
        events = conn.execute(select(license_events.c.id)).scalars().all()
        queued = conn.execute(select(log_outbox.c.event_id)).scalars().all()
    assert events and sorted(events) == sorted(queued)


def test_integration_signs_checkpoint_over_every_event(world, node, clock):
    issued = [world.issue()["identifier"] for _ in range(3)]
    world.event(issued[0], "suspended")
    step = integrate(node, now=clock.now())
    assert step is not None and (step.old_size, step.new_size) == (0, 4)
    current = checkpoint(world)
    assert current.size == 4 and current.origin == "zz.test/log"
    with node.database.reading() as conn:
        assert conn.execute(select(log_outbox)).all() == []
        leaves = conn.execute(select(log_entries.c.leaf).order_by(log_entries.c.idx))
        decoded = [read_leaf(row) for row in leaves.scalars()]
    assert [(d.license, d.event) for d in decoded] == [
        (issued[0], "issued"),
        (issued[1], "issued"),
        (issued[2], "issued"),
        (issued[0], "suspended"),
    ]
    assert integrate(node, now=clock.now()) is None


def test_tiles_and_entry_bundles_rebuild_the_signed_root(world, node, clock):
    for _ in range(5):
        world.issue()
    integrate(node, now=clock.now())
    current = checkpoint(world)
    reader = TiledHashReader(HttpHashes(world, current.size))
    assert root_hash(current.size, reader) == current.root_hash
    bundle = world.http.get(f"/log/tile/entries/000.p/{current.size}")
    assert bundle.headers["cache-control"] == "public, max-age=31536000, immutable"
    leaves = decode_entry_bundle(bundle.content)
    assert [leaf_hash(x) for x in leaves] == HttpHashes(world, current.size).read(
        0, 0, 5
    )


def test_license_inclusion_proofs_verify_against_the_checkpoint(world, node, clock):
    identifier = world.issue()["identifier"]
    world.issue()
    world.event(identifier, "annual-inspection")
    integrate(node, now=clock.now())
    body = world.http.get(f"/log/proofs/license/{identifier}").json()
    opened = open_note(body["checkpoint"], [NoteVerifier.from_vkey(vkey(world))])
    current = Checkpoint.parse(opened.body)
    assert [e["event"] for e in body["events"]] == ["issued", "annual-inspection"]
    for event in body["events"]:
        verify_inclusion(
            leaf_hash=leaf_hash(base64.b64decode(event["leaf"])),
            index=event["index"],
            size=current.size,
            proof=[base64.b64decode(p) for p in event["inclusionProof"]],
            root=current.root_hash,
        )


def test_consistency_proof_between_two_checkpoints_verifies(world, node, clock):
    world.issue()
    integrate(node, now=clock.now())
    first = checkpoint(world)
    for _ in range(4):
        world.issue()
    integrate(node, now=clock.now())
    second = checkpoint(world)
    body = world.http.get(
        "/log/proofs/consistency", params={"old": first.size, "new": second.size}
    ).json()
    verify_consistency(
        old_size=first.size,
        new_size=second.size,
        old_root=first.root_hash,
        new_root=second.root_hash,
        proof=[base64.b64decode(p) for p in body["proof"]],
    )


def test_proofs_of_unlogged_license_are_not_found_yet(world):
    identifier = world.issue()["identifier"]
    response = world.http.get(f"/log/proofs/license/{identifier}")
    assert response.status_code == 404
    assert "merge delay" in response.json()["message"]


def test_tile_beyond_the_tree_is_not_found(world, node, clock):
    world.issue()
    integrate(node, now=clock.now())
    assert world.http.get("/log/tile/0/000").status_code == 404
    assert world.http.get("/log/tile/0/000.p/2").status_code == 404
    assert world.http.get("/log/tile/0/000.p/1").status_code == 200


def test_malformed_tile_path_is_a_clear_error(world, node, clock):
    integrate(node, now=clock.now())
    response = world.http.get("/log/tile/0/0001")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid-request"


def test_empty_log_gets_a_signed_checkpoint_of_size_zero(world, node, clock):
    step = integrate(node, now=clock.now())
    assert step is not None and step.new_size == 0
    assert checkpoint(world).size == 0


def test_reissue_logs_both_the_event_and_the_successor(world, node, clock):
    identifier = world.issue(holder=person_id())["identifier"]
    successor = world.event(identifier, "extended", validUntil="2040-01-01")[
        "successor"
    ]
    integrate(node, now=clock.now())
    proofs = world.http.get(f"/log/proofs/license/{successor['identifier']}").json()
    assert [e["event"] for e in proofs["events"]] == ["issued"]
    leaf = read_leaf(base64.b64decode(proofs["events"][0]["leaf"]))
    assert leaf.credential_hash is not None


def test_license_answer_carries_its_log_proof_once_sequenced(world, node, clock):
    identifier = world.issue()["identifier"]
    headers = world.headers("psb_tianshan")
    before = world.http.get(f"/v1/licenses/{identifier}", headers=headers).json()
    assert before["log"] is None  # within the merge delay
    integrate(node, now=clock.now())
    answer = world.http.get(f"/v1/licenses/{identifier}", headers=headers).json()
    proof = answer["log"]
    # The first read is an access record, logged right after the issuance.
    assert proof["license"] == identifier and proof["size"] == 2
    (event,) = proof["events"]
    assert event["event"] == "issued" and event["index"] == 0
    assert len(event["inclusionProof"]) == 1  # a tree of two leaves


def test_trust_list_names_the_log_key_after_the_first_checkpoint(world, node, clock):
    assert "log" not in world.http.get("/v1/trust-list").json()
    integrate(node, now=clock.now())
    log = world.http.get("/v1/trust-list").json()["log"]
    assert log == {"origin": "zz.test/log", "verifierKey": vkey(world)}


def test_node_verification_reports_the_license_in_its_log(world, node, clock):
    issued = [world.issue() for _ in range(3)]
    integrate(node, now=clock.now())
    report = world.http.post(
        "/v1/verify",
        json=issued[1]["document"],
        headers=world.headers("verifier"),
    ).json()
    assert report["verdict"] == "valid"
    assert report["transparency"]["outcome"] == "passed"
    assert "index 1 of zz.test/log" in report["transparency"]["detail"]


def test_node_verification_refuses_a_re_signed_copy_the_log_never_saw(
    world, node, clock
):
    # The issuer's own key signing a different credential under a logged
    # identifier (a rogue insider, say) passes the signature check, but not the log.
    issued = world.issue()
    integrate(node, now=clock.now())
    document = dict(issued["document"])
    proof = document.pop("proof")
    document["name"] = document["name"] + "（副本）"
    with node.database.reading() as conn:
        _record, signing_key = node.keyring.signer(
            conn, world.departments["psb_tianshan"]
        )
    signed = add_proof(
        document,
        signing_key=signing_key,
        verification_method=proof["verificationMethod"],
        created=clock.now(),
    )
    report = world.http.post(
        "/v1/verify", json=signed, headers=world.headers("verifier")
    ).json()
    assert report["proof"]["outcome"] == "passed"
    assert report["transparency"]["outcome"] == "failed"
    assert "commits to another credential" in report["transparency"]["detail"]
    assert report["verdict"] == "invalid"


def test_log_key_of_a_rolled_back_first_integration_is_never_used(
    world, node, clock, monkeypatch
):
    world.issue()
    real = log_store.insert_checkpoint

    def fail_once(*args, **kwargs):
        monkeypatch.setattr(log_store, "insert_checkpoint", real)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(log_store, "insert_checkpoint", fail_once)
    with pytest.raises(RuntimeError):
        integrate(node, now=clock.now())  # created a key, then rolled back
    with node.database.reading() as conn:
        assert node.log_keys.verifier_key(conn) is None
    step = integrate(node, now=clock.now())
    assert step is not None and step.new_size == 1
    opened = open_note(step.checkpoint, [NoteVerifier.from_vkey(vkey(world))])
    assert Checkpoint.parse(opened.body).size == 1
    later = integrate(node, now=clock.now())  # the key, now kept in memory
    assert later is None
    world.issue()
    third = integrate(node, now=clock.now())
    assert third is not None
    open_note(third.checkpoint, [NoteVerifier.from_vkey(vkey(world))])


def test_log_endpoints_send_their_cache_headers_and_content_types(world, node, clock):
    with node.database.transaction() as conn:
        conn.execute(
            log_outbox.insert(),
            [
                {"leaf": f"leaf {n}".encode(), "created_at": clock.now()}
                for n in range(300)
            ],
        )
    integrate(node, now=clock.now())
    immutable = "public, max-age=31536000, immutable"
    expected = {
        "/log/checkpoint": ("text/plain; charset=utf-8", "public, max-age=1"),
        "/log/tile/0/000": ("application/octet-stream", immutable),
        "/log/tile/0/001.p/44": ("application/octet-stream", immutable),
        "/log/tile/entries/000": ("application/octet-stream", immutable),
        "/log/tile/entries/001.p/44": ("application/octet-stream", immutable),
    }
    for path, (media_type, cache) in expected.items():
        response = world.http.get(path)
        assert response.status_code == 200, path
        assert (
            response.headers["content-type"],
            response.headers["cache-control"],
        ) == (media_type, cache), path
    # Beyond the tree: nothing to cache.
    missing = world.http.get("/log/tile/0/001.p/45")
    assert missing.status_code == 404
    assert "cache-control" not in missing.headers
