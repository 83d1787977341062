"""An independent verifier of W3C Data Integrity proofs on exported licenses.

Written from the specifications alone, never from the platform's own signing or
verification code, so that one misreading cannot hide in both:

- W3C Verifiable Credential Data Integrity 1.0 (VC-DI), "Verify Proof";
- W3C Data Integrity ECDSA Cryptosuites v1.0 (DI-ECDSA), "ecdsa-jcs-2019";
- W3C Data Integrity EdDSA Cryptosuites v1.0 (DI-EDDSA), "eddsa-jcs-2022";
- W3C Verifiable Credentials Data Model v2.0 (VC-DM), §4.3 contexts, §4.5 types,
  §4.7 issuer;
- RFC 8785, the JSON Canonicalization Scheme (JCS);
- W3C Controlled Identifiers v1.0 (CID), "Multikey", "JsonWebKey", "Multibase";
- draft-msporny-base58-03, the base58btc alphabet and decoding;
- RFC 7518 §6.2.1 (EC public keys) and RFC 8037 §2 (OKP public keys) for JWKs.

`cryptography` supplies only the curve arithmetic: P-256 point decompression and the
raw ECDSA and Ed25519 signature checks.

Limits: one proof per credential (proof sets and chains are refused); P-256 and
Ed25519 keys only; key validity periods and status lists are the platform's own
semantics, outside these specifications, and are not checked here.
"""

from __future__ import annotations

import base64
import binascii
import calendar
import hashlib
import math
import re
from collections.abc import Iterator
from copy import deepcopy
from decimal import Decimal
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

__all__ = [
    "VerificationFailed",
    "base58btc_decode",
    "canonicalize",
    "key_from_jwk",
    "key_from_multikey",
    "single_changes",
    "verify_credential",
]

PublicKey = ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey

#: The key type each cryptosuite needs (DI-ECDSA and DI-EDDSA, "Algorithms").
SUITES = {"ecdsa-jcs-2019": "P-256", "eddsa-jcs-2022": "Ed25519"}

#: Multicodec codes of public keys and their lengths (CID "Multikey" table).
MULTICODEC_KEY_TYPES = {0x1200: ("P-256", 33), 0xED: ("Ed25519", 32)}

CREDENTIALS_V2 = "https://www.w3.org/ns/credentials/v2"
PROOF_STRINGS = (
    "type",
    "cryptosuite",
    "verificationMethod",
    "proofPurpose",
    "proofValue",
)


