"""Checking a signed lifecycle event against a trust list.

An event document (`zhengzhao.issuance.credential.build_event`) is signed with the
issuing department's key, as the license it is about was. `verify_event` checks it
offline, with nothing but the trust list: the proof, that the key belongs to the
department the event names and whose code is inside the license identifier, and that
the key was trusted when it signed. Whether the event fits the license's history is
the log's business (`zhengzhao.translog.proofs`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from zhengzhao.errors import (
    InvalidDocument,
    InvalidIdentifier,
    NotFound,
    SignatureInvalid,
)
from zhengzhao.issuance.credential import EVENT_TYPE
from zhengzhao.model.license_id import LicenseIdentifier
from zhengzhao.model.time import to_rfc3339
from zhengzhao.seals.proofs import verify_proof
from zhengzhao.verify.trust_list import TrustList
from zhengzhao.verify.verifier import CLOCK_SKEW

__all__ = ["VerifiedEvent", "verify_event"]


@dataclass(frozen=True, kw_only=True)
class VerifiedEvent:
    """What a verified event says, with its signer as the trust list knows it."""

    #: The license version the event is about, by identifier.
    license: str
    #: Its place among the license version's events, from 1 (`issued`).
    sequence: int
    #: The event kind, e.g. ``suspended``.
    kind: str
    #: When the department says it happened.
    occurred_at: str
    #: The issuing department: its credit code and its name in the trust list.
    issuer_code: str
    issuer_name: str
    #: The key that signed, and when.
    verification_method: str
    signed_at: datetime


def verify_event(
    document: Any, *, trust_list: TrustList, now: datetime
) -> VerifiedEvent:
    """Check event ``document`` with ``trust_list`` at ``now``.

    Raises `InvalidDocument` for a document that is not an event, and
    `SignatureInvalid` when its proof fails, its key is unknown or another
    department's, or the key was not trusted when it signed.
    """
    identifier = _identifier(document)
    try:
        proof = verify_proof(
            document, resolve_key=lambda method: trust_list.key(method).public_key
        )
    except NotFound as exc:
        raise SignatureInvalid(f"{exc.message}: the signer is not trusted") from exc
    key = trust_list.key(proof.verification_method)
    owner = f"{key.controller_name or key.controller_code} ({key.controller_code})"
    if key.controller != document.get("issuer"):
        raise SignatureInvalid(
            f"key {key.id} belongs to {owner}, not to the issuer"
            f" {document.get('issuer')} the event names"
        )
    if key.controller_code != identifier.issuer_code:
        raise SignatureInvalid(
            f"key {key.id} belongs to {owner}, but the license identifier names"
            f" issuer {identifier.issuer_code}"
        )
    if proof.created is None or proof.created > now + CLOCK_SKEW:
        raise SignatureInvalid("the event's proof states no time, or a future one")
    if not key.trusted_at(proof.created):
        raise SignatureInvalid(
            f"key {key.id} was not trusted at {to_rfc3339(proof.created)} when it"
            " signed the event"
        )
    return VerifiedEvent(
        license=str(identifier),
        sequence=document["sequence"],
        kind=document["kind"],
        occurred_at=document["occurredAt"],
        issuer_code=key.controller_code,
        issuer_name=key.controller_name or key.controller_code,
        verification_method=key.id,
        signed_at=proof.created,
    )


def _identifier(document: Any) -> LicenseIdentifier:
    if not isinstance(document, dict) or document.get("type") != EVENT_TYPE:
        raise InvalidDocument(f"the document is not a {EVENT_TYPE}")
    for name, kind in (
        ("license", str),
        ("sequence", int),
        ("kind", str),
        ("issuer", str),
        ("occurredAt", str),
    ):
        value = document.get(name)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise InvalidDocument(
                f"the event's `{name}` is missing or not a {kind.__name__}"
            )
    try:
        return LicenseIdentifier.parse(document["license"])
    except InvalidIdentifier as exc:
        raise InvalidDocument(f"the event's license: {exc.message}") from exc
