"""Tampering with stored events or the log is found and named by the audit.

The tampering runs as raw SQL with foreign keys switched off, as an intruder with
database access would; the audit trusts only the log key (and a trusted checkpoint).
"""

import json

import pytest
from sqlalchemy import text

from zhengzhao.translog.audit import audit
from zhengzhao.translog.sequencer import integrate


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
    return sorted((f.kind, f.license, f.sequence) for f in report.findings)


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
    assert kinds(audit(node)) == [("inserted", logged[0], 2)]


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


def test_audit_names_a_truncated_log(node, logged):
    tamper(
        node,
        "DELETE FROM log_entries WHERE idx >= 4",
        "DELETE FROM log_hashes WHERE level = 0 AND idx >= 4",
    )
    found = [f.kind for f in audit(node).findings]
    assert "truncated" in found and "damaged" in found


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
    assert kinds(alone) == [("inserted", newest, 1)]
    report = audit(node, trusted=witnessed)
    assert ("truncated", None, None) in kinds(report)
    assert any("size 7 was published" in f.detail for f in report.findings)
