"""Data Integrity proofs: the W3C test vectors, and every way a proof can fail."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import base58
import pytest
import rfc8785
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from hypothesis import given, settings
from hypothesis import strategies as st

from zhengzhao.errors import InvalidDocument, SignatureInvalid
from zhengzhao.seals.algorithms import Algorithm, SigningKey, VerifyingKey
from zhengzhao.seals.multikey import (
    decode_base58btc,
    encode_base58btc,
    public_key_from_multibase,
)
from zhengzhao.seals.proofs import VerifiedProof, add_proof, verify_proof
from zhengzhao.seals.suites import (
    ECDSA_JCS_2019,
    EDDSA_JCS_2022,
    SM2_JCS_ZHENGZHAO_2026,
    canonicalize,
    suite_for_algorithm,
)

VECTORS = Path(__file__).parent / "vectors"
EDDSA = json.loads((VECTORS / "eddsa_jcs_2022.json").read_text())
ECDSA = json.loads((VECTORS / "ecdsa_jcs_2019_p256.json").read_text())

ALGORITHMS = list(Algorithm)
KEYS = {algorithm: SigningKey.generate(algorithm) for algorithm in ALGORITHMS}
CREATED = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)
METHOD = "https://zz.example/v1/departments/11650100MB1234567X#key-1"

LICENSE: dict[str, Any] = {
    "@context": ["https://www.w3.org/ns/credentials/v2"],
    "type": ["VerifiableCredential", "BusinessLicense"],
    "issuer": "https://zz.example/v1/departments/11650100MB1234567X",
    "validFrom": "2026-03-01T00:00:00Z",
    "credentialSubject": {"name": "乌鲁木齐示例商贸有限公司", "capital": 1_000_000},
}


def resolver(key: VerifyingKey) -> Callable[[str], VerifyingKey]:
    return lambda method: key


def signed_with(
    algorithm: Algorithm, document: dict[str, Any] = LICENSE
) -> dict[str, Any]:
    return add_proof(
        document,
        signing_key=KEYS[algorithm],
        verification_method=METHOD,
        created=CREATED,
    )


def unsigned(signed: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in signed.items() if name != "proof"}


def proof_options(signed: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in signed["proof"].items() if k != "proofValue"}


# --- W3C test vectors ---------------------------------------------------------


def eddsa_vector_key() -> SigningKey:
    seed = base58.b58decode(EDDSA["privateKeyMultibase"][1:])
    assert seed[:2] == b"\x80\x26"  # ed25519-priv, multicodec 0x1300
    der = ed25519.Ed25519PrivateKey.from_private_bytes(seed[2:]).private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return SigningKey.from_private_bytes(Algorithm.ED25519, der)


def test_eddsa_jcs_2022_reproduces_the_published_proof_exactly() -> None:
    published = EDDSA["signed"]
    proof = published["proof"]

    signed = add_proof(
        unsigned(published),
        signing_key=eddsa_vector_key(),
        verification_method=proof["verificationMethod"],
        created=datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC),
    )

    assert signed == published
    assert (
        decode_base58btc(proof["proofValue"], what="v").hex() == EDDSA["signatureHex"]
    )


def test_eddsa_jcs_2022_intermediate_values_match_the_vectors() -> None:
    document = unsigned(EDDSA["signed"])

    canonical = canonicalize(document)

    assert canonical.decode() == EDDSA["canonicalDocument"]
    assert hashlib.sha256(canonical).hexdigest() == EDDSA["documentHash"]


def test_eddsa_jcs_2022_published_proof_verifies() -> None:
    published = EDDSA["signed"]
    key = public_key_from_multibase(EDDSA["publicKeyMultibase"])

    result = verify_proof(published, resolve_key=resolver(key))

    assert result == VerifiedProof(
        verification_method=published["proof"]["verificationMethod"],
        cryptosuite="eddsa-jcs-2022",
        created=datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC),
        proof_purpose="assertionMethod",
    )


def test_ecdsa_jcs_2019_published_proof_verifies() -> None:
    key = public_key_from_multibase(ECDSA["publicKeyMultibase"])

    result = verify_proof(ECDSA["signed"], resolve_key=resolver(key))

    assert result.cryptosuite == "ecdsa-jcs-2019"


def test_ecdsa_jcs_2019_intermediate_values_match_the_vectors() -> None:
    signed = ECDSA["signed"]

    hash_data = ECDSA_JCS_2019.hash_data(proof_options(signed), unsigned(signed))

    assert hash_data[:32].hex() == ECDSA["proofConfigHash"]
    assert hash_data[32:].hex() == ECDSA["documentHash"]
    proof_bytes = decode_base58btc(signed["proof"]["proofValue"], what="v")
    assert proof_bytes.hex() == ECDSA["signatureHex"]


def test_ecdsa_jcs_2019_signed_with_the_vector_key_matches_except_signature() -> None:
    # ECDSA is randomized: same proof members, a different but valid proofValue.
    secret = base58.b58decode(ECDSA["secretKeyMultibase"][1:])
    assert secret[:2] == b"\x86\x26"  # p256-priv, multicodec 0x1306
    private = ec.derive_private_key(int.from_bytes(secret[2:], "big"), ec.SECP256R1())
    der = private.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    key = SigningKey.from_private_bytes(Algorithm.ECDSA_P256, der)
    published = ECDSA["signed"]

    signed = add_proof(
        unsigned(published),
        signing_key=key,
        verification_method=published["proof"]["verificationMethod"],
        created=datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC),
    )

    assert proof_options(signed) == proof_options(published)
    assert key.public_key() == public_key_from_multibase(ECDSA["publicKeyMultibase"])
    verify_proof(signed, resolve_key=resolver(key.public_key()))


# --- roundtrips ------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_add_then_verify_roundtrip(algorithm: Algorithm) -> None:
    signed = signed_with(algorithm)

    result = verify_proof(signed, resolve_key=resolver(KEYS[algorithm].public_key()))

    assert result == VerifiedProof(
        verification_method=METHOD,
        cryptosuite=suite_for_algorithm(algorithm).name,
        created=CREATED,
        proof_purpose="assertionMethod",
    )


@pytest.mark.parametrize(
    ("algorithm", "suite"),
    [
        (Algorithm.ECDSA_P256, "ecdsa-jcs-2019"),
        (Algorithm.ED25519, "eddsa-jcs-2022"),
        (Algorithm.SM2, "sm2-jcs-zhengzhao-2026"),
    ],
)
def test_add_proof_chooses_the_suite_from_the_key(
    algorithm: Algorithm, suite: str
) -> None:
    proof = signed_with(algorithm)["proof"]

    assert proof["cryptosuite"] == suite
    assert proof["type"] == "DataIntegrityProof"
    assert proof["@context"] == LICENSE["@context"]
    assert proof["created"] == "2026-03-01T08:30:00Z"


def test_sm2_suite_signs_sm3_hashes_of_proof_config_then_document() -> None:
    signed = signed_with(Algorithm.SM2)
    options, document = proof_options(signed), unsigned(signed)

    hash_data = SM2_JCS_ZHENGZHAO_2026.hash_data(options, document)

    assert hash_data[:32] == sm3(rfc8785.dumps(options))
    assert hash_data[32:] == sm3(rfc8785.dumps(document))
    proof_bytes = decode_base58btc(signed["proof"]["proofValue"], what="v")
    KEYS[Algorithm.SM2].public_key().verify(proof_bytes, hash_data)


def sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def test_add_proof_leaves_the_input_untouched() -> None:
    document = copy.deepcopy(LICENSE)

    signed_with(Algorithm.ED25519, document)

    assert document == LICENSE


def test_add_proof_without_context_adds_none_to_the_proof() -> None:
    document = {"id": "urn:uuid:1", "value": 1}

    signed = signed_with(Algorithm.ED25519, document)

    assert "@context" not in signed["proof"]
    verify_proof(signed, resolve_key=resolver(KEYS[Algorithm.ED25519].public_key()))


def test_add_proof_writes_created_in_utc() -> None:
    beijing = timezone(timedelta(hours=8))
    created = datetime(2026, 3, 1, 16, 30, 0, 250000, tzinfo=beijing)

    signed = add_proof(
        LICENSE,
        signing_key=KEYS[Algorithm.ED25519],
        verification_method=METHOD,
        created=created,
    )

    assert signed["proof"]["created"] == "2026-03-01T08:30:00.250000Z"


def test_add_proof_naive_created_raises_value_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        add_proof(
            LICENSE,
            signing_key=KEYS[Algorithm.ED25519],
            verification_method=METHOD,
            created=datetime(2026, 3, 1),
        )


def test_add_proof_to_signed_document_raises_invalid_document() -> None:
    with pytest.raises(InvalidDocument, match="already has a proof"):
        signed_with(Algorithm.ED25519, signed_with(Algorithm.ED25519))


def test_add_proof_to_non_json_document_raises_invalid_document() -> None:
    with pytest.raises(InvalidDocument, match=r"not (canonical )?JSON"):
        signed_with(Algorithm.ED25519, {"when": datetime(2026, 3, 1)})


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53 - 1), 2**53 - 1)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.text(max_size=6).filter(lambda k: k != "proof"), json_values))
def test_any_json_object_roundtrips(document: dict[str, Any]) -> None:
    signed = signed_with(Algorithm.ED25519, document)

    verify_proof(signed, resolve_key=resolver(KEYS[Algorithm.ED25519].public_key()))


# --- tampering -----------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_verify_with_one_field_changed_raises_signature_invalid(
    algorithm: Algorithm,
) -> None:
    signed = signed_with(algorithm)
    signed["credentialSubject"]["capital"] = 2_000_000

    with pytest.raises(SignatureInvalid, match="does not match"):
        verify_proof(signed, resolve_key=resolver(KEYS[algorithm].public_key()))


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("member", ["created", "verificationMethod"])
def test_verify_with_proof_option_changed_raises(
    algorithm: Algorithm, member: str
) -> None:
    signed = signed_with(algorithm)
    signed["proof"][member] = {
        "created": "2026-03-02T08:30:00Z",
        "verificationMethod": METHOD.replace("key-1", "key-2"),
    }[member]

    with pytest.raises(SignatureInvalid, match="does not match"):
        verify_proof(signed, resolve_key=resolver(KEYS[algorithm].public_key()))


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_verify_with_one_byte_of_proof_value_changed_raises(
    algorithm: Algorithm,
) -> None:
    signed = signed_with(algorithm)
    proof_bytes = bytearray(decode_base58btc(signed["proof"]["proofValue"], what="v"))
    proof_bytes[10] ^= 0x01
    signed["proof"]["proofValue"] = encode_base58btc(bytes(proof_bytes))

    with pytest.raises(SignatureInvalid):
        verify_proof(signed, resolve_key=resolver(KEYS[algorithm].public_key()))


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_verify_proof_moved_to_another_key_raises(algorithm: Algorithm) -> None:
    other = SigningKey.generate(algorithm).public_key()

    with pytest.raises(SignatureInvalid, match="does not match"):
        verify_proof(signed_with(algorithm), resolve_key=resolver(other))


def test_verify_proof_copied_onto_another_document_raises() -> None:
    first = signed_with(Algorithm.ECDSA_P256)
    second = signed_with(
        Algorithm.ECDSA_P256, {**LICENSE, "validFrom": "2027-01-01T00:00:00Z"}
    )
    second["proof"] = first["proof"]

    with pytest.raises(SignatureInvalid):
        verify_proof(
            second, resolve_key=resolver(KEYS[Algorithm.ECDSA_P256].public_key())
        )


@pytest.mark.parametrize(
    ("claimed", "key_algorithm"),
    [
        ("eddsa-jcs-2022", Algorithm.ECDSA_P256),
        ("ecdsa-jcs-2019", Algorithm.SM2),
        ("sm2-jcs-zhengzhao-2026", Algorithm.ED25519),
    ],
)
def test_verify_cryptosuite_not_matching_the_key_raises(
    claimed: str, key_algorithm: Algorithm
) -> None:
    signed = signed_with(key_algorithm)
    signed["proof"]["cryptosuite"] = claimed

    with pytest.raises(SignatureInvalid, match=f"{claimed} signs with .* but"):
        verify_proof(signed, resolve_key=resolver(KEYS[key_algorithm].public_key()))


def test_verify_unknown_cryptosuite_raises_signature_invalid() -> None:
    signed = signed_with(Algorithm.ECDSA_P256)
    signed["proof"]["cryptosuite"] = "ecdsa-rdfc-2019"

    with pytest.raises(SignatureInvalid, match="'ecdsa-rdfc-2019' is not supported"):
        verify_proof(
            signed, resolve_key=resolver(KEYS[Algorithm.ECDSA_P256].public_key())
        )


def test_verify_unknown_proof_type_raises_signature_invalid() -> None:
    signed = signed_with(Algorithm.ED25519)
    signed["proof"]["type"] = "Ed25519Signature2020"

    with pytest.raises(SignatureInvalid, match="proof type 'Ed25519Signature2020'"):
        verify_proof(signed, resolve_key=resolver(KEYS[Algorithm.ED25519].public_key()))


def test_verify_other_purpose_raises_unless_the_caller_accepts_it() -> None:
    key = KEYS[Algorithm.ED25519]
    signed = add_proof(
        LICENSE,
        signing_key=key,
        verification_method=METHOD,
        created=CREATED,
        proof_purpose="authentication",
    )

    with pytest.raises(SignatureInvalid, match="expected 'assertionMethod'"):
        verify_proof(signed, resolve_key=resolver(key.public_key()))
    result = verify_proof(
        signed, resolve_key=resolver(key.public_key()), expected_purpose=None
    )
    assert result.proof_purpose == "authentication"


def test_verify_context_changed_raises_signature_invalid() -> None:
    signed = signed_with(Algorithm.ED25519)
    signed["@context"] = ["https://www.w3.org/2018/credentials/v1"]

    with pytest.raises(SignatureInvalid, match="@context"):
        verify_proof(signed, resolve_key=resolver(KEYS[Algorithm.ED25519].public_key()))


def test_verify_context_extended_after_signing_still_verifies() -> None:
    # Data Integrity: the document's @context need only start with the signed one.
    signed = signed_with(Algorithm.ED25519)
    signed["@context"] = [*LICENSE["@context"], "https://zz.example/ns/v1"]

    verify_proof(signed, resolve_key=resolver(KEYS[Algorithm.ED25519].public_key()))


# --- malformed proofs --------------------------------------------------------------


def with_proof(proof: Any) -> dict[str, Any]:
    return {**LICENSE, "proof": proof}


def valid_proof(**changes: Any) -> dict[str, Any]:
    proof = dict(signed_with(Algorithm.ED25519)["proof"])
    for name, value in changes.items():
        if value is None:
            del proof[name]
        else:
            proof[name] = value
    return proof


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (LICENSE, "has no proof"),
        (with_proof([valid_proof()]), "proof set"),
        (with_proof("z123"), "not a JSON object"),
        (with_proof(valid_proof(type=None)), "no string 'type'"),
        (with_proof(valid_proof(cryptosuite=7)), "no string 'cryptosuite'"),
        (
            with_proof(valid_proof(verificationMethod=None)),
            "no string 'verificationMethod'",
        ),
        (with_proof(valid_proof(proofValue=None)), "proofValue must be"),
        (with_proof(valid_proof(proofValue="u3P6rHMU")), "starting with 'z'"),
        (with_proof(valid_proof(proofValue="z0OIl")), "not valid base58btc"),
        (with_proof(valid_proof(created="2026-03-01T08:30:00")), "time zone"),
        (with_proof(valid_proof(created="2026-02-30T08:30:00Z")), "not a valid date"),
    ],
    ids=[
        "no-proof",
        "proof-set",
        "proof-string",
        "no-type",
        "cryptosuite-number",
        "no-method",
        "no-proof-value",
        "base64-proof-value",
        "bad-base58",
        "created-without-zone",
        "created-impossible",
    ],
)
def test_verify_malformed_proof_raises_invalid_document(
    document: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidDocument, match=message):
        verify_proof(
            document, resolve_key=resolver(KEYS[Algorithm.ED25519].public_key())
        )


def test_verify_non_object_raises_invalid_document() -> None:
    with pytest.raises(InvalidDocument, match="is a JSON object"):
        verify_proof(
            [LICENSE],  # type: ignore[arg-type]  # what a careless caller may pass
            resolve_key=resolver(KEYS[Algorithm.ED25519].public_key()),
        )


def test_verify_proof_without_created_reports_none() -> None:
    key = KEYS[Algorithm.ED25519]
    signed = with_proof(valid_proof(created=None))
    options = proof_options(signed)
    proof_bytes = key.sign(EDDSA_JCS_2022.hash_data(options, LICENSE))
    signed["proof"]["proofValue"] = encode_base58btc(proof_bytes)

    result = verify_proof(signed, resolve_key=resolver(key.public_key()))

    assert result.created is None


def test_verify_signature_of_wrong_length_raises_signature_invalid() -> None:
    signed = with_proof(valid_proof(proofValue=encode_base58btc(b"\x01" * 63)))

    with pytest.raises(SignatureInvalid, match="got 63 bytes"):
        verify_proof(signed, resolve_key=resolver(KEYS[Algorithm.ED25519].public_key()))
