"""Sealed bytes (AES-256-GCM) and private keys wrapped at rest."""

from __future__ import annotations

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhengzhao.config import MasterKeys
from zhengzhao.errors import ConfigurationError, CryptoError, KeyDecryptionFailed
from zhengzhao.seals.aead import FORMAT_VERSION, open_bytes, seal_bytes
from zhengzhao.seals.algorithms import Algorithm, SigningKey, VerifyingKey
from zhengzhao.seals.wrapping import (
    KeyStore,
    KeyStoreSigner,
    unwrap_private_key,
    wrap_private_key,
)

KEK = MasterKeys(bytes(range(32))).key_encryption
OTHER_KEK = MasterKeys(bytes(range(1, 33))).key_encryption
ALGORITHMS = list(Algorithm)


# --- seal_bytes / open_bytes ------------------------------------------------------


@given(plaintext=st.binary(max_size=200), aad=st.binary(max_size=40))
def test_seal_then_open_roundtrip(plaintext: bytes, aad: bytes) -> None:
    assert open_bytes(KEK, seal_bytes(KEK, plaintext, aad), aad) == plaintext


def test_sealed_blob_layout_is_version_nonce_ciphertext_tag() -> None:
    blob = seal_bytes(KEK, b"110101199003077777", b"holder")

    assert blob[0] == FORMAT_VERSION
    assert len(blob) == 1 + 12 + len(b"110101199003077777") + 16


def test_seal_twice_uses_fresh_nonces() -> None:
    assert seal_bytes(KEK, b"same", b"") != seal_bytes(KEK, b"same", b"")


def test_open_with_another_key_raises_decryption_failed() -> None:
    blob = seal_bytes(KEK, b"secret", b"row-1")

    with pytest.raises(CryptoError, match="master key changed") as caught:
        open_bytes(OTHER_KEK, blob, b"row-1")
    assert caught.value.code == "decryption-failed"


def test_open_with_other_associated_data_raises() -> None:
    blob = seal_bytes(KEK, b"secret", b"row-1")

    with pytest.raises(CryptoError, match="another record"):
        open_bytes(KEK, blob, b"row-2")


@pytest.mark.parametrize("index", [0, 1, 13, -1])
def test_open_blob_with_one_byte_changed_raises(index: int) -> None:
    blob = bytearray(seal_bytes(KEK, b"secret", b"row-1"))
    blob[index] ^= 0x01

    with pytest.raises(CryptoError):
        open_bytes(KEK, bytes(blob), b"row-1")


@pytest.mark.parametrize("blob", [b"", b"\x01" * 28, b"\x02" + os.urandom(40)])
def test_open_truncated_or_unknown_version_raises(blob: bytes) -> None:
    with pytest.raises(CryptoError, match="format version 1"):
        open_bytes(KEK, blob, b"")


@pytest.mark.parametrize("size", [0, 16, 24, 31, 33])
def test_key_not_32_bytes_raises_configuration_error(size: int) -> None:
    with pytest.raises(ConfigurationError, match="32 bytes"):
        seal_bytes(b"k" * size, b"secret", b"")


# --- wrap_private_key / unwrap_private_key -------------------------------------


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_wrap_then_unwrap_roundtrip(algorithm: Algorithm) -> None:
    key = SigningKey.generate(algorithm)

    blob = wrap_private_key(kek=KEK, key_id="91650100MB1234567X#key-1", private_key=key)
    unwrapped = unwrap_private_key(
        kek=KEK, key_id="91650100MB1234567X#key-1", algorithm=algorithm, blob=blob
    )

    assert unwrapped.public_key() == key.public_key()
    assert key.private_bytes() not in blob


def test_unwrap_with_wrong_kek_raises_key_decryption_failed() -> None:
    blob = wrap_private_key(kek=KEK, key_id="k1", private_key=SigningKey.generate())

    with pytest.raises(KeyDecryptionFailed, match="master key may have changed"):
        unwrap_private_key(
            kek=OTHER_KEK, key_id="k1", algorithm=Algorithm.ECDSA_P256, blob=blob
        )


def test_unwrap_tampered_blob_raises_key_decryption_failed() -> None:
    blob = bytearray(
        wrap_private_key(kek=KEK, key_id="k1", private_key=SigningKey.generate())
    )
    blob[20] ^= 0x80

    with pytest.raises(KeyDecryptionFailed, match="altered"):
        unwrap_private_key(
            kek=KEK, key_id="k1", algorithm=Algorithm.ECDSA_P256, blob=bytes(blob)
        )


def test_unwrap_blob_moved_to_another_key_id_raises() -> None:
    blob = wrap_private_key(kek=KEK, key_id="k1", private_key=SigningKey.generate())

    with pytest.raises(KeyDecryptionFailed, match="key k2") as caught:
        unwrap_private_key(
            kek=KEK, key_id="k2", algorithm=Algorithm.ECDSA_P256, blob=blob
        )
    assert caught.value.details == {"key_id": "k2"}


def test_unwrap_as_another_algorithm_raises() -> None:
    blob = wrap_private_key(
        kek=KEK, key_id="k1", private_key=SigningKey.generate(Algorithm.SM2)
    )

    with pytest.raises(KeyDecryptionFailed):
        unwrap_private_key(
            kek=KEK, key_id="k1", algorithm=Algorithm.ECDSA_P256, blob=blob
        )


# --- KeyStore --------------------------------------------------------------------


class MemoryKeyStore:
    """A key store of the test's own, standing in for an HSM."""

    def __init__(self) -> None:
        self.keys = {"hsm-1": SigningKey.generate(Algorithm.SM2)}

    def sign(self, key_ref: str, data: bytes) -> bytes:
        return self.keys[key_ref].sign(data)

    def public_key(self, key_ref: str) -> VerifyingKey:
        return self.keys[key_ref].public_key()


def test_key_store_signer_signs_with_the_stored_key() -> None:
    store: KeyStore = MemoryKeyStore()
    signer = KeyStoreSigner(store=store, key_ref="hsm-1")

    signature = signer.sign(b"data")

    assert signer.algorithm is Algorithm.SM2
    store.public_key("hsm-1").verify(signature, b"data")
