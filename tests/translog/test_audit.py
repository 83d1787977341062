"""Tampering with stored events or the log is found and named by the audit.

The tampering runs as raw SQL with foreign keys switched off, as an intruder with
database access would; the audit trusts only the log key (and a trusted checkpoint).
"""

import json

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from sqlalchemy import text

from zhengzhao.config import WitnessEndpoint
from zhengzhao.errors import LogKeyMismatch, NoteInvalid
from zhengzhao.node import Node
from zhengzhao.seals.algorithms import Algorithm, SigningKey
from zhengzhao.storage import log as log_store
from zhengzhao.translog import audit_walk
from zhengzhao.translog.audit import audit
from zhengzhao.translog.merkle import leaf_hash, root_from_leaf_hashes
from zhengzhao.translog.note import (
    Checkpoint,
    CosignatureSigner,
    NoteSigner,
    sign_note,
)
from zhengzhao.translog.sequencer import integrate
from zhengzhao.translog.tiles import TILE_WIDTH


def tamper(node, *statements):
    """Run raw SQL outside every safeguard: no foreign keys, no triggers."""
    raw = node.database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        if node.database.is_sqlite:
            cursor.execute("PRAGMA foreign_keys=OFF")
            cursor.execute("BEGIN")
        else:
            cursor.execute("SET session_replication_role = replica")
        for statement in statements:
            cursor.execute(statement)
        raw.commit()
    finally:
        raw.close()


@pytest.fixture
def logged(world, node, clock):
    identifiers = [world.issue()["identifier"] for _ in range(4)]
    world.event(identifiers[1], "suspended", reason="暂扣")
    world.event(identifiers[1], "released")
    integrate(node, now=clock.now())
    assert audit(node).clean
    return identifiers


def event_id(node, identifier, sequence):
    with node.database.reading() as conn:
        return conn.execute(
            text(
                "SELECT e.id FROM license_events e"
                " JOIN licenses l ON l.id = e.license_id"
                " WHERE l.identifier = :i AND e.sequence = :s"
            ),
            {"i": identifier, "s": sequence},
        ).scalar_one()


def kinds(report):
    return sorted(
        ((f.kind, f.license, f.sequence) for f in report.findings),
        key=lambda found: tuple(str(part) for part in found),
    )


def named(report):
    """(kind, index, license, sequence) of every finding, in index order."""
    return sorted(
        ((f.kind, f.index, f.license, f.sequence) for f in report.findings),
        key=lambda found: tuple(str(part) for part in found),
    )


def test_audit_of_untouched_log_is_clean(node, logged):
    report = audit(node)
    assert report.clean and report.size == 6


def test_audit_is_clean_for_backdated_events_stated_in_local_time(world, node, clock):
    identifier = world.issue(issueDate="2025-01-01")["identifier"]
    world.event(identifier, "suspended", occurredAt="2025-06-21T12:00:00+08:00")
    integrate(node, now=clock.now())
    assert audit(node).clean


def test_audit_names_an_event_whose_document_changed(node, logged):
    target = event_id(node, logged[1], 2)
    tamper(
        node,
        f"UPDATE license_events SET document = replace(document, '暂扣', '吊销')"
        f" WHERE id = {target}",
    )
    report = audit(node)
    assert ("changed", logged[1], 2) in kinds(report)
    assert any("eventHash" in f.detail for f in report.findings)


def test_audit_names_an_event_whose_kind_changed(node, logged):
    target = event_id(node, logged[1], 2)
    tamper(node, f"UPDATE license_events SET kind = 'revoked' WHERE id = {target}")
    findings = [str(f) for f in audit(node).findings]
    assert any("differs from what was logged in event" in f for f in findings)
    assert any("contradicts its signed document in kind" in f for f in findings)


def test_audit_names_a_reason_changed_beside_its_document(node, logged):
    target = event_id(node, logged[1], 2)
    tamper(node, f"UPDATE license_events SET reason = '无' WHERE id = {target}")
    report = audit(node)
    assert [str(f) for f in report.findings] == [
        f"changed: entry 4 ({logged[1]} #2): the event row contradicts its signed"
        " document in reason"
    ]


