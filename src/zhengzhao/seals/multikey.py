"""Public keys as Multikey strings and as JWKs, in both directions.

``publicKeyMultibase`` follows W3C Controlled Identifiers v1.0, section 2.2.2
(Multikey): the unsigned-varint multicodec code of the key type, then the key bytes,
base58btc-encoded with the multibase prefix ``z``. The codes come from the multicodec
table (github.com/multiformats/multicodec, ``table.csv``):

- ``p256-pub`` 0x1200, prefix bytes ``80 24``, compressed point: strings start ``zDn``;
- ``ed25519-pub`` 0xed, prefix bytes ``ed 01``, raw key: strings start ``z6Mk``;
- ``sm2-pub`` 0x1206, prefix bytes ``86 24``, compressed point: strings start ``zEPJ``.
  NOTE: ``sm2-pub`` has status *draft* in the table, as ``p256-pub`` has; other
  software may not know it.

``publicKeyJwk`` follows RFC 7517/7518 for P-256 (``kty`` ``EC``, ``crv`` ``P-256``)
and RFC 8037 for Ed25519 (``kty`` ``OKP``, ``crv`` ``Ed25519``). NOTE: for SM2 we
write ``kty`` ``EC`` with ``crv`` ``SM2``, which no IANA registry defines; only our
own software reads it.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping

import base58

from zhengzhao.errors import InvalidDocument
from zhengzhao.seals.algorithms import Algorithm, VerifyingKey

__all__ = [
    "decode_base58btc",
    "encode_base58btc",
    "public_key_from_jwk",
    "public_key_from_multibase",
    "public_key_jwk",
    "public_key_multibase",
]

#: Multibase prefix of base58btc (multiformats/multibase, ``multibase.csv``).
_BASE58BTC_PREFIX = "z"

#: Multicodec codes of public key types (multiformats/multicodec, ``table.csv``).
_MULTICODEC = {
    Algorithm.ECDSA_P256: 0x1200,
    Algorithm.ED25519: 0xED,
    Algorithm.SM2: 0x1206,
}

#: Bytes of the public key after the prefix: compressed points and raw Ed25519.
_KEY_SIZE = {Algorithm.ECDSA_P256: 33, Algorithm.ED25519: 32, Algorithm.SM2: 33}

#: JWK ``crv`` names; "SM2" is ours, see the module docstring.
_JWK_CURVE = {
    Algorithm.ECDSA_P256: "P-256",
    Algorithm.ED25519: "Ed25519",
    Algorithm.SM2: "SM2",
}

#: Bytes of one coordinate of a 256-bit curve point.
_COORDINATE_SIZE = 32

#: Leading byte of an uncompressed SEC1 point (SEC 1 v2, section 2.3.3).
_UNCOMPRESSED = b"\x04"


def _uvarint(value: int) -> bytes:
    """Unsigned LEB128, as multiformats/unsigned-varint writes multicodec codes."""
    out = bytearray()
    while True:
        low, value = value & 0x7F, value >> 7
        out.append(low | (0x80 if value else 0))
        if not value:
            return bytes(out)


_PREFIX = {algorithm: _uvarint(code) for algorithm, code in _MULTICODEC.items()}


def encode_base58btc(data: bytes) -> str:
    """``data`` as a multibase base58btc string (``z`` and the Bitcoin alphabet)."""
    return _BASE58BTC_PREFIX + base58.b58encode(data).decode("ascii")


def decode_base58btc(value: object, *, what: str) -> bytes:
    """The bytes of a multibase base58btc string; ``what`` names it in the error.

    Raises `InvalidDocument` for anything else.
    """
    if not isinstance(value, str) or not value.startswith(_BASE58BTC_PREFIX):
        raise InvalidDocument(
            f"{what} must be a multibase base58btc string starting with 'z'"
        )
    try:
        decoded: bytes = base58.b58decode(value[1:])
    except ValueError as exc:
        raise InvalidDocument(f"{what} is not valid base58btc") from exc
    return decoded


def public_key_multibase(key: VerifyingKey) -> str:
    """The key's ``publicKeyMultibase``."""
    return encode_base58btc(_PREFIX[key.algorithm] + key.public_bytes())


def public_key_from_multibase(value: str) -> VerifyingKey:
    """Read a ``publicKeyMultibase``; raises `InvalidDocument` if it is none we know."""
    data = decode_base58btc(value, what="publicKeyMultibase")
    for algorithm, prefix in _PREFIX.items():
        if data.startswith(prefix):
            key = data[len(prefix) :]
            if len(key) != _KEY_SIZE[algorithm]:
                raise InvalidDocument(
                    f"a {algorithm} publicKeyMultibase holds {_KEY_SIZE[algorithm]}"
                    f" key bytes; this one holds {len(key)}"
                )
            return VerifyingKey.from_public_bytes(algorithm, key)
    raise InvalidDocument(
        "publicKeyMultibase is not a P-256, Ed25519 or SM2 public key (its multicodec"
        f" prefix is {data[:2].hex()})"
    )


def public_key_jwk(key: VerifyingKey) -> dict[str, str]:
    """The key's ``publicKeyJwk``."""
    curve = _JWK_CURVE[key.algorithm]
    if key.algorithm is Algorithm.ED25519:
        return {"kty": "OKP", "crv": curve, "x": _b64url(key.public_bytes())}
    point = key.public_bytes(compressed=False)
    x, y = point[1 : 1 + _COORDINATE_SIZE], point[1 + _COORDINATE_SIZE :]
    return {"kty": "EC", "crv": curve, "x": _b64url(x), "y": _b64url(y)}


def public_key_from_jwk(jwk: Mapping[str, object]) -> VerifyingKey:
    """Read a ``publicKeyJwk``; raises `InvalidDocument` if it is none we know.

    A JWK that carries a private key (``d``) is refused rather than read.
    """
    if "d" in jwk:
        raise InvalidDocument(
            "the JWK holds a private key ('d'); publish only public keys"
        )
    kty, crv = jwk.get("kty"), jwk.get("crv")
    algorithm = next((a for a, name in _JWK_CURVE.items() if name == crv), None)
    if algorithm is None:
        raise InvalidDocument(f"JWK curve {crv!r} is not P-256, Ed25519 or SM2")
    if algorithm is Algorithm.ED25519:
        if kty != "OKP":
            raise InvalidDocument(f"an Ed25519 JWK has kty 'OKP', not {kty!r}")
        return VerifyingKey.from_public_bytes(algorithm, _jwk_bytes(jwk, "x", 32))
    if kty != "EC":
        raise InvalidDocument(f"a {crv} JWK has kty 'EC', not {kty!r}")
    x = _jwk_bytes(jwk, "x", _COORDINATE_SIZE)
    y = _jwk_bytes(jwk, "y", _COORDINATE_SIZE)
    return VerifyingKey.from_public_bytes(algorithm, _UNCOMPRESSED + x + y)


def _b64url(data: bytes) -> str:
    """base64url without padding (RFC 7515 section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _jwk_bytes(jwk: Mapping[str, object], member: str, size: int) -> bytes:
    value = jwk.get(member)
    if not isinstance(value, str):
        raise InvalidDocument(f"the JWK has no string member {member!r}")
    try:
        data = base64.b64decode(
            value + "=" * (-len(value) % 4), altchars=b"-_", validate=True
        )
    except binascii.Error as exc:
        raise InvalidDocument(f"JWK member {member!r} is not base64url") from exc
    if len(data) != size or _b64url(data) != value:
        raise InvalidDocument(
            f"JWK member {member!r} must be {size} bytes in unpadded base64url"
        )
    return data
