"""Annotated copies (加注件): a license copied for one use, stamped, signed by the node.

A share answers with one copy per license: a W3C Verifiable Credential 2.0 of type
``AnnotatedCopy``, issued by the node, holding the license as the using party may
see it (`zhengzhao.sharing.disclosure`), and stamped with what the copy is for::

    {"@context": ["https://www.w3.org/ns/credentials/v2"],
     "id": "<base>/v1/access-records/<record id>#copy-<n>",
     "type": ["VerifiableCredential", "AnnotatedCopy"],
     "name": "<type name>（加注件）",
     "issuer": {"id": "<base>", "name": "<node name>"},
     "validFrom": "<made at>", "validUntil": "<expiry>",
     "credentialSubject": {
        "license": {"typeCode", "typeName", "issuer": {...}, "statusCode",
                    "encumbrance", "metadata": {"ZZBS": ..., "ZZBH": ..., ...}},
        "holder": {"kind", "name", "identifier"},
        "fields": {...},
        "disclosed": [...], "masked": [...],
        "source": {"credentialHash": "<SHA-256 of the license credential's JCS>"}},
     "annotation": {"purpose", "usingParty": {"creditCode", "name"},
        "matter": {"code", "name"}, "basis", "authorization", "reason",
        "accessRecord", "madeAt", "expiresAt"},
     "proof": {"type": "DataIntegrityProof", "cryptosuite": "ecdsa-jcs-2019",
               "verificationMethod": "<base>/v1/trust-list#annotated-copies", ...}}

Masked values keep the shape `mask` gives them (``6501**********1234``). The source
hash lets the holder, who has the credential, match the copy to it, and anyone to
find the license's issuance in the node's transparency log (its `issued` leaf
carries the same hash). `check_copy` verifies a copy against a trust list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from zhengzhao.errors import CopyExpired, InvalidDocument, NotFound, SignatureInvalid
from zhengzhao.model.time import to_rfc3339
from zhengzhao.seals.algorithms import VerifyingKey
from zhengzhao.seals.proofs import add_proof, verify_proof
from zhengzhao.sharing.copy_key import CopySigner
from zhengzhao.sharing.disclosure import DisclosedLicense
from zhengzhao.verify.trust_list import TrustList

__all__ = [
    "COPY_TYPE",
    "Annotation",
    "VerifiedCopy",
    "build_copy",
    "check_copy",
    "sign_copy",
]

COPY_TYPE = "AnnotatedCopy"
_VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
#: How far ahead of the checker's clock a copy's `validFrom` may lie.
_CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True, kw_only=True)
class Annotation:
    """What every copy of one share is stamped with."""

    purpose: str
    party_code: str
    party_name: str
    matter_code: str
    matter_name: str
    #: `authorization`, `legal-basis` or `own-data`.
    basis: str
    authorization: str | None
    reason: str | None
    access_record: str
    made_at: datetime

    def to_json(self, *, expires_at: datetime) -> dict[str, Any]:
        return {
            "purpose": self.purpose,
            "usingParty": {"creditCode": self.party_code, "name": self.party_name},
            "matter": {"code": self.matter_code, "name": self.matter_name},
            "basis": self.basis,
            "authorization": self.authorization,
            "reason": self.reason,
            "accessRecord": self.access_record,
            "madeAt": to_rfc3339(self.made_at),
            "expiresAt": to_rfc3339(expires_at),
        }


def build_copy(
    disclosed: DisclosedLicense,
    *,
    number: int,
    source_hash: str,
    annotation: Annotation,
    expires_at: datetime,
    base_url: str,
    node_name: str,
) -> dict[str, Any]:
    """The unsigned copy number ``number`` of one share."""
    return {
        "@context": [_VC_CONTEXT],
        "id": f"{base_url}/v1/access-records/{annotation.access_record}#copy-{number}",
        "type": ["VerifiableCredential", COPY_TYPE],
        "name": f"{disclosed.header['typeName']}（加注件）",
        "issuer": {"id": base_url, "name": node_name},
        "validFrom": to_rfc3339(annotation.made_at),
        "validUntil": to_rfc3339(expires_at),
        "credentialSubject": {
            "license": {**disclosed.header, "metadata": disclosed.metadata},
            "holder": disclosed.holder,
            "fields": disclosed.fields,
            "disclosed": list(disclosed.disclosed),
            "masked": list(disclosed.masked),
            "source": {"credentialHash": source_hash},
        },
        "annotation": annotation.to_json(expires_at=expires_at),
    }


def sign_copy(
    copy: Mapping[str, Any], *, signer: CopySigner, now: datetime
) -> dict[str, Any]:
    """``copy`` with the node's Data Integrity proof."""
    return add_proof(
        copy, signing_key=signer.key, verification_method=signer.method, created=now
    )


@dataclass(frozen=True, kw_only=True)
class VerifiedCopy:
    """What a copy that passed `check_copy` says."""

    type_code: str
    party_code: str
    matter_code: str
    purpose: str
    access_record: str
    expires_at: datetime


def check_copy(document: Any, *, trust_list: TrustList, now: datetime) -> VerifiedCopy:
    """Check that ``document`` is an annotated copy signed by the node of
    ``trust_list`` and valid at ``now``.

    Raises `InvalidDocument` for anything but a copy, `SignatureInvalid` when the
    proof does not verify with the trust list's copy key or the copy names another
    issuer, and `CopyExpired` once its expiry has passed.
    """
    # 1. The shape: a copy, with the members checked below.
    if not isinstance(document, dict) or COPY_TYPE not in document.get("type", []):
        raise InvalidDocument(f"not an annotated copy: `type` must hold {COPY_TYPE}")
    try:
        annotation = document["annotation"]
        issuer = document["issuer"]["id"]
        valid_from = _time(document["validFrom"])
        valid_until = _time(document["validUntil"])
        stamped = VerifiedCopy(
            type_code=str(document["credentialSubject"]["license"]["typeCode"]),
            party_code=str(annotation["usingParty"]["creditCode"]),
            matter_code=str(annotation["matter"]["code"]),
            purpose=str(annotation["purpose"]),
            access_record=str(annotation["accessRecord"]),
            expires_at=valid_until,
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidDocument(f"malformed annotated copy: {exc}") from exc

    # 2. The signer: the trust list's copy key, controlled by the issuing node.
    key = trust_list.copy_key
    if key is None:
        raise SignatureInvalid("the trust list names no annotated-copy key")
    if issuer != key.controller:
        raise SignatureInvalid(
            f"the copy names issuer {issuer}, but the trust list's copy key belongs"
            f" to {key.controller}"
        )

    def resolve(method: str) -> VerifyingKey:
        if method != key.id:
            raise NotFound(f"{method} is not the trust list's annotated-copy key")
        return key.public_key

    # 3. The proof.
    try:
        verify_proof(document, resolve_key=resolve)
    except NotFound as exc:
        raise SignatureInvalid(exc.message) from exc

    # 4. The validity window.
    if now >= valid_until:
        raise CopyExpired(
            f"the copy expired at {to_rfc3339(valid_until)}; ask for a new share"
        )
    if valid_from > now + _CLOCK_SKEW:
        raise InvalidDocument("the copy is dated in the future")
    return stamped


def _time(value: Any) -> datetime:
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"timestamp {value} has no time zone")
    return moment
