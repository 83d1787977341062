"""A license as a W3C Verifiable Credential 2.0 document, and its signed events.

How the GB/T 36903 metadata maps onto the credential (docs/credential.md has the full
table):

- ZZBS (identifier) → ``credentialSubject.license.identifier``; the credential ``id``
  is the license's URL on its node.
- ZZMC, ZZLXDM (type name and code) → ``name``, ``credentialSubject.license.typeName``
  and ``.typeCode``; the catalog version issued under → ``.typeVersion``.
- ZZBH (paper number) → ``credentialSubject.license.paperNumber``.
- ZZBFJG, ZZBFJGDM (issuer) → ``issuer.name``, ``issuer.creditCode``; ``issuer.id``
  is the department's URL on its node.
- ZZBFRQ (issue date) → ``credentialSubject.license.issueDate``.
- CZZT, CZZTDM, CZZTDMLXDM (holder name, identifier, identifier type code) →
  ``credentialSubject.holder.name``, ``.identifier``, ``.identifierType``.
- ZZYXQQSRQ, ZZYXQJZRQ (valid from, until) → ``validFrom`` (00:00:00 that day) and
  ``validUntil`` (23:59:59 that day), China Standard Time; no ``validUntil``: permanent.
- ZZQZR, ZZQZSJ, ZZQZMC (sealer, seal time, seal name) → ``proof.verificationMethod``,
  ``proof.created``, ``issuer.name``.
- Type-specific fields → ``credentialSubject.fields``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from zhengzhao.model.license import HolderKind
from zhengzhao.model.lifecycle import EventKind
from zhengzhao.model.parties import Department
from zhengzhao.model.time import end_of_day, start_of_day, to_rfc3339
from zhengzhao.seals.keys import department_url
from zhengzhao.seals.suites import canonicalize
from zhengzhao.verify.status_list import StatusPurpose, status_entry

__all__ = [
    "CREDENTIAL_TYPE",
    "EVENT_TYPE",
    "HOLDER_IDENTIFIER_TYPES",
    "CredentialContent",
    "build_credential",
    "build_event",
    "canonical_json",
    "document_hash",
    "license_url",
]

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
CREDENTIAL_TYPE = "ElectronicLicense"
EVENT_TYPE = "LicenseEvent"

#: GB/T 36903 holder identifier type codes (CZZTDMLXDM).
HOLDER_IDENTIFIER_TYPES = {
    HolderKind.PERSON: "111",  # resident identity card number
    HolderKind.ORGANISATION: "001",  # unified social credit code
}


def license_url(base_url: str, identifier: str) -> str:
    return f"{base_url}/v1/licenses/{identifier}"


@dataclass(frozen=True, kw_only=True)
class CredentialContent:
    """Everything that goes into one license credential."""

    identifier: str
    type_code: str
    type_name: str
    type_version: int
    issuer: Department
    holder_kind: HolderKind
    holder_identifier: str
    holder_name: str
    fields: dict[str, Any]
    paper_number: str | None
    issue_date: date
    valid_from: date
    valid_until: date | None
    status_index: int
    supersedes: str | None = None


def build_credential(content: CredentialContent, *, base_url: str) -> dict[str, Any]:
    """The unsigned credential for ``content``."""
    issuer_url = department_url(base_url, content.issuer.credit_code)
    license_info: dict[str, Any] = {
        "identifier": content.identifier,
        "typeCode": content.type_code,
        "typeName": content.type_name,
        "typeVersion": content.type_version,
        "issueDate": content.issue_date.isoformat(),
    }
    if content.paper_number is not None:
        license_info["paperNumber"] = content.paper_number
    if content.supersedes is not None:
        license_info["supersedes"] = content.supersedes
    credential: dict[str, Any] = {
        "@context": [VC_CONTEXT],
        "id": license_url(base_url, content.identifier),
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "name": content.type_name,
        "issuer": {
            "id": issuer_url,
            "name": content.issuer.name,
            "creditCode": content.issuer.credit_code,
        },
        "validFrom": to_rfc3339(start_of_day(content.valid_from)),
    }
    if content.valid_until is not None:
        credential["validUntil"] = to_rfc3339(end_of_day(content.valid_until))
    credential["credentialSubject"] = {
        "holder": {
            "kind": content.holder_kind.value,
            "name": content.holder_name,
            "identifier": content.holder_identifier,
            "identifierType": HOLDER_IDENTIFIER_TYPES[content.holder_kind],
        },
        "license": license_info,
        "fields": content.fields,
    }
    credential["credentialStatus"] = [
        status_entry(issuer_url, purpose, content.status_index)
        for purpose in StatusPurpose
    ]
    return credential


def build_event(
    *,
    license_identifier: str,
    sequence: int,
    kind: EventKind,
    issuer: Department,
    occurred_at: datetime,
    reason: str | None,
    details: dict[str, Any],
    base_url: str,
) -> dict[str, Any]:
    """The unsigned document of a lifecycle event.

    It names the license by identifier and never repeats the holder's identity, so
    that event documents can be published in the transparency log.
    """
    event: dict[str, Any] = {
        "type": EVENT_TYPE,
        "license": license_identifier,
        "sequence": sequence,
        "kind": kind.value,
        "issuer": department_url(base_url, issuer.credit_code),
        "occurredAt": to_rfc3339(occurred_at),
        "details": details,
    }
    if reason:
        event["reason"] = reason
    return event


def canonical_json(document: dict[str, Any]) -> str:
    """The one text form in which signed documents are stored and hashed (RFC 8785)."""
    return canonicalize(document).decode()


def document_hash(text: str) -> str:
    """SHA-256 of a stored document's UTF-8 bytes, in hex."""
    return hashlib.sha256(text.encode()).hexdigest()
