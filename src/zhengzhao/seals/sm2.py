"""SM2 signatures with SM3 (GB/T 32918.2-2016, GM/T 0003.2-2012) on tongsuopy.

This is the low layer under `zhengzhao.seals.algorithms`: plain functions over
tongsuopy's key objects, with our byte formats at the edges. It signs on the
recommended curve only (GB/T 32918.5-2017); the annex A examples of GB/T 32918.2 use
a test curve that tongsuopy cannot load, and the tests check those with their own
reference arithmetic.

How a signature is made (GB/T 32918.2-2016 sections 5.5 and 6.1):

1. ``Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA)``, where ``ID`` is the
   signer's distinguishing identifier, ``ENTL`` its length in bits as two big-endian
   bytes, ``a, b, xG, yG`` the curve parameters and ``xA, yA`` the public key, each
   field element as 32 big-endian bytes.
2. ``e = SM3(Z || M)`` for the message ``M``.
3. ``(r, s)`` from ``e``, a random ``k`` and the private key.

tongsuopy signs through ``EVP_DigestSign`` with an SM2 key. Tongsuo's SM2 method
(``pkey_sm2_digest_custom`` in ``crypto/sm2/sm2_pmeth.c``) feeds ``Z`` into the digest
before the message, and when no identifier has been set it uses the default one of
GM/T 0009-2012 section 10, ``1234567812345678``. tongsuopy 1.0.1 binds no way to set
another identifier, so every signature made or checked here uses the default
identifier; the tests prove it against snowland-smx with that identifier given
explicitly. The nonce ``k`` comes from Tongsuo's DRBG.

Signatures leave this module as ``r || s``, 32 bytes each, the fixed-size form IEEE
P1363 gives ECDSA; Tongsuo, like GM/T 0009, writes them as DER.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from tongsuopy.crypto import hashes, serialization
from tongsuopy.crypto.asymciphers import ec
from tongsuopy.crypto.exceptions import (
    InternalError,
    InvalidSignature,
    UnsupportedAlgorithm,
)

from zhengzhao.errors import CryptoError, InvalidDocument, SignatureInvalid

__all__ = [
    "CURVE_ORDER",
    "DEFAULT_DISTINGUISHING_ID",
    "SIGNATURE_SIZE",
    "generate_private_key",
    "load_private_key",
    "load_public_key",
    "private_bytes",
    "public_bytes",
    "public_key",
    "sign",
    "verify",
]

#: tongsuopy ships no type information; its key objects pass through as they are.
TongsuoPrivateKey: TypeAlias = Any
TongsuoPublicKey: TypeAlias = Any

#: The identifier tongsuopy always uses (GM/T 0009-2012 section 10).
DEFAULT_DISTINGUISHING_ID = b"1234567812345678"

#: Order ``n`` of the base point of the recommended curve (GB/T 32918.5-2017).
CURVE_ORDER = 0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123

#: Bytes of a field element or scalar of the 256-bit recommended curve.
_SCALAR_SIZE = 32
#: ``r || s``.
SIGNATURE_SIZE = 2 * _SCALAR_SIZE

_SIGNATURE_ALGORITHM = ec.ECDSA(hashes.SM3())


def generate_private_key() -> TongsuoPrivateKey:
    """A new private key on the recommended curve, from Tongsuo's DRBG."""
    return ec.generate_private_key(ec.SM2())


def public_key(private_key: TongsuoPrivateKey) -> TongsuoPublicKey:
    """The public half of ``private_key``."""
    return private_key.public_key()


def sign(private_key: TongsuoPrivateKey, data: bytes) -> bytes:
    """Sign ``data`` with the default identifier; returns ``r || s``."""
    der = private_key.sign(data, _SIGNATURE_ALGORITHM)
    r, s = decode_dss_signature(der)
    return r.to_bytes(_SCALAR_SIZE, "big") + s.to_bytes(_SCALAR_SIZE, "big")


def verify(public_key: TongsuoPublicKey, signature: bytes, data: bytes) -> None:
    """Check an ``r || s`` signature made with the default identifier.

    Raises `SignatureInvalid` for a wrong signature of any length or content.
    """
    if len(signature) != SIGNATURE_SIZE:
        raise SignatureInvalid(
            f"an SM2 signature is {SIGNATURE_SIZE} bytes (r || s); got"
            f" {len(signature)} bytes"
        )
    r = int.from_bytes(signature[:_SCALAR_SIZE], "big")
    s = int.from_bytes(signature[_SCALAR_SIZE:], "big")
    # GB/T 32918.2-2016 section 7.1, steps B1 and B2: both halves lie in [1, n-1].
    if not (0 < r < CURVE_ORDER and 0 < s < CURVE_ORDER):
        raise SignatureInvalid("the SM2 signature's r or s is out of range")
    try:
        public_key.verify(encode_dss_signature(r, s), data, _SIGNATURE_ALGORITHM)
    except InvalidSignature as exc:
        raise SignatureInvalid("the SM2 signature does not match the data") from exc
    except InternalError as exc:
        raise SignatureInvalid("Tongsuo could not check the SM2 signature") from exc


def public_bytes(public_key: TongsuoPublicKey, *, compressed: bool = True) -> bytes:
    """The public key as a SEC1 point: 33 bytes compressed, 65 uncompressed."""
    point_format = (
        serialization.PublicFormat.CompressedPoint
        if compressed
        else serialization.PublicFormat.UncompressedPoint
    )
    encoded: bytes = public_key.public_bytes(serialization.Encoding.X962, point_format)
    return encoded


def load_public_key(data: bytes) -> TongsuoPublicKey:
    """Read a SEC1 point; raises `InvalidDocument` if it is not on the curve."""
    try:
        return ec.EllipticCurvePublicKey.from_encoded_point(ec.SM2(), data)
    except ValueError as exc:
        raise InvalidDocument(
            "not an SM2 public key: expected a SEC1 point on the recommended curve"
            f" (33 or 65 bytes), got {len(data)} bytes that do not decode"
        ) from exc


def private_bytes(private_key: TongsuoPrivateKey) -> bytes:
    """The private key as unencrypted PKCS#8 DER; wrap it before storing it."""
    der: bytes = private_key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return der


def load_private_key(der: bytes) -> TongsuoPrivateKey:
    """Read PKCS#8 DER written by `private_bytes`; raises `CryptoError` otherwise."""
    try:
        key = serialization.load_der_private_key(der, None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise CryptoError("the stored SM2 private key is not valid PKCS#8") from exc
    if not isinstance(key, ec.EllipticCurvePrivateKey) or not isinstance(
        key.curve, ec.SM2
    ):
        raise CryptoError("the stored private key is not on the SM2 curve")
    return key
