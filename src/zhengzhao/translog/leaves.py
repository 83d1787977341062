"""What the transparency log commits to: one leaf per license event.

A leaf is the RFC 8785 (JCS) canonical JSON of a small, versioned object. Version 1,
kind ``license-event``::

    {"v": 1,
     "kind": "license-event",
     "license": "<GB/T 36904 license identifier>",
     "sequence": <the event's number for this license version, 1 = issued>,
     "event": "<event kind: issued, suspended, revoked, ...>",
     "issuer": "<credit code of the issuing department>",
     "occurredAt": "<RFC 3339 time the department states>",
     "recordedAt": "<RFC 3339 time the node recorded it>",
     "eventHash": "<SHA-256, hex, of the stored signed event document>",
     "credentialHash": "<SHA-256, hex, of the license credential>"}   # issued only

``credentialHash`` is the SHA-256 of the credential's JCS bytes, so anyone holding a
license can find and prove its issuance in the log without the event document. The
leaf names the license by identifier only: it carries no holder data, so tiles can be
served to the public. A verifier reading a leaf must accept unknown keys in later
versions and refuse a version it does not know.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from zhengzhao.errors import InvalidDocument
from zhengzhao.model.time import to_rfc3339
from zhengzhao.seals.jcs import canonicalize

__all__ = ["LEAF_VERSION", "EventLeaf", "event_leaf", "read_leaf"]

LEAF_VERSION = 1
EVENT_KIND = "license-event"


@dataclass(frozen=True, kw_only=True)
class EventLeaf:
    """A decoded license-event leaf."""

    license: str
    sequence: int
    event: str
    issuer: str
    occurred_at: str
    recorded_at: str
    event_hash: str
    #: Present on `issued` leaves: the SHA-256 (hex) of the credential's JCS bytes.
    credential_hash: str | None = None


def event_leaf(
    *,
    license_identifier: str,
    sequence: int,
    event: str,
    issuer_code: str,
    occurred_at: datetime,
    recorded_at: datetime,
    event_hash: str,
    credential_hash: str | None,
) -> bytes:
    """The leaf bytes of one license event."""
    value: dict[str, Any] = {
        "v": LEAF_VERSION,
        "kind": EVENT_KIND,
        "license": license_identifier,
        "sequence": sequence,
        "event": event,
        "issuer": issuer_code,
        "occurredAt": to_rfc3339(occurred_at),
        "recordedAt": to_rfc3339(recorded_at),
        "eventHash": event_hash,
    }
    if credential_hash is not None:
        value["credentialHash"] = credential_hash
    return canonicalize(value)


def read_leaf(data: bytes) -> EventLeaf:
    """Decode leaf bytes; raises `InvalidDocument` for anything but a v1 event leaf."""
    try:
        value = json.loads(data)
        if value.get("v") != LEAF_VERSION or value.get("kind") != EVENT_KIND:
            raise InvalidDocument(
                f"leaf version {value.get('v')!r} of kind {value.get('kind')!r} is not"
                f" a version {LEAF_VERSION} license-event leaf"
            )
        return EventLeaf(
            license=str(value["license"]),
            sequence=int(value["sequence"]),
            event=str(value["event"]),
            issuer=str(value["issuer"]),
            occurred_at=str(value["occurredAt"]),
            recorded_at=str(value["recordedAt"]),
            event_hash=str(value["eventHash"]),
            credential_hash=value.get("credentialHash"),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InvalidDocument(f"malformed log leaf: {exc}") from exc
