"""Department private keys at rest, and the interface an HSM plugs into.

A wrapped key is a `zhengzhao.seals.aead` blob (AES-256-GCM, versioned) of the key's
PKCS#8 DER, sealed under the key-encryption key (`MasterKeys.key_encryption`). Its
associated data names the purpose, the algorithm and the key record's id, each
length-prefixed, so a blob moved to another key record, or read as another
algorithm, fails to open.

`KeyStore` is what the rest of the platform asks for a signature: the database store
unwraps keys with `unwrap_private_key`; an HSM keeps them inside and signs there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from zhengzhao.errors import CryptoError, KeyDecryptionFailed
from zhengzhao.seals.aead import open_bytes, seal_bytes
from zhengzhao.seals.algorithms import Algorithm, SigningKey, VerifyingKey

__all__ = [
    "KeyStore",
    "KeyStoreSigner",
    "unwrap_private_key",
    "wrap_private_key",
]

#: Domain separation: these blobs hold private keys and nothing else.
_PURPOSE = b"zhengzhao/v1/wrapped-private-key"


class KeyStore(Protocol):
    """Holds department private keys and signs with them.

    ``key_ref`` names a key inside the store: a key record's id for the database
    store, a PKCS#11 object label or a GM/T 0018 key index for an HSM. Private keys
    never leave a store through this interface.
    """

    def sign(self, key_ref: str, data: bytes) -> bytes:
        """Sign ``data`` with the key ``key_ref``, in the form `SigningKey.sign` uses.

        Raises `NotFound` if the store has no such key.
        """
        ...

    def public_key(self, key_ref: str) -> VerifyingKey:
        """The public half of ``key_ref``; raises `NotFound` if there is none."""
        ...


@dataclass(frozen=True, kw_only=True)
class KeyStoreSigner:
    """A `Signer` for one key of a `KeyStore`, to pass to `add_proof`."""

    #: The store that holds the key.
    store: KeyStore
    #: The key's name inside the store.
    key_ref: str

    @property
    def algorithm(self) -> Algorithm:
        return self.store.public_key(self.key_ref).algorithm

    def sign(self, data: bytes) -> bytes:
        return self.store.sign(self.key_ref, data)


def wrap_private_key(*, kek: bytes, key_id: str, private_key: SigningKey) -> bytes:
    """Encrypt ``private_key`` for storage in the key record ``key_id``."""
    aad = _associated_data(key_id, private_key.algorithm)
    return seal_bytes(kek, private_key.private_bytes(), aad)


def unwrap_private_key(
    *, kek: bytes, key_id: str, algorithm: Algorithm, blob: bytes
) -> SigningKey:
    """Decrypt the private key stored in key record ``key_id``.

    Raises `KeyDecryptionFailed` if ``kek`` is not the key it was wrapped with, or
    the blob was altered or belongs to another key record or algorithm.
    """
    try:
        der = open_bytes(kek, blob, _associated_data(key_id, algorithm))
    except CryptoError as exc:
        raise KeyDecryptionFailed(
            f"the private key of key {key_id} ({algorithm}) cannot be decrypted: the"
            " master key may have changed since it was stored (restore the old"
            " ZHENGZHAO_MASTER_KEY), or the stored key was altered or copied from"
            " another key record",
            details={"key_id": key_id},
        ) from exc
    return SigningKey.from_private_bytes(algorithm, der)


def _associated_data(key_id: str, algorithm: Algorithm) -> bytes:
    # Each field after a 4-byte big-endian length, so no two field lists collide.
    fields = (_PURPOSE, str(algorithm).encode(), key_id.encode())
    return b"".join(len(field).to_bytes(4, "big") + field for field in fields)
