"""Verification on the node itself: its library, and status lists after key changes."""

import copy
import json
from datetime import timedelta

from sqlalchemy import select, update

from zhengzhao.model.license_id import LicenseIdentifier
from zhengzhao.seals.keys import verification_method_id
from zhengzhao.seals.proofs import add_proof
from zhengzhao.storage.tables import licenses
from zhengzhao.verify.service import NodeStatusLists, verify_on_node
from zhengzhao.verify.trust_list import TrustList, node_trust_list
from zhengzhao.verify.verifier import Outcome, Verdict, verify_license


def resign(world, document, clock, *, identifier=None, **subject_changes):
    """``document`` changed and signed again with its issuer's own current key, as
    someone holding a copy of the database and the master key could."""
    forged = copy.deepcopy(document)
    del forged["proof"]
    if identifier is not None:
        forged["credentialSubject"]["license"]["identifier"] = identifier
        forged["id"] = f"{world.node.base_url}/v1/licenses/{identifier}"
    forged["credentialSubject"]["holder"].update(subject_changes)
    department = world.departments["psb_tianshan"]
    with world.node.database.reading() as conn:
        key, signing_key = world.node.keyring.signer(conn, department)
    return add_proof(
        forged,
        signing_key=signing_key,
        verification_method=verification_method_id(
            world.node.base_url, department.credit_code, key.sequence
        ),
        created=clock.now(),
    )


def other_serial(document, serial="20269999999"):
    parsed = LicenseIdentifier.parse(
        document["credentialSubject"]["license"]["identifier"]
    )
    return str(
        LicenseIdentifier.build(
            type_code=parsed.type_code,
            issuer_code=parsed.issuer_code,
            serial=serial,
            version=1,
        )
    )


def offline(world, clock, document):
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


def test_node_verification_finds_its_license_in_its_library(world, clock):
    document = world.issue()["document"]
    result = verify_on_node(world.node, document, now=clock.now())
    assert result.verdict is Verdict.VALID
    assert result.library.outcome is Outcome.PASSED
    assert result.library.detail == (
        "exactly the credential the issuing node's library holds"
    )


def test_node_verification_refuses_a_license_it_never_issued(world, clock):
    document = world.issue()["document"]
    identifier = other_serial(document)
    forged = resign(world, document, clock, identifier=identifier)
    # Offline, a genuine key signing inside its window is all there is to see.
    assert offline(world, clock, forged).verdict is Verdict.VALID
    result = verify_on_node(world.node, forged, now=clock.now())
    assert result.proof.outcome is Outcome.PASSED
    assert result.issuer_key.outcome is Outcome.PASSED
    assert result.verdict is Verdict.INVALID
    assert result.library.outcome is Outcome.FAILED
    assert result.library.detail == (
        f"not-in-library: the issuing node's library holds no license {identifier};"
        " the node never issued it"
    )
    assert result.summary.startswith("Invalid: not-in-library")


def test_node_verification_refuses_a_changed_copy_of_its_license(world, clock):
    document = world.issue()["document"]
    identifier = document["credentialSubject"]["license"]["identifier"]
    forged = resign(world, document, clock, name="李四")
    result = verify_on_node(world.node, forged, now=clock.now())
    assert result.verdict is Verdict.INVALID
    assert result.library.outcome is Outcome.FAILED
    assert result.library.detail == (
        f"not-in-library: the issuing node issued license {identifier} as another"
        " credential; this one was changed or made elsewhere"
    )


def test_node_verification_names_a_record_changed_in_its_database(world, clock, node):
    first, second = world.issue(), world.issue(name="李四")
    with node.database.transaction() as conn:
        cipher = conn.execute(
            select(licenses.c.document_cipher).where(
                licenses.c.identifier == second["identifier"]
            )
        ).scalar_one()
        conn.execute(
            update(licenses)
            .where(licenses.c.identifier == first["identifier"])
            .values(document_cipher=cipher)
        )
    result = verify_on_node(node, first["document"], now=clock.now())
    assert result.verdict is Verdict.INVALID
    assert result.library.outcome is Outcome.FAILED
    assert "does not open (it was changed in the database)" in result.library.detail


def test_verify_endpoint_and_page_refuse_a_license_never_issued(world, clock):
    document = world.issue()["document"]
    forged = resign(world, document, clock, identifier=other_serial(document))
    body = world.http.post(
        "/v1/verify", json=forged, headers=world.headers("verifier")
    ).json()
    assert body["verdict"] == "invalid"
    assert body["library"]["outcome"] == "failed"
    assert body["transparency"]["outcome"] == "not-checked"
    page = world.http.post("/verify", data={"document": json.dumps(forged)})
    assert page.status_code == 200
    assert "Library · 证照库" in page.text
    assert "Invalid: not-in-library" in page.text


def test_offline_verification_leaves_the_library_to_the_issuing_node(world, clock):
    result = offline(world, clock, world.issue()["document"])
    assert result.verdict is Verdict.VALID
    assert result.library.outcome is Outcome.NOT_CHECKED
    assert result.library.detail == (
        "only the issuing node can tell whether its library holds this license"
    )


def status_method(world, document):
    entry = document["credentialStatus"][0]
    served = world.http.get(
        entry["statusListCredential"].removeprefix(world.node.base_url)
    )
    assert served.status_code == 200, served.text
    return served.json()["proof"]["verificationMethod"].rsplit("#", 1)[1]


def test_compromise_and_rotation_re_sign_the_departments_status_lists(
    world, clock, node
):
    department = world.departments["psb_tianshan"]
    document = world.issue()["document"]
    compromised_at = clock.now() + timedelta(hours=12)
    clock.advance(hours=13)
    # The lists are cached now, signed by key 1 after the moment it will be found
    # to have been compromised.
    assert verify_on_node(node, document, now=clock.now()).verdict is Verdict.VALID
    assert status_method(world, document) == "key-1"
    with node.database.transaction() as conn:
        node.keyring.mark_compromised(conn, department, 1, since=compromised_at)
    code = department.credit_code
    assert world.post("operator", f"/v1/departments/{code}/keys", {}).status_code == 201
    clock.advance(minutes=5)
    result = verify_on_node(node, document, now=clock.now())
    # Signed by key 1 before its compromise, with its lists signed again by key 2.
    assert result.verdict is Verdict.VALID, result.summary
    assert status_method(world, document) == "key-2"


def test_rotation_re_signs_the_status_lists_with_the_new_key(world, clock):
    document = world.issue()["document"]
    assert status_method(world, document) == "key-1"
    clock.advance(minutes=1)
    code = world.departments["psb_tianshan"].credit_code
    assert world.post("operator", f"/v1/departments/{code}/keys", {}).status_code == 201
    assert status_method(world, document) == "key-2"
    assert verify_on_node(world.node, document, now=clock.now()).verdict is (
        Verdict.VALID
    )