def test_audit_names_a_deleted_event(node, logged):
    target = event_id(node, logged[3], 1)
    tamper(node, f"DELETE FROM license_events WHERE id = {target}")
    assert kinds(audit(node)) == [("deleted", logged[3], 1)]


def test_audit_names_two_swapped_events(node, logged):
    first, second = event_id(node, logged[0], 1), event_id(node, logged[2], 1)
    tamper(
        node,
        f"UPDATE log_entries SET event_id = -1 WHERE event_id = {first}",
        f"UPDATE log_entries SET event_id = {first} WHERE event_id = {second}",
        f"UPDATE log_entries SET event_id = {second} WHERE event_id = -1",
    )
    report = audit(node)
    assert kinds(report) == [
        ("reordered", logged[0], 1),
        ("reordered", logged[2], 1),
    ]


def test_audit_names_an_event_inserted_without_logging(node, logged):
    source = event_id(node, logged[0], 1)
    tamper(
        node,
        "INSERT INTO license_events (license_id, sequence, kind, occurred_at,"
        " recorded_at, actor, reason, document, document_hash)"
        " SELECT license_id, 2, 'revoked', occurred_at, recorded_at, actor, reason,"
        f" document, document_hash FROM license_events WHERE id = {source}",
    )
    # The license is stored as valid, but the inserted event would revoke it.
    assert kinds(audit(node)) == [
        ("inserted", logged[0], 2),
        ("state-changed", logged[0], None),
    ]


def test_audit_names_a_changed_license_credential(node, logged, world):
    with node.database.reading() as conn:
        cipher = conn.execute(
            text("SELECT document_cipher FROM licenses WHERE identifier = :i"),
            {"i": logged[2]},
        ).scalar_one()
    document = json.loads(
        node.vault.open_document(cipher, license_identifier=logged[2])
    )
    document["credentialSubject"]["holder"]["name"] = "冒名"
    forged = node.vault.seal_document(
        json.dumps(document), license_identifier=logged[2]
    )
    with node.database.transaction() as conn:
        conn.execute(
            text("UPDATE licenses SET document_cipher = :c WHERE identifier = :i"),
            {"c": forged, "i": logged[2]},
        )
    report = audit(node)
    assert kinds(report) == [("changed", logged[2], 1)]
    assert "credentialHash" in report.findings[0].detail


def test_audit_names_the_events_of_a_truncated_log(node, logged):
    tamper(
        node,
        "DELETE FROM log_entries WHERE idx >= 4",
        "DELETE FROM log_hashes WHERE level = 0 AND idx >= 4",
    )
    report = audit(node)
    found = named(report)
    # The erased events are still stored: their leaves complete the signed root.
    assert ("truncated", 4, logged[1], 2) in found
    assert ("truncated", 5, logged[1], 3) in found
    assert ("damaged", 4, None, None) in found  # the leaf hashes went too
    assert not [f for f in report.findings if f.kind == "inserted"]


def test_audit_against_a_trusted_checkpoint_finds_a_rollback(
    node, logged, world, clock
):
    newest = world.issue()["identifier"]
    integrate(node, now=clock.now())
    witnessed = world.http.get("/log/checkpoint").text  # what a witness now holds
    # Roll the whole log back to size 6, its checkpoints included.
    tamper(
        node,
        "DELETE FROM log_entries WHERE idx >= 6",
        "DELETE FROM log_hashes WHERE level = 0 AND idx >= 6",
        "DELETE FROM log_checkpoints WHERE size > 6",
    )
    alone = audit(node)
    assert kinds(alone) == [("inserted", newest, 1)]  # nothing says it was logged
    report = audit(node, trusted=witnessed)
    assert named(report) == [
        ("truncated", 6, newest, 1),
        ("truncated", 6, None, None),
    ]
    assert any("size 7 was published" in f.detail for f in report.findings)


