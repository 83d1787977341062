"""Signed lifecycle events: their proofs verify, and any change or foreign key fails."""

import copy
import json

import pytest

from support.cli import invoke as run_cli
from zhengzhao.errors import InvalidDocument, SignatureInvalid
from zhengzhao.seals.keys import verification_method_id
from zhengzhao.seals.proofs import add_proof
from zhengzhao.verify.events import verify_event
from zhengzhao.verify.trust_list import TrustList


def trust(world):
    return TrustList.from_json(world.http.get("/v1/trust-list").json())


def suspension(world):
    identifier = world.issue()["identifier"]
    return world.event(identifier, "suspended", reason="涉嫌违法")["event"]["document"]


def test_event_proof_verifies_with_the_trust_list(world, clock):
    document = suspension(world)
    event = verify_event(document, trust_list=trust(world), now=clock.now())
    psb = world.departments["psb_tianshan"]
    assert (event.kind, event.sequence) == ("suspended", 2)
    assert (event.issuer_code, event.issuer_name) == (psb.credit_code, psb.name)
    assert event.verification_method.endswith(f"{psb.credit_code}#key-1")


def test_event_issued_document_of_a_license_verifies(world, clock):
    identifier = world.issue()["identifier"]
    (issued,) = world.http.get(
        f"/v1/licenses/{identifier}/events", headers=world.headers("psb_tianshan")
    ).json()
    event = verify_event(issued["document"], trust_list=trust(world), now=clock.now())
    assert (event.kind, event.license) == ("issued", identifier)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kind", "released"),
        ("sequence", 3),
        ("occurredAt", "2026-01-01T00:00:00Z"),
        ("reason", "无"),
        ("details", {"inspectionResult": "passed"}),
    ],
)
def test_event_with_one_changed_field_fails(world, clock, field, value):
    tampered = copy.deepcopy(suspension(world))
    tampered[field] = value
    with pytest.raises(SignatureInvalid) as raised:
        verify_event(tampered, trust_list=trust(world), now=clock.now())
    assert raised.value.code == "signature-invalid"
    assert raised.value.message == "the P-256 signature does not match the data"


def test_event_of_another_license_fails(world, clock):
    tampered = copy.deepcopy(suspension(world))
    tampered["license"] = world.issue(holder=None, name="李四")["identifier"]
    with pytest.raises(SignatureInvalid):
        verify_event(tampered, trust_list=trust(world), now=clock.now())


def test_event_resigned_with_another_departments_key_is_refused(world, clock):
    forged = copy.deepcopy(suspension(world))
    del forged["proof"]
    market = world.departments["market_urumqi"]
    forged["issuer"] = f"{world.node.base_url}/v1/departments/{market.credit_code}"
    with world.node.database.reading() as conn:
        key, signing_key = world.node.keyring.signer(conn, market)
    forged = add_proof(
        forged,
        signing_key=signing_key,
        verification_method=verification_method_id(
            world.node.base_url, market.credit_code, key.sequence
        ),
        created=clock.now(),
    )
    with pytest.raises(SignatureInvalid) as raised:
        verify_event(forged, trust_list=trust(world), now=clock.now())
    assert raised.value.message == (
        f"key {forged['proof']['verificationMethod']} belongs to {market.name}"
        f" ({market.credit_code}), but the license identifier names issuer"
        f" {world.departments['psb_tianshan'].credit_code}"
    )


def test_event_with_an_untrusted_key_is_refused(world, clock):
    with pytest.raises(SignatureInvalid) as raised:
        verify_event(suspension(world), trust_list=TrustList([]), now=clock.now())
    assert "the signer is not trusted" in raised.value.message


def test_event_that_is_no_event_is_refused(world, clock):
    with pytest.raises(InvalidDocument) as raised:
        verify_event({"type": "Other"}, trust_list=trust(world), now=clock.now())
    assert raised.value.message == "the document is not a LicenseEvent"


def test_event_verify_cli_checks_an_event_file(world, tmp_path):
    document = suspension(world)
    (tmp_path / "trust.json").write_text(world.http.get("/v1/trust-list").text)
    (tmp_path / "event.json").write_text(json.dumps(document))
    args = ["--trust-list", str(tmp_path / "trust.json"), "--json"]
    result = run_cli("verify", str(tmp_path / "event.json"), *args)
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout)["kind"] == "suspended"
    document["reason"] = "改"
    (tmp_path / "event.json").write_text(json.dumps(document))
    result = run_cli("verify", str(tmp_path / "event.json"), *args)
    assert result.exit_code == 1
    assert json.loads(result.stdout)["valid"] is False
