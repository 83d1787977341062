"""Pure Ed25519 (RFC 8032 section 5.1) on pyca/cryptography.

Signatures are 64 bytes and deterministic; public keys are the raw 32 bytes, which
have no compressed or uncompressed forms.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from zhengzhao.errors import CryptoError, InvalidDocument, SignatureInvalid

#: RFC 8032 section 5.1.6: R (32 bytes) and S (32 bytes).
SIGNATURE_SIZE = 64
#: RFC 8032 section 5.1.5.
PUBLIC_KEY_SIZE = 32


def generate_private_key() -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.generate()


def public_key(private_key: ed25519.Ed25519PrivateKey) -> ed25519.Ed25519PublicKey:
    return private_key.public_key()


def sign(private_key: ed25519.Ed25519PrivateKey, data: bytes) -> bytes:
    return private_key.sign(data)


def verify(public_key: ed25519.Ed25519PublicKey, signature: bytes, data: bytes) -> None:
    if len(signature) != SIGNATURE_SIZE:
        raise SignatureInvalid(
            f"an Ed25519 signature is {SIGNATURE_SIZE} bytes; got"
            f" {len(signature)} bytes"
        )
    try:
        public_key.verify(signature, data)
    except InvalidSignature as exc:
        raise SignatureInvalid("the Ed25519 signature does not match the data") from exc


def public_bytes(public_key: ed25519.Ed25519PublicKey, *, compressed: bool) -> bytes:
    return public_key.public_bytes_raw()


def load_public_key(data: bytes) -> ed25519.Ed25519PublicKey:
    if len(data) != PUBLIC_KEY_SIZE:
        raise InvalidDocument(
            f"not an Ed25519 public key: expected {PUBLIC_KEY_SIZE} bytes, got"
            f" {len(data)}"
        )
    try:
        return ed25519.Ed25519PublicKey.from_public_bytes(data)
    except ValueError as exc:
        raise InvalidDocument("not an Ed25519 public key") from exc


def private_bytes(private_key: ed25519.Ed25519PrivateKey) -> bytes:
    return private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_private_key(der: bytes) -> ed25519.Ed25519PrivateKey:
    try:
        key = serialization.load_der_private_key(der, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise CryptoError("the stored Ed25519 private key is not valid PKCS#8") from exc
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise CryptoError("the stored private key is not an Ed25519 key")
    return key