# --- entries deleted or moved ------------------------------------------------------


def test_audit_names_a_deleted_middle_entry_and_its_deleted_event(node, logged):
    target = event_id(node, logged[2], 1)
    tamper(
        node,
        "DELETE FROM log_entries WHERE idx = 2",
        f"DELETE FROM license_events WHERE id = {target}",
    )
    assert named(audit(node)) == [
        ("deleted", 2, None, None),  # the entry: nothing stored rebuilds it
        ("deleted", None, logged[2], 1),  # the license lost its first event
    ]


def test_audit_names_a_deleted_middle_entry_by_the_event_still_stored(node, logged):
    tamper(node, "DELETE FROM log_entries WHERE idx = 2")
    report = audit(node)
    assert named(report) == [("deleted", 2, logged[2], 1)]
    assert "the event it logged is still stored" in report.findings[0].detail


def test_audit_names_two_entries_swapped_in_position(node, logged):
    tamper(
        node,
        "UPDATE log_entries SET idx = -1 WHERE idx = 0",
        "UPDATE log_entries SET idx = 0 WHERE idx = 2",
        "UPDATE log_entries SET idx = 2 WHERE idx = -1",
    )
    report = audit(node)
    assert named(report) == [
        ("reordered", 0, logged[2], 1),
        ("reordered", 2, logged[0], 1),
    ]
    assert "entry 0 holds the leaf logged at 2" in str(report.findings[0])


# --- the log key ---------------------------------------------------------------------


NEW_KEY = NoteSigner(
    "zz.test/log",
    SigningKey(
        Algorithm.ED25519,
        ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32))),
    ),
)


def swap_log_key(node):
    with node.database.transaction() as conn:
        conn.execute(
            text("UPDATE node_keys SET public_key = :k WHERE purpose = 'log'"),
            {"k": NEW_KEY.verifier().public_key},
        )


def signed_checkpoint(node, size, signer):
    """A checkpoint of the first ``size`` stored leaf hashes, signed by ``signer``."""
    with node.database.reading() as conn:
        hashes = conn.execute(
            text(
                "SELECT hash FROM log_hashes WHERE level = 0 AND idx < :n ORDER BY idx"
            ),
            {"n": size},
        ).scalars()
        root = root_from_leaf_hashes([bytes(h) for h in hashes])
    body = Checkpoint(origin="zz.test/log", size=size, root_hash=root).body()
    return root, sign_note(body, [signer])


def replace_checkpoints(node, size, signer):
    """Drop every checkpoint and store one of ``size`` signed by ``signer``."""
    root, note = signed_checkpoint(node, size, signer)
    with node.database.transaction() as conn:
        conn.execute(text("DELETE FROM log_cosignatures"))
        conn.execute(text("DELETE FROM log_checkpoints"))
        conn.execute(
            text(
                "INSERT INTO log_checkpoints (size, root_hash, note, created_at)"
                " VALUES (:s, :r, :n, :t)"
            ),
            {"s": size, "r": root, "n": note, "t": "2026-11-02 10:00:00"},
        )


def erase_the_release_under_a_new_key(node, logged):
    """The probe: swap in a new log key, erase the `released` event at index 5 and
    sign size 5 with the new key."""
    target = event_id(node, logged[1], 3)
    tamper(
        node,
        "DELETE FROM log_entries WHERE idx = 5",
        "DELETE FROM log_hashes WHERE level = 0 AND idx = 5",
        f"DELETE FROM license_events WHERE id = {target}",
    )
    swap_log_key(node)
    replace_checkpoints(node, 5, NEW_KEY)


def test_audit_finds_a_log_key_swapped_in_the_database(node, logged):
    erase_the_release_under_a_new_key(node, logged)
    report = audit(node)
    # The re-signed log hides the erased release; the license stored as valid
    # after a suspension with no release does not.
    assert [f.kind for f in report.findings] == ["untrusted-key", "state-changed"]
    assert "not the public half of the node's wrapped log key" in str(
        report.findings[0]
    )


