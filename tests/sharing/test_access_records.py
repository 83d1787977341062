"""Access records: written with their log leaf, read by the holder with a proof,
read by auditors masked, and every tampering named by the log audit."""

import base64

import pytest
from sqlalchemy import select, text

from sharing.support import BANK, CARD_MATTER, HOLDER, log_in, set_up_sharing
from support.world import person_id
from translog.test_audit import tamper
from zhengzhao.errors import FieldNotGranted, LogProofInvalid
from zhengzhao.model.license import HolderKind
from zhengzhao.model.parties import Principal, Role
from zhengzhao.sharing.access import (
    AccessAction,
    AccessBasis,
    AccessEntry,
    record_access,
    record_hash,
)
from zhengzhao.sharing.refusals import MAX_REFUSAL, AccessAttempt, refusals_recorded
from zhengzhao.storage import parties as party_store
from zhengzhao.storage.tables import access_records, log_entries
from zhengzhao.translog.audit import audit
from zhengzhao.translog.leaves import read_access_leaf
from zhengzhao.translog.note import NoteVerifier
from zhengzhao.translog.proofs import check_record_proof
from zhengzhao.translog.sequencer import integrate

ME = f"holder:{HOLDER}"


def record(node, clock, holder=HOLDER, outcome="disclosed"):
    entry = AccessEntry(
        action=AccessAction.SHARE,
        holder_kind=HolderKind.PERSON,
        holder_identifier=holder,
        holder_index=node.vault.index(HolderKind.PERSON, holder),
        party=None,
        actor="client:test",
        matter_code="650000-RS-0001",
        basis=AccessBasis.AUTHORIZATION,
        authorization_ref="au_0000000000000000",
        outcome=outcome,
        details={"licenses": [{"identifier": "1.2.156.3005.2.x", "disclosed": []}]},
    )
    with node.database.transaction() as conn:
        return record_access(conn, node, entry, now=clock.now())


@pytest.fixture
def logged(world, node, clock):
    made = [record(node, clock), record(node, clock, holder=person_id(sequence=99))]
    world.issue()
    integrate(node, now=clock.now())
    assert audit(node).clean
    return made


def test_record_is_logged_with_a_leaf_committing_to_its_document(node, logged):
    first = logged[0]
    with node.database.reading() as conn:
        leaf = conn.execute(
            select(log_entries.c.leaf).where(
                log_entries.c.access_record_id == first.row_id
            )
        ).scalar_one()
    decoded = read_access_leaf(leaf)
    assert decoded.record == first.id
    assert decoded.record_hash == record_hash(first.document)
    assert first.document["holder"] == {"kind": "person", "identifier": HOLDER}
    assert len(base64.urlsafe_b64decode(first.document["salt"] + "==")) == 16


def test_record_stores_no_holder_identifier_in_clear(node, logged):
    with node.database.reading() as conn:
        rows = conn.execute(select(access_records)).all()
    for row in rows:
        assert HOLDER.encode() not in bytes(row.holder_cipher)
        assert HOLDER not in str(tuple(row))


def test_holder_reads_own_records_with_a_proof_that_verifies(world, node, logged):
    who = log_in(world, HOLDER)
    page = world.http.get("/v1/me/access-records", headers=world.headers(who)).json()
    assert [item["document"]["id"] for item in page["items"]] == [logged[0].id]
    one = world.http.get(
        f"/v1/me/access-records/{logged[0].id}", headers=world.headers(who)
    ).json()
    assert one["document"] == logged[0].document
    vkey = world.http.get("/v1/trust-list").json()["log"]["verifierKey"]
    verifier = NoteVerifier.from_vkey(vkey)
    index = check_record_proof(
        one["log"], document=one["document"], origin="zz.test/log", verifier=verifier
    )
    assert index == one["log"]["index"]
    changed = {**one["document"], "outcome": "authorization-expired"}
    with pytest.raises(LogProofInvalid, match="commits to another document"):
        check_record_proof(
            one["log"], document=changed, origin="zz.test/log", verifier=verifier
        )


def test_record_proof_is_null_until_sequenced(world, node, clock):
    made = record(node, clock)
    who = log_in(world, HOLDER)
    one = world.http.get(
        f"/v1/me/access-records/{made.id}", headers=world.headers(who)
    ).json()
    assert one["log"] is None


