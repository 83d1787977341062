"""The independent verifier against the W3C cryptosuites' own test vectors.

The vectors name their keys by `did:key` or by an issuer URL with the Multikey as
fragment; each test builds a trust-list-shaped dict holding that key, with the
vector's issuer as controller, which is what the platform's trust list asserts.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from independent.di_verifier import (
    VerificationFailed,
    canonicalize,
    single_changes,
    verify_credential,
)

VECTORS = Path(__file__).parent / "vectors"
SUITES = ["ecdsa-jcs-2019", "eddsa-jcs-2022"]


def vector(suite: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((VECTORS / f"{suite}.json").read_text())
    return loaded


def trust_list_for(document: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "ZhengzhaoTrustList",
        "verificationMethods": [
            {
                "id": document["proof"]["verificationMethod"],
                "type": "Multikey",
                "controller": document["issuer"],
                "publicKeyMultibase": data["publicKeyMultibase"],
                "publicKeyJwk": data["publicKeyJwk"],
            }
        ],
    }


def signed_and_trust_list(suite: str) -> tuple[dict[str, Any], dict[str, Any]]:
    data = vector(suite)
    return data["signed"], trust_list_for(data["signed"], data)


def reason_for(document: dict[str, Any], trust_list: dict[str, Any]) -> str:
    with pytest.raises(VerificationFailed) as failure:
        verify_credential(document, trust_list)
    return failure.value.reason


CHANGES = [
    pytest.param(suite, change, copy, id=f"{suite}: {change}")
    for suite in SUITES
    for change, copy in single_changes(vector(suite)["signed"])
]


@pytest.mark.parametrize("suite", SUITES)
def test_spec_vector_verifies(suite):
    verify_credential(*signed_and_trust_list(suite))


def test_spec_vector_canonical_document_and_hash_match_published():
    data = vector("eddsa-jcs-2022")
    unsecured = {k: v for k, v in data["signed"].items() if k != "proof"}
    assert canonicalize(unsecured) == data["canonicalDocument"].encode()
    assert hashlib.sha256(canonicalize(unsecured)).hexdigest() == data["documentHash"]


@pytest.mark.parametrize(("suite", "change", "changed"), CHANGES)
def test_spec_vector_with_one_change_is_rejected(suite, change, changed):
    _, trust_list = signed_and_trust_list(suite)
    with pytest.raises(VerificationFailed):
        verify_credential(changed, trust_list)


@pytest.mark.parametrize("suite", SUITES)
def test_spec_vector_with_another_created_is_rejected(suite):
    document, trust_list = signed_and_trust_list(suite)
    document["proof"]["created"] = "2023-02-24T23:36:39Z"
    assert reason_for(document, trust_list).startswith("the signature does not verify")


@pytest.mark.parametrize("suite", SUITES)
@pytest.mark.parametrize("position", [1, 30, -1])
def test_spec_vector_with_one_proof_value_character_changed_is_rejected(
    suite, position
):
    document, trust_list = signed_and_trust_list(suite)
    value = list(document["proof"]["proofValue"])
    value[position] = "2" if value[position] != "2" else "3"
    document["proof"]["proofValue"] = "".join(value)
    with pytest.raises(VerificationFailed):
        verify_credential(document, trust_list)


def test_draft_vector_without_proof_context_is_rejected():
    # Its proof configuration lacks @context; the Recommendation's "Proof
    # Configuration (ecdsa-jcs-2019)" sets it from the document, so it cannot match.
    data = vector("ecdsa-jcs-2019")
    document = {**data["signed"], "proof": data["draftSigned"]["proof"]}
    reason = reason_for(document, trust_list_for(document, data))
    assert reason.startswith("the signature does not verify")


@pytest.mark.parametrize("suite", SUITES)
def test_spec_vector_with_proof_context_not_opening_document_context_is_rejected(suite):
    document, trust_list = signed_and_trust_list(suite)
    document["proof"]["@context"] = [document["@context"][0], "https://example.org/v1"]
    assert "does not open the document's" in reason_for(document, trust_list)


@pytest.mark.parametrize("suite", SUITES)
def test_spec_vector_with_unknown_verification_method_is_rejected(suite):
    document, trust_list = signed_and_trust_list(suite)
    trust_list["verificationMethods"][0]["id"] += "-other"
    assert "the trust list holds 0 methods" in reason_for(document, trust_list)


@pytest.mark.parametrize("suite", SUITES)
def test_spec_vector_with_key_of_another_controller_is_rejected(suite):
    document, trust_list = signed_and_trust_list(suite)
    trust_list["verificationMethods"][0]["controller"] = "https://vc.example/issuers/9"
    reason = reason_for(document, trust_list)
    assert reason.endswith("not by the issuer 'https://vc.example/issuers/5678'")


def test_spec_vector_with_jwk_off_the_curve_is_rejected():
    document, trust_list = signed_and_trust_list("ecdsa-jcs-2019")
    jwk = trust_list["verificationMethods"][0]["publicKeyJwk"]
    jwk["x"], jwk["y"] = jwk["y"], jwk["x"]  # for this key, (y, x) is off the curve
    assert "not a point on P-256" in reason_for(document, trust_list)


def test_spec_vector_with_jwk_of_another_key_is_rejected():
    document, trust_list = signed_and_trust_list("ecdsa-jcs-2019")
    trust_list["verificationMethods"][0]["publicKeyJwk"] = {
        "kty": "EC",
        "crv": "P-256",
        # The P-256 base point G (SEC 2): on the curve, but not this key.
        "x": "axfR8uEsQkf4vOblY6RA8ncDfYEt6zOg9KE5RdiYwpY",
        "y": "T-NC4v4af5uO5-tKfA-eFivOM1drMV7Oy7ZAaDe_UfU",
    }
    assert "are different keys" in reason_for(document, trust_list)


def test_spec_vector_with_key_of_the_other_suite_is_rejected():
    document, _ = signed_and_trust_list("ecdsa-jcs-2019")
    ed25519 = vector("eddsa-jcs-2022")
    trust_list = trust_list_for(document, ed25519)
    assert "needs a P-256 key" in reason_for(document, trust_list)


def test_spec_vector_with_private_jwk_member_is_rejected():
    document, trust_list = signed_and_trust_list("eddsa-jcs-2022")
    trust_list["verificationMethods"][0]["publicKeyJwk"]["d"] = "AAAA"
    assert "must be a public JWK" in reason_for(document, trust_list)


def test_spec_vector_with_unknown_multicodec_is_rejected():
    document, trust_list = signed_and_trust_list("ecdsa-jcs-2019")
    # The P-256 *secret* key multicodec 0x1306 (DI-ECDSA "Multikey"), from the
    # vector's key pair: a public key slot must never take it.
    secret = "z42twTcNeSYcnqg1FLuSFs2bsGH3ZqbRHFmvS9XMsYhjxvHN"
    trust_list["verificationMethods"][0]["publicKeyMultibase"] = secret
    assert "multicodec 0x1306" in reason_for(document, trust_list)


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("proofPurpose", "authentication", "expected assertionMethod"),
        ("type", "Ed25519Signature2020", "is not DataIntegrityProof"),
        ("cryptosuite", "ecdsa-rdfc-2019", "is not DataIntegrityProof"),
        ("created", "2023-02-24 23:36:38", "is no dateTimeStamp"),
        ("created", "2023-02-30T23:36:38Z", "is no dateTimeStamp"),
        ("created", "2023-02-24T23:36:38", "is no dateTimeStamp"),
        ("proofValue", "u6Nh", "must be base58btc multibase"),
    ],
)
def test_spec_vector_with_malformed_proof_is_rejected(field, value, reason):
    document, trust_list = signed_and_trust_list("eddsa-jcs-2022")
    document["proof"][field] = value
    assert reason in reason_for(document, trust_list)


def test_spec_vector_with_proof_set_is_rejected():
    document, trust_list = signed_and_trust_list("eddsa-jcs-2022")
    document["proof"] = [document["proof"]]
    assert "no single proof object" in reason_for(document, trust_list)