def test_audit_with_a_pinned_vkey_refuses_checkpoints_of_another_key(node, logged):
    with node.database.reading() as conn:
        published = node.log_keys.verifier_key(conn)
    erase_the_release_under_a_new_key(node, logged)
    report = audit(node, vkey=published)
    assert kinds(report) == [
        ("bad-signature", None, None),
        ("state-changed", logged[1], None),
        ("untrusted-key", None, None),
        ("untrusted-key", None, None),
    ]
    assert any(f"not the pinned {published}" in f.detail for f in report.findings)


def test_audit_with_the_pinned_vkey_of_an_untouched_log_is_clean(node, logged):
    with node.database.reading() as conn:
        published = node.log_keys.verifier_key(conn)
    assert audit(node, vkey=published).clean


def test_audit_with_a_malformed_vkey_is_refused(node, logged):
    with pytest.raises(NoteInvalid):
        audit(node, vkey="zz.test/log+nothing")


def test_log_signer_refuses_a_swapped_public_key(node, logged, clock, settings):
    swap_log_key(node)
    fresh = Node(settings)  # a restarted node: no key in memory
    try:
        with fresh.database.reading() as conn, pytest.raises(LogKeyMismatch) as caught:
            fresh.log_keys.signer(conn, now=clock.now())
    finally:
        fresh.close()
    assert caught.value.code == "log-key-mismatch"
    assert "restore node_keys from a backup" in caught.value.message


# --- cosignatures ----------------------------------------------------------------


WITNESS = CosignatureSigner(
    "witness.test/w1",
    SigningKey(
        Algorithm.ED25519,
        ed25519.Ed25519PrivateKey.from_private_bytes(bytes(32)),
    ),
)


def store_cosignature(node, line):
    with node.database.transaction() as conn:
        conn.execute(
            text(
                "INSERT INTO log_cosignatures (size, witness, signature, received_at)"
                " VALUES (6, 'witness.test/w1', :line, '2026-11-02 10:00:00')"
            ),
            {"line": line},
        )


def with_witness(node):
    node.settings = node.settings.model_copy(
        update={
            "witnesses": [
                WitnessEndpoint(
                    url="http://127.0.0.1:9/witness", vkey=WITNESS.verifier_key
                )
            ]
        }
    )


def test_audit_accepts_a_stored_cosignature_of_a_configured_witness(node, logged):
    with node.database.reading() as conn:
        note = conn.execute(text("SELECT note FROM log_checkpoints")).scalar_one()
    store_cosignature(
        node, WITNESS.cosign(note.partition("\n\n")[0] + "\n", timestamp=1)
    )
    with_witness(node)
    assert audit(node).clean


def test_audit_finds_a_stored_cosignature_that_does_not_verify(node, logged):
    forged = Checkpoint(origin="zz.test/log", size=6, root_hash=bytes(32)).body()
    store_cosignature(node, WITNESS.cosign(forged, timestamp=1))
    with_witness(node)
    report = audit(node)
    assert kinds(report) == [("bad-cosignature", None, None)]
    assert "cosignature of witness.test/w1 on the checkpoint of size 6" in str(
        report.findings[0]
    )


# --- a trusted checkpoint -----------------------------------------------------------


def swap_and_rehash(node, first, second, signer):
    """Swap two entries, store the hashes they now make, and sign the new tree."""
    tamper(
        node,
        f"UPDATE log_entries SET idx = -1 WHERE idx = {first}",
        f"UPDATE log_entries SET idx = {first} WHERE idx = {second}",
        f"UPDATE log_entries SET idx = {second} WHERE idx = -1",
    )
    with node.database.transaction() as conn:
        rows = conn.execute(text("SELECT idx, leaf FROM log_entries")).all()
        for index, leaf in rows:
            conn.execute(
                text("UPDATE log_hashes SET hash = :h WHERE level = 0 AND idx = :i"),
                {"h": leaf_hash(bytes(leaf)), "i": index},
            )
        size = len(rows)
    replace_checkpoints(node, size, signer)