class VerificationFailed(Exception):
    """The credential did not verify; `reason` says which check failed, and why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# JSON Canonicalization Scheme (RFC 8785)

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n"}
_ESCAPES |= {"\f": "\\f", "\r": "\\r"}


def canonicalize(value: Any) -> bytes:
    """The RFC 8785 canonical form of a JSON value, as UTF-8 (§3.2.4).

    Raises `ValueError` for what I-JSON excludes (§3.1): NaN and infinities, numbers
    beyond binary64, lone surrogates, and non-string member names.
    """
    return _serialize(value).encode("utf-8")


def _serialize(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, int | float):
        try:
            return _number(float(value))
        except OverflowError as error:
            raise ValueError(f"{value} is beyond IEEE 754 binary64") from error
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list | tuple):
        return "[" + ",".join(_serialize(item) for item in value) + "]"
    if isinstance(value, dict):
        if not all(isinstance(name, str) for name in value):
            raise ValueError("JSON member names are strings")
        # §3.2.3: members sorted by their names as arrays of UTF-16 code units;
        # big-endian UTF-16 bytes compare in exactly that order.
        names = sorted(value, key=lambda name: name.encode("utf-16-be"))
        members = (f"{_string(name)}:{_serialize(value[name])}" for name in names)
        return "{" + ",".join(members) + "}"
    raise ValueError(f"{type(value).__name__} is not a JSON value")


def _number(x: float) -> str:
    """ECMA-262 Number::toString, which RFC 8785 §3.2.2.3 adopts for all numbers."""
    if not math.isfinite(x):
        raise ValueError(f"{x} is not a JSON number")
    if x == 0:
        return "0"  # -0 too
    if x < 0:
        return "-" + _number(-x)
    # `repr` gives the shortest digits that round-trip: the algorithm's s, with k
    # digits, and x = s × 10^(n−k).
    _, digit_tuple, exponent = Decimal(repr(x)).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    k, n = len(digits), int(exponent) + len(digits)
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return f"{digits[:n]}.{digits[n:]}"
    if -6 < n <= 0:
        return "0." + "0" * -n + digits
    mantissa = digits if k == 1 else f"{digits[0]}.{digits[1:]}"
    return f"{mantissa}e{n - 1:+d}"


def _string(text: str) -> str:
    """RFC 8785 §3.2.2.2: escape `"`, `\\` and controls; all else as is."""
    escaped = (_ESCAPES.get(c) or (f"\\u{ord(c):04x}" if c < " " else c) for c in text)
    return '"' + "".join(escaped) + '"'


# Base58btc, Multibase and Multikey (draft-msporny-base58; CID)

_BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58btc_decode(text: str) -> bytes:
    """Decode base58btc: a big-endian base-58 number after one zero byte per leading
    "1" (draft-msporny-base58-03, decoding). Raises `ValueError` for other alphabets."""
    number = 0
    for character in text:
        digit = _BASE58_ALPHABET.find(character)
        if digit < 0:
            raise ValueError(f"{character!r} is not in the base58btc alphabet")
        number = number * 58 + digit
    zeros = len(text) - len(text.lstrip("1"))
    return bytes(zeros) + number.to_bytes((number.bit_length() + 7) // 8, "big")


def _multibase(value: Any, what: str) -> bytes:
    """The bytes of a base58btc Multibase string: header "z", then base58btc."""
    if not isinstance(value, str) or not value.startswith("z"):
        raise VerificationFailed(f"{what} must be base58btc multibase, 'z…'")
    try:
        return base58btc_decode(value[1:])
    except ValueError as error:
        raise VerificationFailed(f"{what} is not base58btc: {error}") from error


def _varint(data: bytes) -> tuple[int, bytes]:
    """The unsigned varint (multiformats: LEB128) opening `data`, and the rest."""
    value = 0
    for index, byte in enumerate(data[:9]):
        value |= (byte & 0x7F) << (7 * index)
        if not byte & 0x80:
            return value, data[index + 1 :]
    raise VerificationFailed("publicKeyMultibase has no complete multicodec header")


def key_from_multikey(value: Any) -> PublicKey:
    """The key in a `publicKeyMultibase`: multibase of a multicodec header, then the
    33-byte compressed P-256 point (code 0x1200) or the 32-byte Ed25519 key (0xed)."""
    codec, key = _varint(_multibase(value, "publicKeyMultibase"))
    key_type, length = MULTICODEC_KEY_TYPES.get(codec, ("unknown", -1))
    if len(key) != length:
        raise VerificationFailed(
            f"publicKeyMultibase has multicodec 0x{codec:x} and {len(key)} key bytes;"
            " expected 0x1200 with 33 (P-256) or 0xed with 32 (Ed25519)"
        )
    try:
        if key_type == "P-256":
            return ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), key)
        return ed25519.Ed25519PublicKey.from_public_bytes(key)
    except ValueError as error:
        raise VerificationFailed(f"publicKeyMultibase is no {key_type} key") from error


def key_from_jwk(jwk: Any) -> PublicKey:
    """The key in a `publicKeyJwk`: EC P-256 with 32-byte `x` and `y` (RFC 7518
    §6.2.1), or OKP Ed25519 with a 32-byte `x` (RFC 8037 §2). A private `d` is
    refused: CID "JsonWebKey" forbids private members in `publicKeyJwk`."""
    if not isinstance(jwk, dict) or "d" in jwk:
        raise VerificationFailed(f"publicKeyJwk must be a public JWK, found {jwk}")
    kind = (jwk.get("kty"), jwk.get("crv"))
    if kind == ("OKP", "Ed25519"):
        return ed25519.Ed25519PublicKey.from_public_bytes(_coordinate(jwk, "x"))
    if kind != ("EC", "P-256"):
        raise VerificationFailed(
            f"publicKeyJwk has kty/crv {kind}; expected EC/P-256 or OKP/Ed25519"
        )
    x, y = (int.from_bytes(_coordinate(jwk, name), "big") for name in ("x", "y"))
    try:
        return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    except ValueError as error:
        raise VerificationFailed("publicKeyJwk x, y is not a point on P-256") from error


def _coordinate(jwk: dict[str, Any], name: str) -> bytes:
    """A 32-byte JWK member in base64url without padding (RFC 7515 §2)."""
    value = jwk.get(name)
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z0-9_-]*", value):
        raise VerificationFailed(f"publicKeyJwk {name} must be base64url: {value}")
    try:
        data = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except binascii.Error as error:
        raise VerificationFailed(f"publicKeyJwk {name} is not base64url") from error
    if len(data) != 32:
        raise VerificationFailed(f"publicKeyJwk {name} has {len(data)} bytes, not 32")
    return data


def _raw(key: PublicKey) -> bytes:
    if isinstance(key, ec.EllipticCurvePublicKey):
        return key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


# Verification


def verify_credential(document: dict[str, Any], trust_list: dict[str, Any]) -> None:
    """Check the Data Integrity proof of `document` with a key from `trust_list`.

    Steps: 1 read the credential and its proof (VC-DM; VC-DI "Verify Proof" steps
    1-4, expecting `assertionMethod`); 2 find the proof's verification method in the
    trust list; 3 check its controller is the issuer; 4 decode its key from both the
    Multikey and the JWK and check they agree; 5 check the cryptosuite fits the key;
    6 run the cryptosuite's "Verify Proof". Raises `VerificationFailed`.
    """
    # 1. The credential and its proof.
    proof = _proof_of(document)

    # 2. The verification method, found by id.
    method = _method(trust_list, proof["verificationMethod"])

    # 3. The method's controller is the issuer.
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if method.get("controller") != issuer_id:
        raise VerificationFailed(
            f"{method['id']} is controlled by {method.get('controller')!r},"
            f" not by the issuer {issuer_id!r}"
        )

    # 4. One key in two encodings.
    key = key_from_multikey(method.get("publicKeyMultibase"))
    if _raw(key) != _raw(key_from_jwk(method.get("publicKeyJwk"))):
        raise VerificationFailed(
            f"publicKeyMultibase and publicKeyJwk of {method['id']} are different keys"
        )

    # 5. The cryptosuite fits the key.
    key_type = "P-256" if isinstance(key, ec.EllipticCurvePublicKey) else "Ed25519"
    if SUITES[proof["cryptosuite"]] != key_type:
        raise VerificationFailed(
            f"cryptosuite {proof['cryptosuite']} needs a"
            f" {SUITES[proof['cryptosuite']]} key;"
            f" {method['id']} is {key_type}"
        )

    # 6. The cryptosuite's own verification.
    _verify_jcs_proof(document, proof, key)


def _proof_of(document: Any) -> dict[str, Any]:
    """The single proof, after the VC-DM and VC-DI checks that need no key."""
    if not isinstance(document, dict) or not isinstance(document.get("proof"), dict):
        raise VerificationFailed("the document has no single proof object")
    context, types = document.get("@context"), document.get("type")
    if not isinstance(context, list) or context[:1] != [CREDENTIALS_V2]:
        raise VerificationFailed("@context must open with the VC 2.0 one (VC-DM §4.3)")
    if not isinstance(types, list) or "VerifiableCredential" not in types:
        raise VerificationFailed("type must include VerifiableCredential (VC-DM §4.5)")
    proof: dict[str, Any] = document["proof"]
    for name in PROOF_STRINGS:
        if not isinstance(proof.get(name), str):
            raise VerificationFailed(f"proof.{name} must be a string")
    suite = f"{proof['type']}/{proof['cryptosuite']}"
    if proof["type"] != "DataIntegrityProof" or proof["cryptosuite"] not in SUITES:
        raise VerificationFailed(
            f"{suite} is not DataIntegrityProof/{'|'.join(SUITES)}"
        )
    if proof["proofPurpose"] != "assertionMethod":
        purpose = proof["proofPurpose"]
        raise VerificationFailed(f"proofPurpose is {purpose}, expected assertionMethod")
    times = {name: document.get(name) for name in ("validFrom", "validUntil")}
    for name, value in {"proof.created": proof.get("created"), **times}.items():
        if value is not None and not _is_date_time_stamp(value):
            raise VerificationFailed(f"{name} {value!r} is no dateTimeStamp")
    return proof


def _method(trust_list: Any, method_id: str) -> dict[str, Any]:
    listed = (
        trust_list.get("verificationMethods") if isinstance(trust_list, dict) else None
    )
    found = [
        m for m in listed or [] if isinstance(m, dict) and m.get("id") == method_id
    ]
    if len(found) != 1:
        raise VerificationFailed(
            f"the trust list holds {len(found)} methods {method_id}, expected one"
        )
    return found[0]


def _verify_jcs_proof(
    document: dict[str, Any], proof: dict[str, Any], key: PublicKey
) -> None:
    """DI-ECDSA "Verify Proof (ecdsa-jcs-2019)" and DI-EDDSA "… (eddsa-jcs-2022)".

    Both: the proof configuration is the proof without `proofValue`, with the
    document's `@context` ("Proof Configuration"); hash data is SHA-256 of its JCS
    form, then SHA-256 of the JCS form of the document without `proof` ("Hashing").
    """
    # 1-3. Unsecured document, proof options, proof bytes.
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    options = {name: value for name, value in proof.items() if name != "proofValue"}
    proof_bytes = _multibase(proof["proofValue"], "proof.proofValue")

    # 4. A proof @context must open the document's, and then stands for it.
    if "@context" in options:
        prefix = options["@context"]
        if (
            not isinstance(prefix, list)
            or unsecured["@context"][: len(prefix)] != prefix
        ):
            raise VerificationFailed(
                f"proof @context {prefix} does not open the document's"
            )
        unsecured["@context"] = prefix

    # 5-7. Transform, configure, hash: the proof configuration's hash first.
    config = {**options, "@context": unsecured["@context"]}
    hash_data = _sha256_of_jcs(config) + _sha256_of_jcs(unsecured)

    # 8. The signature: ECDSA P-256 with SHA-256 (r || s), or Ed25519.
    if len(proof_bytes) != 64:
        raise VerificationFailed(f"proofValue has {len(proof_bytes)} bytes, not 64")
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            r, s = (int.from_bytes(proof_bytes[i : i + 32], "big") for i in (0, 32))
            key.verify(encode_dss_signature(r, s), hash_data, ec.ECDSA(hashes.SHA256()))
        else:
            key.verify(proof_bytes, hash_data)
    except InvalidSignature as error:
        reason = f"the signature does not verify with {proof['verificationMethod']}"
        raise VerificationFailed(reason) from error


def _sha256_of_jcs(value: Any) -> bytes:
    try:
        return hashlib.sha256(canonicalize(value)).digest()
    except ValueError as error:
        raise VerificationFailed(f"no RFC 8785 canonical form: {error}") from error


# XML Schema 1.1 Part 2 "dateTimeStamp": a "dateTime" whose time zone is required.
_DATE_TIME_STAMP = re.compile(
    r"-?([1-9][0-9]{3,}|0[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|24:00:00(\.0+)?)"
    r"(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
)


def _is_date_time_stamp(value: Any) -> bool:
    match = isinstance(value, str) and _DATE_TIME_STAMP.fullmatch(value)
    if not match:
        return False
    # The day must exist in its month; the Gregorian calendar repeats every 400 years.
    year, month, day = int(match[1]), int(match[2]), int(match[3])
    return day <= calendar.monthrange(2000 + year % 400, month)[1]


# Tampering, for the tests that prove rejection


def single_changes(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every copy of `document` with one change outside `proof`, named: each leaf
    changed (strings lengthened, numbers incremented, booleans flipped, nulls set),
    each member deleted, and a member added to each object."""
    body = {name: value for name, value in document.items() if name != "proof"}
    for change, changed in _changes(body, ""):
        yield change, {**changed, "proof": deepcopy(document["proof"])}


def _changes(value: Any, where: str) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        yield f"add a member to {where or '/'}", {**value, "addedByTamperTest": "x"}
        for name, item in value.items():
            rest = {other: kept for other, kept in value.items() if other != name}
            yield f"delete {where}/{name}", rest
            for change, changed in _changes(item, f"{where}/{name}"):
                yield change, {**value, name: changed}
    elif isinstance(value, list):
        for index, item in enumerate(value):
            for change, changed in _changes(item, f"{where}/{index}"):
                yield change, [*value[:index], changed, *value[index + 1 :]]
    elif isinstance(value, bool):
        yield f"flip {where}", not value
    elif isinstance(value, int | float):  # doubles past 2**53 absorb a "+ 1"
        yield f"increment {where}", value + 1 if value + 1 != value else value * 2
    else:
        yield f"lengthen {where}", "x" if value is None else f"{value}x"
