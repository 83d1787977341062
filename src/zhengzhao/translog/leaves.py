"""What the transparency log commits to: one leaf per license event or access record.

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

Version 1, kind ``access-record``: one per share, check or prefill of a holder's
data (see `zhengzhao.sharing.access`)::

    {"v": 1,
     "kind": "access-record",
     "record": "<the access record's id>",
     "recordedAt": "<RFC 3339 time the node recorded it>",
     "recordHash": "<SHA-256, hex, of the JCS bytes of the record document>"}

The record document names the holder, the party and what was read, and carries 128
random bits of salt, so that the hash reveals nothing to the public; the holder,
who receives the whole document, can recompute it and prove the record is logged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from zhengzhao.errors import InvalidDocument
from zhengzhao.model.time import to_rfc3339
from zhengzhao.seals.jcs import canonicalize

__all__ = [
    "ACCESS_KIND",
    "EVENT_KIND",
    "LEAF_VERSION",
    "AccessLeaf",
    "EventLeaf",
    "access_leaf",
    "event_leaf",
    "leaf_kind",
    "read_access_leaf",
    "read_leaf",
]

LEAF_VERSION = 1
EVENT_KIND = "license-event"
ACCESS_KIND = "access-record"


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


@dataclass(frozen=True, kw_only=True)
class AccessLeaf:
    """A decoded access-record leaf."""

    record: str
    recorded_at: str
    record_hash: str


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


def access_leaf(*, record: str, recorded_at: datetime, record_hash: str) -> bytes:
    """The leaf bytes of one access record."""
    return canonicalize(
        {
            "v": LEAF_VERSION,
            "kind": ACCESS_KIND,
            "record": record,
            "recordedAt": to_rfc3339(recorded_at),
            "recordHash": record_hash,
        }
    )


def leaf_kind(data: bytes) -> str | None:
    """The kind a version 1 leaf names; None for anything else."""
    try:
        value = json.loads(data)
    except ValueError:
        return None
    if not isinstance(value, dict) or value.get("v") != LEAF_VERSION:
        return None
    kind = value.get("kind")
    return kind if isinstance(kind, str) else None


def read_access_leaf(data: bytes) -> AccessLeaf:
    """Decode leaf bytes; raises `InvalidDocument` for anything but a v1
    access-record leaf."""
    try:
        value = json.loads(data)
        if value.get("v") != LEAF_VERSION or value.get("kind") != ACCESS_KIND:
            raise InvalidDocument(
                f"leaf version {value.get('v')!r} of kind {value.get('kind')!r} is not"
                f" a version {LEAF_VERSION} access-record leaf"
            )
        return AccessLeaf(
            record=str(value["record"]),
            recorded_at=str(value["recordedAt"]),
            record_hash=str(value["recordHash"]),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise InvalidDocument(f"malformed log leaf: {exc}") from exc
