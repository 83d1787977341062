"""The audit replays each license's events and names a stored state they do not
make, and names a credential that no longer opens instead of failing on it.

The tampering is raw SQL, as in `test_audit`; these run on SQLite and PostgreSQL.
"""

import pytest
from sqlalchemy import text

from support.cli import invoke, write_config
from support.world import person_id
from translog.test_audit import kinds, tamper
from zhengzhao.model.lifecycle import EventKind
from zhengzhao.translog.audit import audit
from zhengzhao.translog.audit_leaves import UNOPENED_CREDENTIAL
from zhengzhao.translog.sequencer import integrate


@pytest.fixture
def histories(world, node, clock):
    """A revoked license, a mortgaged one, one corrected while suspended, one
    untouched; all logged, the audit clean."""
    revoked = world.issue()["identifier"]
    world.event(revoked, "revoked", reason="吊销")
    estate = world.issue(
        "land_tianshan", "real-estate-certificate", holder=person_id(sequence=102)
    )["identifier"]
    world.event(estate, "mortgaged", who="land_tianshan")
    corrected = world.issue(holder=person_id(sequence=103))["identifier"]
    world.event(corrected, "suspended")
    successor = world.event(
        corrected,
        "corrected",
        holder={"identifier": person_id(sequence=103), "name": "李四"},
    )["successor"]["identifier"]
    plain = world.issue(holder=person_id(sequence=104))["identifier"]
    integrate(node, now=clock.now())
    assert audit(node).clean
    return {
        "revoked": revoked,
        "estate": estate,
        "successor": successor,
        "plain": plain,
    }


def set_column(node, identifier, column, value):
    shown = "NULL" if value is None else f"'{value}'"
    tamper(
        node,
        f"UPDATE licenses SET {column} = {shown} WHERE identifier = '{identifier}'",
    )


def test_audit_names_a_revoked_license_stored_as_valid(node, histories):
    set_column(node, histories["revoked"], "status", "valid")
    report = audit(node)
    assert kinds(report) == [("state-changed", histories["revoked"], None)]
    finding = report.findings[0]
    assert finding.detail == (
        "it is stored as valid (01), unencumbered, but its events make it"
        " revoked (07), unencumbered"
    )
    assert str(finding).startswith(f"state-changed: license {histories['revoked']}:")


def test_audit_names_a_license_whose_mortgage_was_erased(node, histories):
    set_column(node, histories["estate"], "encumbrance", None)
    report = audit(node)
    assert kinds(report) == [("state-changed", histories["estate"], None)]
    assert report.findings[0].detail.endswith(
        "but its events make it valid (09), mortgaged"
    )


def test_audit_names_a_valid_license_stored_as_suspended(node, histories):
    set_column(node, histories["plain"], "status", "suspended")
    assert kinds(audit(node)) == [("state-changed", histories["plain"], None)]


def test_audit_names_a_status_no_event_makes(node, histories):
    set_column(node, histories["plain"], "status", "bogus")
    report = audit(node)
    assert kinds(report) == [("state-changed", histories["plain"], None)]
    assert "stored as status 'bogus'" in report.findings[0].detail


def test_audit_replays_a_successor_from_the_state_its_predecessor_left(node, histories):
    # The corrected version started suspended, as its predecessor was: made valid
    # in the table, it no longer follows from its events.
    set_column(node, histories["successor"], "status", "valid")
    assert kinds(audit(node)) == [("state-changed", histories["successor"], None)]


def test_audit_names_events_that_are_no_possible_history(world, node, clock):
    identifier = world.issue()["identifier"]
    world.event(identifier, "suspended")
    integrate(node, now=clock.now())
    tamper(
        node,
        "UPDATE license_events SET kind = 'released' WHERE sequence = 2 AND"
        " license_id = (SELECT id FROM licenses WHERE identifier ="
        f" '{identifier}')",
    )
    found = [f for f in audit(node).findings if f.kind == "state-changed"]
    assert [f.license for f in found] == [identifier]
    assert "not a history the lifecycle allows" in found[0].detail
    assert "never suspended" in found[0].detail


def test_audit_of_an_expired_license_is_clean(world, node, clock):
    identifier = world.issue(
        issueDate="2020-01-01", validFrom="2020-01-01", validUntil="2026-11-01"
    )["identifier"]
    world.event(identifier, EventKind.EXPIRED.value)
    integrate(node, now=clock.now())
    assert audit(node).clean


def test_log_audit_command_exits_one_naming_a_changed_status(
    tmp_path, settings, node, histories
):
    config = write_config(tmp_path / "node.toml", settings)
    set_column(node, histories["revoked"], "status", "valid")
    result = invoke("--config", str(config), "log", "audit")
    assert result.exit_code == 1, result.output
    assert f"state-changed: license {histories['revoked']}" in result.output


def test_audit_names_swapped_credential_ciphertexts_as_changed(node, histories):
    first, second = histories["plain"], histories["revoked"]
    with node.database.reading() as conn:
        ciphers = dict(
            conn.execute(
                text(
                    "SELECT identifier, document_cipher FROM licenses"
                    " WHERE identifier IN (:a, :b)"
                ),
                {"a": first, "b": second},
            ).all()
        )
    with node.database.transaction() as conn:
        for mine, theirs in ((first, second), (second, first)):
            conn.execute(
                text("UPDATE licenses SET document_cipher = :c WHERE identifier = :i"),
                {"c": ciphers[theirs], "i": mine},
            )
    report = audit(node)
    assert sorted(kinds(report)) == sorted(
        [("changed", first, 1), ("changed", second, 1)]
    )
    assert {f.detail for f in report.findings} == {UNOPENED_CREDENTIAL}


def test_audit_names_an_unlogged_issuance_whose_credential_does_not_open(
    world, node, histories
):
    identifier = world.issue(holder=person_id(sequence=105))["identifier"]
    tamper(
        node,
        "DELETE FROM log_outbox WHERE event_id IN (SELECT e.id FROM license_events e"
        " JOIN licenses l ON l.id = e.license_id WHERE l.identifier ="
        f" '{identifier}')",
    )
    damage_credential(node, identifier)
    assert kinds(audit(node)) == [
        ("changed", identifier, 1),
        ("inserted", identifier, 1),
    ]


def damage_credential(node, identifier):
    with node.database.transaction() as conn:
        conn.execute(
            text("UPDATE licenses SET document_cipher = :c WHERE identifier = :i"),
            {"c": b"\x01" + bytes(40), "i": identifier},
        )


def test_log_audit_command_names_a_damaged_credential_and_exits_one(
    tmp_path, settings, node, histories
):
    config = write_config(tmp_path / "node.toml", settings)
    damage_credential(node, histories["plain"])
    result = invoke("--config", str(config), "log", "audit")
    assert result.exit_code == 1, result.output
    assert f"({histories['plain']} #1): {UNOPENED_CREDENTIAL}" in result.output
