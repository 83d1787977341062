"""Multikey (publicKeyMultibase) and JWK encodings of public keys."""

from __future__ import annotations

import base58
import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhengzhao.errors import InvalidDocument
from zhengzhao.seals.algorithms import Algorithm, SigningKey, VerifyingKey
from zhengzhao.seals.multikey import (
    decode_base58btc,
    encode_base58btc,
    public_key_from_jwk,
    public_key_from_multibase,
    public_key_jwk,
    public_key_multibase,
)

ALGORITHMS = list(Algorithm)
KEYS = {
    algorithm: SigningKey.generate(algorithm).public_key() for algorithm in ALGORITHMS
}

#: The keys of the W3C test vectors (vc-di-ecdsa p256KeyPair.json, vc-di-eddsa
#: keyPair.json).
W3C_P256 = "zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP"
W3C_ED25519 = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"


@pytest.mark.parametrize(
    ("algorithm", "prefix_bytes", "text_prefix"),
    [
        (Algorithm.ECDSA_P256, b"\x80\x24", "zDn"),
        (Algorithm.ED25519, b"\xed\x01", "z6Mk"),
        (Algorithm.SM2, b"\x86\x24", "zEPJ"),
    ],
)
def test_multibase_has_the_multicodec_prefix(
    algorithm: Algorithm, prefix_bytes: bytes, text_prefix: str
) -> None:
    key = KEYS[algorithm]

    value = public_key_multibase(key)

    assert value.startswith(text_prefix)
    assert base58.b58decode(value[1:]) == prefix_bytes + key.public_bytes()


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_multibase_roundtrip(algorithm: Algorithm) -> None:
    key = KEYS[algorithm]

    assert public_key_from_multibase(public_key_multibase(key)) == key


@pytest.mark.parametrize(
    ("value", "algorithm"),
    [(W3C_P256, Algorithm.ECDSA_P256), (W3C_ED25519, Algorithm.ED25519)],
)
def test_multibase_of_w3c_vector_keys_decodes_and_reencodes(
    value: str, algorithm: Algorithm
) -> None:
    key = public_key_from_multibase(value)

    assert key.algorithm is algorithm
    assert public_key_multibase(key) == value


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "starting with 'z'"),
        ("u" + W3C_P256[1:], "starting with 'z'"),
        ("z0OIl", "not valid base58btc"),
        (encode_base58btc(b"\xe7\x01" + b"\x02" * 33), "prefix is e701"),
        (encode_base58btc(b"\x80\x24" + b"\x02" * 32), "holds 32"),
        (encode_base58btc(b"\xed\x01" + b"\x02" * 33), "holds 33"),
        (encode_base58btc(b"\x80\x24\x02" + b"\xff" * 32), "not a P-256 public key"),
    ],
    ids=[
        "empty",
        "base64url",
        "bad-alphabet",
        "secp256k1",
        "short",
        "long",
        "off-curve",
    ],
)
def test_multibase_invalid_raises_invalid_document(value: str, message: str) -> None:
    with pytest.raises(InvalidDocument, match=message):
        public_key_from_multibase(value)


@given(st.binary(max_size=80))
def test_base58btc_roundtrip(data: bytes) -> None:
    assert decode_base58btc(encode_base58btc(data), what="value") == data


def test_jwk_of_p256_key_has_ec_members() -> None:
    key = KEYS[Algorithm.ECDSA_P256]

    jwk = public_key_jwk(key)

    assert set(jwk) == {"kty", "crv", "x", "y"}
    assert (jwk["kty"], jwk["crv"]) == ("EC", "P-256")
    assert len(jwk["x"]) == len(jwk["y"]) == 43  # 32 bytes, unpadded base64url


def test_jwk_of_ed25519_key_is_okp() -> None:
    jwk = public_key_jwk(KEYS[Algorithm.ED25519])

    assert set(jwk) == {"kty", "crv", "x"}
    assert (jwk["kty"], jwk["crv"]) == ("OKP", "Ed25519")


def test_jwk_of_sm2_key_uses_our_curve_name() -> None:
    jwk = public_key_jwk(KEYS[Algorithm.SM2])

    assert (jwk["kty"], jwk["crv"]) == ("EC", "SM2")


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_jwk_roundtrip(algorithm: Algorithm) -> None:
    key = KEYS[algorithm]

    assert public_key_from_jwk(public_key_jwk(key)) == key


def test_jwk_of_rfc_8037_example_reads_as_ed25519() -> None:
    # RFC 8037 appendix A.2: the public key of the Ed25519 example.
    jwk = {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
    }

    key = public_key_from_jwk(jwk)

    assert key.public_bytes().hex() == (
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    )


def jwk_of(algorithm: Algorithm, **changes: str) -> dict[str, str]:
    jwk = public_key_jwk(KEYS[algorithm])
    jwk.update(changes)
    return jwk


@pytest.mark.parametrize(
    ("jwk", "message"),
    [
        (jwk_of(Algorithm.ECDSA_P256, d="AAAA"), "private key"),
        (jwk_of(Algorithm.ECDSA_P256, crv="P-384"), "not P-256, Ed25519 or SM2"),
        (jwk_of(Algorithm.ECDSA_P256, kty="OKP"), "kty 'EC'"),
        (jwk_of(Algorithm.ED25519, kty="EC"), "kty 'OKP'"),
        (jwk_of(Algorithm.ECDSA_P256, x="AAAA"), "must be 32 bytes"),
        (jwk_of(Algorithm.ED25519, x="*" * 43), "not base64url"),
        (
            {"kty": "EC", "crv": "SM2", "x": public_key_jwk(KEYS[Algorithm.SM2])["x"]},
            "no string member 'y'",
        ),
    ],
    ids=["private", "p384", "p256-as-okp", "ed25519-as-ec", "short-x", "bad-x", "no-y"],
)
def test_jwk_invalid_raises_invalid_document(jwk: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidDocument, match=message):
        public_key_from_jwk(jwk)


def test_jwk_with_padding_raises_invalid_document() -> None:
    jwk = jwk_of(Algorithm.ED25519)
    jwk["x"] += "="

    with pytest.raises(InvalidDocument, match="unpadded base64url"):
        public_key_from_jwk(jwk)


def test_jwk_point_off_the_curve_raises_invalid_document() -> None:
    jwk = jwk_of(Algorithm.ECDSA_P256)
    jwk["y"] = jwk["x"]

    with pytest.raises(InvalidDocument, match="not a P-256 public key"):
        public_key_from_jwk(jwk)


def test_from_public_bytes_and_multibase_agree() -> None:
    key = public_key_from_multibase(W3C_P256)

    assert (
        VerifyingKey.from_public_bytes(Algorithm.ECDSA_P256, key.public_bytes()) == key
    )