def node_signer(node, clock):
    with node.database.reading() as conn:
        return node.log_keys.signer(conn, now=clock.now())


def test_audit_finds_a_fork_of_the_size_of_the_trusted_checkpoint(
    node, logged, world, clock
):
    witnessed = world.http.get("/log/checkpoint").text
    swap_and_rehash(node, 0, 2, node_signer(node, clock))
    assert audit(node).clean  # re-signed with the node's own key: only a view
    report = audit(node, trusted=witnessed)  # from outside the node tells
    assert kinds(report) == [("forked", None, None)]
    assert "two different trees of size 6" in report.findings[0].detail


def test_audit_finds_a_fork_below_a_smaller_trusted_checkpoint(node, world, clock):
    for _ in range(4):
        world.issue()
    integrate(node, now=clock.now())
    witnessed = world.http.get("/log/checkpoint").text  # size 4
    world.issue()
    world.issue()
    integrate(node, now=clock.now())
    assert audit(node, trusted=witnessed).clean
    swap_and_rehash(node, 0, 2, node_signer(node, clock))
    report = audit(node, trusted=witnessed)
    assert kinds(report) == [("forked", None, None)]
    assert "does not extend the trusted checkpoint of size 4" in str(report.findings[0])


def test_audit_finds_own_checkpoints_the_rehashed_tree_no_longer_makes(
    node, world, clock
):
    for _ in range(4):
        world.issue()
    integrate(node, now=clock.now())
    world.issue()
    integrate(node, now=clock.now())
    # Swap and rehash the first two leaves, but leave the signed checkpoints.
    tamper(
        node,
        "UPDATE log_entries SET idx = -1 WHERE idx = 0",
        "UPDATE log_entries SET idx = 0 WHERE idx = 1",
        "UPDATE log_entries SET idx = 1 WHERE idx = -1",
    )
    with node.database.transaction() as conn:
        for index, leaf in conn.execute(
            text("SELECT idx, leaf FROM log_entries")
        ).all():
            conn.execute(
                text("UPDATE log_hashes SET hash = :h WHERE level = 0 AND idx = :i"),
                {"h": leaf_hash(bytes(leaf)), "i": index},
            )
    report = audit(node)
    assert [str(f) for f in report.findings] == [
        f"damaged: log: the stored leaf hashes do not rebuild the root of the"
        f" checkpoint of size {size}"
        for size in (4, 5)
    ]


# --- a log of more than one tile, read in pages --------------------------------------


@pytest.fixture
def tiled(world, node, clock, monkeypatch):
    """A log of 300 entries (one full tile and a partial one), audited one tile
    at a time."""
    monkeypatch.setattr(audit_walk, "PAGE", TILE_WIDTH)
    pages = []
    real = log_store.audit_rows

    def counted(conn, start, end):
        pages.append(end - start)
        return real(conn, start, end)

    monkeypatch.setattr(log_store, "audit_rows", counted)
    for _ in range(300):
        world.issue()
    integrate(node, now=clock.now())
    assert audit(node).clean
    assert pages == [256, 44]
    return pages


def test_audit_in_pages_names_a_wrong_tile_hash_and_entries_swapped_across_pages(
    node, tiled
):
    with node.database.transaction() as conn:
        conn.execute(
            text("UPDATE log_hashes SET hash = :h WHERE level = 1"), {"h": bytes(32)}
        )
    tamper(
        node,
        "UPDATE log_entries SET idx = -1 WHERE idx = 10",
        "UPDATE log_entries SET idx = 10 WHERE idx = 290",
        "UPDATE log_entries SET idx = 290 WHERE idx = -1",
    )
    findings = audit(node).findings
    assert [(f.kind, f.index) for f in findings] == [
        ("damaged", 0),
        ("reordered", 10),
        ("reordered", 290),
    ]
    assert str(findings[0]) == "damaged: entry 0: tile hash 0 of level 1 is wrong"
