"""ECDSA on NIST P-256 with SHA-256 (FIPS 186-5) on pyca/cryptography.

Signatures are ``r || s``, 32 bytes each, as IEEE P1363 and JOSE (RFC 7518 section
3.4) write them; OpenSSL draws the nonce. Public keys are SEC1 points (SEC 1 v2,
section 2.3.3).
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)

from zhengzhao.errors import CryptoError, InvalidDocument, SignatureInvalid

#: Bytes of a P-256 scalar; a signature is two of them.
_SCALAR_SIZE = 32
SIGNATURE_SIZE = 2 * _SCALAR_SIZE

_SIGNATURE_ALGORITHM = ec.ECDSA(hashes.SHA256())


def generate_private_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def public_key(private_key: ec.EllipticCurvePrivateKey) -> ec.EllipticCurvePublicKey:
    return private_key.public_key()


def sign(private_key: ec.EllipticCurvePrivateKey, data: bytes) -> bytes:
    r, s = decode_dss_signature(private_key.sign(data, _SIGNATURE_ALGORITHM))
    return r.to_bytes(_SCALAR_SIZE, "big") + s.to_bytes(_SCALAR_SIZE, "big")


def verify(
    public_key: ec.EllipticCurvePublicKey, signature: bytes, data: bytes
) -> None:
    if len(signature) != SIGNATURE_SIZE:
        raise SignatureInvalid(
            f"a P-256 signature is {SIGNATURE_SIZE} bytes (r || s); got"
            f" {len(signature)} bytes"
        )
    r = int.from_bytes(signature[:_SCALAR_SIZE], "big")
    s = int.from_bytes(signature[_SCALAR_SIZE:], "big")
    try:
        public_key.verify(encode_dss_signature(r, s), data, _SIGNATURE_ALGORITHM)
    except InvalidSignature as exc:
        raise SignatureInvalid("the P-256 signature does not match the data") from exc


def public_bytes(public_key: ec.EllipticCurvePublicKey, *, compressed: bool) -> bytes:
    point_format = (
        serialization.PublicFormat.CompressedPoint
        if compressed
        else serialization.PublicFormat.UncompressedPoint
    )
    return public_key.public_bytes(serialization.Encoding.X962, point_format)


def load_public_key(data: bytes) -> ec.EllipticCurvePublicKey:
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), data)
    except ValueError as exc:
        raise InvalidDocument(
            "not a P-256 public key: expected a SEC1 point on the curve (33 or 65"
            f" bytes), got {len(data)} bytes that do not decode"
        ) from exc


def private_bytes(private_key: ec.EllipticCurvePrivateKey) -> bytes:
    return private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def load_private_key(der: bytes) -> ec.EllipticCurvePrivateKey:
    try:
        key = serialization.load_der_private_key(der, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise CryptoError("the stored P-256 private key is not valid PKCS#8") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(
        key.curve, ec.SECP256R1
    ):
        raise CryptoError("the stored private key is not a P-256 key")
    return key
