"""Signing keys and verifying keys of the three algorithms."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import given, settings
from hypothesis import strategies as st

from zhengzhao.errors import CryptoError, InvalidDocument, SignatureInvalid
from zhengzhao.seals.algorithms import (
    DEFAULT_ALGORITHM,
    Algorithm,
    SigningKey,
    VerifyingKey,
)

ALGORITHMS = list(Algorithm)

#: Compressed SEC1 points for EC keys, raw keys for Ed25519.
PUBLIC_KEY_SIZES = {Algorithm.ECDSA_P256: 33, Algorithm.ED25519: 32, Algorithm.SM2: 33}

KEYS = {algorithm: SigningKey.generate(algorithm) for algorithm in ALGORITHMS}


def test_default_algorithm_is_ecdsa_p256() -> None:
    assert DEFAULT_ALGORITHM is Algorithm.ECDSA_P256
    assert SigningKey.generate().algorithm is Algorithm.ECDSA_P256


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_sign_then_verify_roundtrip(algorithm: Algorithm) -> None:
    key = KEYS[algorithm]

    signature = key.sign(b"licence 1.2.156.3005.2")

    assert len(signature) == 64
    key.public_key().verify(signature, b"licence 1.2.156.3005.2")


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_verify_other_data_raises_signature_invalid(algorithm: Algorithm) -> None:
    key = KEYS[algorithm]
    signature = key.sign(b"original")

    with pytest.raises(SignatureInvalid, match="does not match"):
        key.public_key().verify(signature, b"tampered")


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("index", [0, 31, 32, 63])
def test_verify_signature_with_one_byte_changed_raises(
    algorithm: Algorithm, index: int
) -> None:
    key = KEYS[algorithm]
    signature = bytearray(key.sign(b"data"))
    signature[index] ^= 0x01

    with pytest.raises(SignatureInvalid):
        key.public_key().verify(bytes(signature), b"data")


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_verify_with_another_key_raises_signature_invalid(algorithm: Algorithm) -> None:
    signature = KEYS[algorithm].sign(b"data")
    other = SigningKey.generate(algorithm).public_key()

    with pytest.raises(SignatureInvalid):
        other.verify(signature, b"data")


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize("length", [0, 1, 63, 65, 128])
def test_verify_signature_of_wrong_length_raises(
    algorithm: Algorithm, length: int
) -> None:
    with pytest.raises(SignatureInvalid, match=f"got {length} bytes"):
        KEYS[algorithm].public_key().verify(b"\x01" * length, b"data")


@settings(max_examples=60, deadline=None)
@given(algorithm=st.sampled_from(ALGORITHMS), signature=st.binary(max_size=100))
def test_verify_arbitrary_bytes_raises_only_signature_invalid(
    algorithm: Algorithm, signature: bytes
) -> None:
    with pytest.raises(SignatureInvalid):
        KEYS[algorithm].public_key().verify(signature, b"data")


@pytest.mark.parametrize("algorithm", [Algorithm.ECDSA_P256, Algorithm.SM2])
def test_ecdsa_and_sm2_signatures_are_randomized(algorithm: Algorithm) -> None:
    key = KEYS[algorithm]

    assert key.sign(b"same") != key.sign(b"same")


def test_ed25519_signatures_are_deterministic() -> None:
    key = KEYS[Algorithm.ED25519]

    assert key.sign(b"same") == key.sign(b"same")


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_public_bytes_roundtrip_and_size(algorithm: Algorithm) -> None:
    public = KEYS[algorithm].public_key()

    data = public.public_bytes()

    assert len(data) == PUBLIC_KEY_SIZES[algorithm]
    assert VerifyingKey.from_public_bytes(algorithm, data) == public


@pytest.mark.parametrize("algorithm", [Algorithm.ECDSA_P256, Algorithm.SM2])
def test_uncompressed_point_loads_as_the_same_key(algorithm: Algorithm) -> None:
    public = KEYS[algorithm].public_key()

    point = public.public_bytes(compressed=False)

    assert len(point) == 65 and point[0] == 4
    assert VerifyingKey.from_public_bytes(algorithm, point) == public


@pytest.mark.parametrize("algorithm", ALGORITHMS)
@pytest.mark.parametrize(
    "data",
    [b"", b"\x02" + b"\xff" * 32, b"\x05" + b"\x01" * 32, b"\x01" * 31],
    ids=["empty", "x-off-curve", "bad-tag", "short"],
)
def test_from_public_bytes_invalid_raises_invalid_document(
    algorithm: Algorithm, data: bytes
) -> None:
    with pytest.raises(InvalidDocument, match=r"not an? \S+ public key"):
        VerifyingKey.from_public_bytes(algorithm, data)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_private_bytes_roundtrip_keeps_the_key(algorithm: Algorithm) -> None:
    key = KEYS[algorithm]

    loaded = SigningKey.from_private_bytes(algorithm, key.private_bytes())

    assert loaded.public_key() == key.public_key()
    key.public_key().verify(loaded.sign(b"data"), b"data")


@pytest.mark.parametrize(
    ("stored", "claimed"),
    [
        (Algorithm.ECDSA_P256, Algorithm.ED25519),
        (Algorithm.ED25519, Algorithm.SM2),
        (Algorithm.SM2, Algorithm.ECDSA_P256),
    ],
)
def test_from_private_bytes_of_another_algorithm_raises_crypto_error(
    stored: Algorithm, claimed: Algorithm
) -> None:
    with pytest.raises(CryptoError, match=claimed_name(claimed)):
        SigningKey.from_private_bytes(claimed, KEYS[stored].private_bytes())


def claimed_name(algorithm: Algorithm) -> str:
    return {"ecdsa-p256": "P-256", "ed25519": "Ed25519", "sm2": "SM2"}[algorithm]


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_from_private_bytes_garbage_raises_crypto_error(algorithm: Algorithm) -> None:
    with pytest.raises(CryptoError, match="not valid PKCS#8"):
        SigningKey.from_private_bytes(algorithm, b"\x30\x03garbage")


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_repr_shows_no_private_key(algorithm: Algorithm) -> None:
    key = KEYS[algorithm]

    text = repr(key)

    assert key.public_key().public_bytes().hex() in text
    assert key.private_bytes().hex()[-64:] not in text


def test_verifying_keys_compare_and_hash_by_algorithm_and_bytes() -> None:
    p256 = KEYS[Algorithm.ECDSA_P256].public_key()
    same = VerifyingKey.from_public_bytes(Algorithm.ECDSA_P256, p256.public_bytes())

    assert same == p256
    assert hash(same) == hash(p256)
    assert p256 != KEYS[Algorithm.SM2].public_key()


def test_from_private_bytes_of_p384_key_raises_crypto_error() -> None:
    p384 = ec.generate_private_key(ec.SECP384R1()).private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )

    with pytest.raises(CryptoError, match="not a P-256 key"):
        SigningKey.from_private_bytes(Algorithm.ECDSA_P256, p384)


def test_verifying_key_repr_names_algorithm_and_key() -> None:
    public = KEYS[Algorithm.ED25519].public_key()

    assert repr(public) == f"<ed25519 public key {public.public_bytes().hex()}>"
    assert public != public.public_bytes()
