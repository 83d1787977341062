"""Signature algorithms of department keys: ECDSA P-256, Ed25519 and SM2.

Every algorithm signs bytes and answers with a fixed-size raw signature:

- ``ecdsa-p256`` (the default): ECDSA on NIST P-256 with SHA-256 (FIPS 186-5),
  nonce drawn by OpenSSL, signature ``r || s`` as in IEEE P1363 (64 bytes), public
  key a compressed SEC1 point (33 bytes);
- ``ed25519``: Pure Ed25519 (RFC 8032), 64-byte signature, 32-byte public key;
- ``sm2``: SM2 with SM3 and the default identifier (GB/T 32918.2-2016, see
  `zhengzhao.seals.sm2`), signature ``r || s`` (64 bytes), compressed point.

Private keys serialize to unencrypted PKCS#8 DER for `zhengzhao.seals.wrapping`.
`Signer` is what a proof needs: a `SigningKey`, or a key that an HSM holds.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Protocol

from zhengzhao.seals import _ed25519, _p256, sm2

__all__ = ["DEFAULT_ALGORITHM", "Algorithm", "Signer", "SigningKey", "VerifyingKey"]


class Algorithm(StrEnum):
    """A signature algorithm, by the name configuration and database use."""

    ECDSA_P256 = "ecdsa-p256"
    ED25519 = "ed25519"
    SM2 = "sm2"


DEFAULT_ALGORITHM = Algorithm.ECDSA_P256


class Signer(Protocol):
    """Anything that signs with one key: a `SigningKey`, or an HSM-held key."""

    @property
    def algorithm(self) -> Algorithm: ...

    def sign(self, data: bytes) -> bytes:
        """The raw signature of ``data`` in the algorithm's fixed-size form."""
        ...


class _Backend(Protocol):
    """What each algorithm module offers; the key objects are the library's own."""

    def generate_private_key(self) -> Any: ...
    def public_key(self, private_key: Any) -> Any: ...
    def sign(self, private_key: Any, data: bytes) -> bytes: ...
    def verify(self, public_key: Any, signature: bytes, data: bytes) -> None: ...
    def public_bytes(self, public_key: Any, *, compressed: bool) -> bytes: ...
    def load_public_key(self, data: bytes) -> Any: ...
    def private_bytes(self, private_key: Any) -> bytes: ...
    def load_private_key(self, der: bytes) -> Any: ...


_BACKENDS: dict[Algorithm, _Backend] = {
    Algorithm.ECDSA_P256: _p256,
    Algorithm.ED25519: _ed25519,
    Algorithm.SM2: sm2,
}


class VerifyingKey:
    """A public key of one `Algorithm`; equal keys have equal algorithm and bytes.

    Build one with `from_public_bytes` or `SigningKey.public_key`; the constructor
    takes the crypto library's own key object.
    """

    def __init__(self, algorithm: Algorithm, key: Any) -> None:
        self._algorithm = algorithm
        self._backend = _BACKENDS[algorithm]
        self._key = key

    @classmethod
    def from_public_bytes(cls, algorithm: Algorithm, data: bytes) -> VerifyingKey:
        """Read a key written by `public_bytes` (compressed or not).

        Raises `InvalidDocument` if ``data`` is not a key of ``algorithm``.
        """
        algorithm = Algorithm(algorithm)
        return cls(algorithm, _BACKENDS[algorithm].load_public_key(data))

    @property
    def algorithm(self) -> Algorithm:
        return self._algorithm

    def verify(self, signature: bytes, data: bytes) -> None:
        """Return if ``signature`` signs ``data``; raise `SignatureInvalid` if not."""
        self._backend.verify(self._key, signature, data)

    def public_bytes(self, *, compressed: bool = True) -> bytes:
        """A SEC1 point for EC keys (``compressed=False``: ``04 || x || y``); the
        raw 32 bytes for Ed25519, whatever ``compressed`` says."""
        return self._backend.public_bytes(self._key, compressed=compressed)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, VerifyingKey):
            return NotImplemented
        return (self.algorithm, self.public_bytes()) == (
            other.algorithm,
            other.public_bytes(),
        )

    def __hash__(self) -> int:
        return hash((self.algorithm, self.public_bytes()))

    def __repr__(self) -> str:
        return f"<{self.algorithm} public key {self.public_bytes().hex()}>"


class SigningKey:
    """A private key held in memory; its `repr` shows only the public key.

    Build one with `generate` or `from_private_bytes`; the constructor takes the
    crypto library's own key object.
    """

    def __init__(self, algorithm: Algorithm, key: Any) -> None:
        self._algorithm = algorithm
        self._backend = _BACKENDS[algorithm]
        self._key = key

    @classmethod
    def generate(cls, algorithm: Algorithm = DEFAULT_ALGORITHM) -> SigningKey:
        """A new random key of ``algorithm``."""
        algorithm = Algorithm(algorithm)
        return cls(algorithm, _BACKENDS[algorithm].generate_private_key())

    @classmethod
    def from_private_bytes(cls, algorithm: Algorithm, data: bytes) -> SigningKey:
        """Read PKCS#8 DER written by `private_bytes`; raises `CryptoError`."""
        algorithm = Algorithm(algorithm)
        return cls(algorithm, _BACKENDS[algorithm].load_private_key(data))

    @property
    def algorithm(self) -> Algorithm:
        return self._algorithm

    def sign(self, data: bytes) -> bytes:
        """The raw signature of ``data`` in the algorithm's fixed-size form."""
        return self._backend.sign(self._key, data)

    def public_key(self) -> VerifyingKey:
        """The public half."""
        return VerifyingKey(self._algorithm, self._backend.public_key(self._key))

    def private_bytes(self) -> bytes:
        """Unencrypted PKCS#8 DER: hand it only to `wrap_private_key`."""
        return self._backend.private_bytes(self._key)

    def __repr__(self) -> str:
        public = self.public_key().public_bytes().hex()
        return f"<{self.algorithm} signing key for public key {public}>"