def test_holder_pages_records_newest_first_and_sees_no_others(world, node, clock):
    made = [record(node, clock) for _ in range(3)]
    record(node, clock, holder=person_id(sequence=99))
    who = log_in(world, HOLDER)
    first = world.http.get(
        "/v1/me/access-records?limit=2", headers=world.headers(who)
    ).json()
    assert [i["document"]["id"] for i in first["items"]] == [made[2].id, made[1].id]
    rest = world.http.get(
        f"/v1/me/access-records?limit=2&cursor={first['nextCursor']}",
        headers=world.headers(who),
    ).json()
    assert [i["document"]["id"] for i in rest["items"]] == [made[0].id]
    assert rest["nextCursor"] is None
    other = world.http.get(
        f"/v1/me/access-records/{made[0].id}",
        headers=world.headers(log_in(world, person_id(sequence=99))),
    )
    assert other.status_code == 404


def test_auditor_reads_every_record_with_holders_masked(world, node, logged):
    response = world.http.get("/v1/access-records", headers=world.headers("auditor"))
    documents = [item["document"] for item in response.json()["items"]]
    assert len(documents) == 2
    assert documents[1]["holder"]["identifier"] == HOLDER[:4] + "*" * 10 + HOLDER[-4:]
    only = world.http.get(
        f"/v1/access-records?holder={HOLDER}", headers=world.headers("auditor")
    ).json()
    assert [i["document"]["id"] for i in only["items"]] == [logged[0].id]
    for who in ("operator", "psb_tianshan"):
        refused = world.http.get("/v1/access-records", headers=world.headers(who))
        assert refused.status_code == 403


def kinds(report):
    return sorted((f.kind, f.record) for f in report.findings if f.record)


def test_audit_names_a_changed_record(node, logged):
    tamper(
        node,
        f"UPDATE access_records SET outcome = 'checked' WHERE id = {logged[0].row_id}",
    )
    report = audit(node)
    assert kinds(report) == [("changed", logged[0].id)]
    assert "recordHash" in report.findings[0].detail
    assert f"(access record {logged[0].id})" in str(report.findings[0])


def test_audit_names_a_deleted_record(node, logged):
    tamper(node, f"DELETE FROM access_records WHERE id = {logged[1].row_id}")
    assert kinds(audit(node)) == [("deleted", logged[1].id)]


def test_audit_names_a_record_moved_to_another_holder(node, logged):
    with node.database.reading() as conn:
        other = conn.execute(
            text("SELECT holder_index FROM access_records WHERE id = :i"),
            {"i": logged[1].row_id},
        ).scalar_one()
    tamper(
        node,
        f"UPDATE access_records SET holder_index = '{other}'"
        f" WHERE id = {logged[0].row_id}",
    )
    report = audit(node)
    assert kinds(report) == [("changed", logged[0].id)]
    assert "holder index" in report.findings[0].detail


def test_audit_names_a_record_that_was_never_logged(node, clock, logged):
    made = record(node, clock)
    tamper(node, f"DELETE FROM log_outbox WHERE access_record_id = {made.row_id}")
    assert kinds(audit(node)) == [("inserted", made.id)]


def test_refusal_record_keeps_a_bounded_message(world, node, clock):
    set_up_sharing(world)
    principal = Principal(
        client_id="bank", name="bank", role=Role.USING_PARTY, party=bank_party(world)
    )
    attempt = AccessAttempt(
        action=AccessAction.SHARE,
        principal=principal,
        matter_code=CARD_MATTER,
        holder_identifier=HOLDER,
        authorization_ref=None,
        basis=AccessBasis.AUTHORIZATION,
        reason="因" * 2000,
    )
    with (
        pytest.raises(FieldNotGranted),
        refusals_recorded(node, attempt, now=clock.now()),
    ):
        raise FieldNotGranted("field " + "y" * 2_000_000 + " was not granted")
    page = world.http.get("/v1/me/access-records", headers=world.headers(ME)).json()
    (document,) = [item["document"] for item in page["items"]]
    assert document["outcome"] == "field-not-granted"
    assert len(document["details"]["refusal"]) == MAX_REFUSAL
    assert document["details"]["refusal"].endswith("y…")
    assert len(document["reason"]) == MAX_REFUSAL


def bank_party(world):
    with world.node.database.reading() as conn:
        party = party_store.party_by_code(conn, BANK)
    assert party is not None
    return party
