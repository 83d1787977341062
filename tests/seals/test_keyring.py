"""Department keys: a key signs only inside its window, and a retired one never again.

The races are played with the test clock, with no threads: a request's time is taken
when it arrives, so a request that waited for a rotation to commit is one whose
clock reading is earlier than the rotation's (race one), and a rotation that waited
for a signer is one whose reading is earlier than the signature's (race two).
"""

import threading
import time
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, text

from conftest import is_postgres
from support.world import (
    OPERATOR,
    department_code,
    example_fields,
    person_id,
    type_code,
)
from zhengzhao.catalog.seed import load_department_kinds
from zhengzhao.directory.departments import register_department
from zhengzhao.errors import Conflict, NoActiveKey, SigningKeyChanged
from zhengzhao.issuance.service import HolderClaim, IssueRequest, issue_licenses
from zhengzhao.seals.algorithms import Algorithm
from zhengzhao.storage.tables import signing_keys
from zhengzhao.verify.service import NodeStatusLists
from zhengzhao.verify.trust_list import TrustList, node_trust_list
from zhengzhao.verify.verifier import Outcome, Verdict, verify_license


def rotate(world, who="psb_tianshan"):
    code = world.departments[who].credit_code
    response = world.post(who, f"/v1/departments/{code}/keys", {})
    assert response.status_code == 201, response.text
    return response.json()


def stored_keys(node, department):
    with node.database.reading() as conn:
        rows = conn.execute(
            select(signing_keys)
            .where(signing_keys.c.department_id == department.id)
            .order_by(signing_keys.c.sequence)
        ).all()
    return {row.sequence: row for row in rows}


def verify(world, clock, document):
    with world.node.database.reading() as conn:
        trust = TrustList.from_json(
            node_trust_list(
                conn,
                node_name="t",
                base_url=world.node.base_url,
                log_origin=world.node.settings.origin,
                now=clock.now(),
            )
        )
    return verify_license(
        document,
        trust_list=trust,
        status_lists=NodeStatusLists(world.node, now=clock.now()),
        now=clock.now(),
    )


def method(document):
    return document["proof"]["verificationMethod"].rsplit("#", 1)[1]


def test_rotation_erases_the_retired_private_key_and_keeps_its_public_key(
    world, clock, node
):
    department = world.departments["psb_tianshan"]
    signed = world.issue()["document"]
    clock.advance(days=1)
    rotate(world)
    keys = stored_keys(node, department)
    assert keys[1].wrapped_private_key is None
    assert keys[1].public_key and keys[1].state == "retired"
    assert keys[2].wrapped_private_key is not None
    assert verify(world, clock, signed).verdict is Verdict.VALID


def test_retired_key_signs_nothing_more_even_for_a_time_in_its_window(
    world, clock, node
):
    department = world.departments["psb_tianshan"]
    start = clock.now()
    clock.advance(days=1)
    rotate(world)
    with node.database.transaction() as conn, pytest.raises(SigningKeyChanged):
        node.keyring.signer_at(conn, department, at=start + timedelta(hours=1))


def test_issue_that_waited_for_a_rotation_is_refused_and_its_retry_signed_anew(
    world, clock
):
    code = world.departments["psb_tianshan"].credit_code
    arrived = clock.now() + timedelta(minutes=30)
    clock.advance(hours=1)
    rotate(world)  # commits while the request below waits for the write lock
    clock.moment = arrived  # when the request arrived and read the clock
    body = world.issue(expect=409)
    assert body["code"] == "signing-key-changed"
    assert body["message"] == (
        f"key 1 of department {code}, whose window holds 2026-11-02T10:30:00Z, was"
        " retired at 2026-11-02T11:00:00Z while this request waited and signs"
        " nothing more; send the request again to sign it with the department's"
        " current key"
    )
    clock.advance(hours=1)  # the retry reads the clock again
    document = world.issue()["document"]
    assert method(document) == "key-2"
    assert document["proof"]["created"] == "2026-11-02T11:30:00Z"
    assert verify(world, clock, document).issuer_key.outcome is Outcome.PASSED


def test_event_that_waited_for_a_rotation_is_refused(world, clock):
    identifier = world.issue()["identifier"]
    arrived = clock.now() + timedelta(minutes=30)
    clock.advance(hours=1)
    rotate(world)
    clock.moment = arrived
    body = world.event(identifier, "suspended", expect=409)
    assert body["code"] == "signing-key-changed"


def test_status_list_of_a_request_that_waited_for_a_rotation_is_not_served(
    world, clock
):
    entry = world.issue()["document"]["credentialStatus"][0]
    arrived = clock.now() + timedelta(minutes=30)
    clock.advance(hours=1)
    rotate(world)  # makes the cached list stale
    clock.moment = arrived
    response = world.http.get(
        entry["statusListCredential"].removeprefix(world.node.base_url)
    )
    assert response.status_code == 409
    assert response.json()["code"] == "signing-key-changed"


def test_rotation_that_waited_for_a_signer_starts_after_its_signature(
    world, clock, node
):
    department = world.departments["psb_tianshan"]
    rotation_arrived = clock.now() + timedelta(minutes=30)
    clock.advance(hours=1)
    early = world.issue()["document"]  # signed while the rotation waited
    clock.moment = rotation_arrived
    key = rotate(world)
    assert datetime.fromisoformat(key["validFrom"]) == datetime(
        2026, 11, 2, 11, 0, 0, 1, tzinfo=UTC
    )
    keys = stored_keys(node, department)
    assert keys[1].valid_until == keys[2].valid_from
    clock.moment = datetime(2026, 11, 2, 11, 0, 0, 1, tzinfo=UTC)
    assert method(early) == "key-1"
    assert verify(world, clock, early).verdict is Verdict.VALID


