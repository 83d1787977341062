"""Data Integrity proofs (W3C Verifiable Credential Data Integrity 1.0).

`add_proof` secures a JSON document with one ``DataIntegrityProof``; `verify_proof`
checks it. The cryptosuite follows from the key's algorithm: ``ecdsa-jcs-2019`` for
P-256, ``eddsa-jcs-2022`` for Ed25519, and our own ``sm2-jcs-zhengzhao-2026`` for
SM2; `zhengzhao.seals.suites` gives the exact bytes each signs.

Verification follows the JCS suites' "Verify Proof" algorithm: when the proof
carries an ``@context``, the document's ``@context`` must start with it, and it
replaces the document's own for hashing.

Limits: one proof per document. A proof set (a list under ``proof``) is refused;
``challenge``, ``domain`` and ``expires`` are signed like any other proof member but
not checked here, and neither is whether the key may sign for the document's
issuer: that is `resolve_key`'s and the caller's business.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from zhengzhao.errors import InvalidDocument, SignatureInvalid
from zhengzhao.seals.algorithms import Signer, VerifyingKey
from zhengzhao.seals.multikey import decode_base58btc, encode_base58btc
from zhengzhao.seals.suites import Cryptosuite, suite_for_algorithm, suite_named

__all__ = ["PROOF_TYPE", "VerifiedProof", "add_proof", "verify_proof"]

#: The one proof type of Data Integrity 1.0 (section 3.1).
PROOF_TYPE = "DataIntegrityProof"

#: XML Schema 1.1 ``dateTimeStamp``: a date-time with a mandatory time zone, as
#: Data Integrity 1.0 section 2.1 requires of ``created``.
_DATE_TIME_STAMP = re.compile(
    r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})"
)

#: Proof members that must be strings for any proof we verify.
_REQUIRED = ("type", "cryptosuite", "verificationMethod", "proofPurpose")


@dataclass(frozen=True, kw_only=True)
class VerifiedProof:
    """What a proof that verified says about itself."""

    #: The key that signed, as the proof names it (a URL with a fragment).
    verification_method: str
    #: The suite the proof was made with, e.g. ``ecdsa-jcs-2019``.
    cryptosuite: str
    #: When the signer says it signed; None if the proof does not say.
    created: datetime | None
    #: Why the key signed, e.g. ``assertionMethod`` for an issued credential.
    proof_purpose: str


def add_proof(
    document: Mapping[str, Any],
    *,
    signing_key: Signer,
    verification_method: str,
    created: datetime,
    proof_purpose: str = "assertionMethod",
) -> dict[str, Any]:
    """A copy of ``document`` with a ``proof`` made by ``signing_key``.

    ``created`` is written in UTC; a naive datetime raises `ValueError`. Raises
    `InvalidDocument` if the document already has a proof or is not JSON.
    """
    if "proof" in document:
        raise InvalidDocument(
            "the document already has a proof; proof sets are not supported"
        )
    suite = suite_for_algorithm(signing_key.algorithm)
    unsecured = _copy(document)
    options: dict[str, Any] = {
        "type": PROOF_TYPE,
        "cryptosuite": suite.name,
        "created": _format_created(created),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    if "@context" in unsecured:
        options["@context"] = _copy(unsecured["@context"])
    signature = signing_key.sign(suite.hash_data(options, unsecured))
    return {
        **unsecured,
        "proof": {**options, "proofValue": encode_base58btc(signature)},
    }


def verify_proof(
    document: Mapping[str, Any],
    *,
    resolve_key: Callable[[str], VerifyingKey],
    expected_purpose: str | None = "assertionMethod",
) -> VerifiedProof:
    """Check the proof of ``document``, fetching its key with ``resolve_key``.

    ``expected_purpose`` is the ``proofPurpose`` the caller accepts (Data Integrity
    1.0 section 4.4); None leaves the check to the caller. Raises `InvalidDocument`
    if the proof is missing or malformed, and `SignatureInvalid` if it names an
    unknown type or cryptosuite, another purpose, a key of another algorithm, a
    different ``@context``, or does not verify.
    """
    # 1. Read the proof: its options, its signature, its suite.
    options, proof_bytes = _read_proof(document)
    suite = _check_options(options, expected_purpose)
    created = _parse_created(options.get("created"))

    # 2. Rebuild the unsecured document as it was signed.
    unsecured = _unsecured_document(document, options)

    # 3. Fetch the key and check it belongs to the suite.
    method = options["verificationMethod"]
    key = resolve_key(method)
    if key.algorithm is not suite.algorithm:
        raise SignatureInvalid(
            f"cryptosuite {suite.name} signs with {suite.algorithm} keys, but"
            f" {method} is a {key.algorithm} key"
        )

    # 4. Verify the signature over the hash data.
    key.verify(proof_bytes, suite.hash_data(options, unsecured))
    return VerifiedProof(
        verification_method=method,
        cryptosuite=suite.name,
        created=created,
        proof_purpose=options["proofPurpose"],
    )


def _read_proof(document: Mapping[str, Any]) -> tuple[dict[str, Any], bytes]:
    """The proof options (the proof without ``proofValue``) and the signature."""
    if not isinstance(document, Mapping):
        raise InvalidDocument("a signed document is a JSON object")
    proof = document.get("proof")
    if proof is None:
        raise InvalidDocument("the document has no proof")
    if isinstance(proof, list):
        raise InvalidDocument(
            "the document has a proof set; only single proofs are supported"
        )
    if not isinstance(proof, Mapping):
        raise InvalidDocument("the document's proof is not a JSON object")
    for member in _REQUIRED:
        if not isinstance(proof.get(member), str):
            raise InvalidDocument(f"the proof has no string {member!r}")
    proof_bytes = decode_base58btc(
        proof.get("proofValue"), what="the proof's proofValue"
    )
    options = {name: value for name, value in proof.items() if name != "proofValue"}
    return options, proof_bytes


def _check_options(
    options: Mapping[str, Any], expected_purpose: str | None
) -> Cryptosuite:
    """The suite the options name, once type and purpose are what we accept."""
    if options["type"] != PROOF_TYPE:
        raise SignatureInvalid(
            f"proof type {options['type']!r} is not supported; expected {PROOF_TYPE}"
        )
    suite = suite_named(options["cryptosuite"])
    purpose = options["proofPurpose"]
    if expected_purpose is not None and purpose != expected_purpose:
        raise SignatureInvalid(
            f"the proof's purpose is {purpose!r}; expected {expected_purpose!r}"
        )
    return suite


def _unsecured_document(
    document: Mapping[str, Any], options: Mapping[str, Any]
) -> dict[str, Any]:
    """The document without its proof, with the proof's ``@context`` if it has one."""
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    if "@context" not in options:
        return unsecured
    signed_context = _as_list(options["@context"])
    present_context = _as_list(unsecured.get("@context", []))
    if present_context[: len(signed_context)] != signed_context:
        raise SignatureInvalid(
            "the document's @context does not start with the @context the proof signed"
        )
    unsecured["@context"] = options["@context"]
    return unsecured


def _copy(value: Any) -> Any:
    # A JSON round trip copies a JSON document several times faster than deepcopy,
    # and refuses anything that is not JSON.
    try:
        return json.loads(json.dumps(value, ensure_ascii=False))
    except (TypeError, ValueError) as exc:
        raise InvalidDocument(f"the document is not JSON: {exc}") from exc


def _as_list(context: Any) -> list[Any]:
    return context if isinstance(context, list) else [context]


def _format_created(created: datetime) -> str:
    if created.tzinfo is None or created.utcoffset() is None:
        raise ValueError("created must be a timezone-aware datetime")
    utc = created.astimezone(UTC)
    timespec = "microseconds" if utc.microsecond else "seconds"
    return utc.replace(tzinfo=None).isoformat(timespec=timespec) + "Z"


def _parse_created(value: Any) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str) or not _DATE_TIME_STAMP.fullmatch(value):
        raise InvalidDocument(
            f"the proof's created {value!r} is not a date-time with a time zone"
        )
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise InvalidDocument(
            f"the proof's created {value!r} is not a valid date"
        ) from exc