def test_key_rotated_to_start_ahead_keeps_signing_until_then_and_is_erased_after(
    world, clock, node
):
    department = world.departments["psb_tianshan"]
    rotation_arrived = clock.now() + timedelta(minutes=30)
    clock.advance(hours=1)
    world.issue()
    clock.moment = rotation_arrived
    rotate(world)  # key 2 starts a microsecond after 11:00, ahead of 10:30
    assert stored_keys(node, department)[1].wrapped_private_key is not None
    between = world.issue()["document"]  # another request of 10:30
    assert method(between) == "key-1"
    clock.moment = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
    after = world.issue()["document"]
    assert method(after) == "key-2"
    assert stored_keys(node, department)[1].wrapped_private_key is None
    for document in (between, after):
        assert verify(world, clock, document).verdict is Verdict.VALID


def test_trust_list_window_keeps_the_fraction_of_a_second_the_key_changed_at(
    world, clock
):
    rotation_arrived = clock.now() + timedelta(minutes=30)
    clock.advance(hours=1)
    world.issue()
    clock.moment = rotation_arrived
    rotate(world)
    methods = [
        entry
        for entry in world.http.get("/v1/trust-list").json()["verificationMethods"]
        if entry["controllerCode"] == world.departments["psb_tianshan"].credit_code
    ]
    assert [entry["validUntil"] for entry in methods] == [
        "2026-11-02T11:00:00.000001Z",
        None,
    ]
    assert methods[1]["validFrom"] == "2026-11-02T11:00:00.000001Z"


def test_signer_at_a_time_before_the_first_key_is_refused(world, clock, node):
    department = world.departments["psb_tianshan"]
    with node.database.transaction() as conn, pytest.raises(NoActiveKey) as raised:
        node.keyring.signer_at(conn, department, at=clock.now() - timedelta(days=1))
    assert raised.value.message == (
        f"department {department.credit_code} had no key at 2026-11-01T10:00:00Z:"
        " its first key signs from 2026-11-02T10:00:00Z, and nothing is signed with"
        " a time before its key's start"
    )


def test_first_key_may_start_before_its_department_is_registered(clock, node, world):
    history = clock.now() - timedelta(days=30)
    with node.database.transaction() as conn:
        department, key = register_department(
            conn,
            node,
            principal=OPERATOR,
            credit_code=department_code("650104", "1009"),
            name="乌鲁木齐市公安局新市区分局",
            region_code="650104",
            kind="public-security",
            known_kinds=frozenset(load_department_kinds()),
            now=clock.now(),
            keys_from=history,
        )
    assert key.valid_from == history
    with node.database.transaction() as conn:
        signing, _ = node.keyring.signer_at(
            conn, department, at=history + timedelta(hours=1)
        )
    assert signing.id == key.id


def test_only_a_first_key_is_given_its_start(world, clock, node):
    department = world.departments["psb_tianshan"]
    with node.database.transaction() as conn, pytest.raises(Conflict) as raised:
        node.keyring.create_key(
            conn,
            department,
            algorithm=Algorithm.ECDSA_P256,
            now=clock.now(),
            starts=clock.now() - timedelta(days=30),
        )
    assert raised.value.message == (
        f"department {department.credit_code} has keys already; only its first key"
        " may be given its start"
    )


def test_rotation_waits_for_a_signer_holding_the_department(
    world, clock, node, database_url
):
    # SQLite lets one writer in at a time; PostgreSQL needs the department's row
    # lock, without which this rotation would close key 1 before the signature.
    if not is_postgres(database_url):
        pytest.skip("concurrent transactions: PostgreSQL (SQLite serializes writers)")
    department = world.departments["psb_tianshan"]
    signed_at = clock.now() + timedelta(hours=1)
    rotated: list[object] = []

    def rotate_meanwhile():
        with node.database.transaction() as conn:
            rotated.append(
                node.keyring.create_key(
                    conn,
                    department,
                    algorithm=Algorithm.ECDSA_P256,
                    now=clock.now() + timedelta(minutes=30),
                )
            )

    rotation = threading.Thread(target=rotate_meanwhile)
    with node.database.transaction() as conn:
        (issued,) = issue_licenses(
            conn,
            node,
            issuer=department,
            requests=[card_request()],
            actor="test",
            now=signed_at,
        )
        rotation.start()
        wait_for_a_lock_wait(node)
    rotation.join(timeout=30)
    (key,) = rotated
    assert key.valid_from == signed_at + timedelta(microseconds=1)
    clock.moment = signed_at
    assert verify(world, clock, issued.document).verdict is Verdict.VALID


def card_request():
    return IssueRequest(
        type_code=type_code("resident-identity-card"),
        holder=HolderClaim(identifier=person_id(), name="张三"),
        fields=example_fields("resident-identity-card"),
        valid_until=date(2036, 1, 1),
    )


def wait_for_a_lock_wait(node, *, within=30.0):
    """Return once another session of the database waits for a lock."""
    deadline = time.monotonic() + within
    with node.database.engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute(
                text(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
            ).scalar_one()
            conn.rollback()
            if waiting:
                return
    raise AssertionError("the rotation never waited for the signer's lock")
