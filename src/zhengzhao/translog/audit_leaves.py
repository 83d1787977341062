"""The audit's view of one log entry: the leaf its event or record makes today.

Each logged leaf is rebuilt from the row it commits to, as stored now: for an event,
its license, issuer, kind, sequence, times and the hash of its signed document (for
an issuance, the hash of the license credential too), and each event row must agree
with its own signed document; for an access record, the hash of its record
document, and its holder index must be the blind index of the holder it names.

A license credential that no longer opens (its ciphertext changed, or swapped with
another license's) is a problem of the issuance it belongs to, never an error: the
hash logged for it stands in, so that the audit names that one license.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from zhengzhao.errors import CryptoError, InvalidDocument
from zhengzhao.issuance.credential import document_hash
from zhengzhao.model.time import to_rfc3339
from zhengzhao.node import Node
from zhengzhao.sharing.access import holder_identifier_of, record_document, record_hash
from zhengzhao.storage import log as log_store
from zhengzhao.storage.access import stored_access_record
from zhengzhao.translog.leaves import (
    ACCESS_KIND,
    access_leaf,
    event_leaf,
    leaf_kind,
    read_access_leaf,
    read_leaf,
)

__all__ = [
    "UNOPENED_CREDENTIAL",
    "Named",
    "Rebuilt",
    "changed_fields",
    "name_of",
    "rebuild",
    "rebuild_row",
]

#: The problem of an issuance whose license credential no longer opens.
UNOPENED_CREDENTIAL = (
    "the license's stored credential no longer opens with the node's key: its"
    " ciphertext was changed, or moved from another license's row"
)


@dataclass(frozen=True)
class Named:
    """What a leaf is about: a license event, an access record, or nothing known."""

    license: str | None = None
    sequence: int | None = None
    record: str | None = None
    #: The event's kind (`issued`, `released` ...), for an event leaf.
    event: str | None = None


@dataclass(frozen=True)
class Rebuilt:
    """The leaf a row makes today, and where the row contradicts itself."""

    #: None when the row is gone.
    leaf: bytes | None
    #: Each a sentence fragment: "the event row contradicts its signed document in
    #: reason", say.
    problems: tuple[str, ...] = ()
    #: Whether the license credential of an issuance no longer opens.
    unopened: bool = False


def name_of(leaf: bytes) -> Named:
    """The event or record a logged leaf names, as far as it can be read."""
    if leaf_kind(leaf) == ACCESS_KIND:
        try:
            return Named(record=read_access_leaf(leaf).record)
        except InvalidDocument:
            return Named()
    try:
        decoded = read_leaf(leaf)
    except InvalidDocument:
        return Named()
    return Named(
        license=decoded.license, sequence=decoded.sequence, event=decoded.event
    )


def rebuild_row(node: Node, row: log_store.AuditRow) -> Rebuilt:
    """The leaf the event or access record behind a log entry makes today."""
    if row.access_record_id is not None or leaf_kind(row.leaf) == ACCESS_KIND:
        if row.access is None:
            return Rebuilt(None)
        return rebuild_access(node, row.access, logged=row.leaf)
    if row.event is None:
        return Rebuilt(None)
    return rebuild(node, row.event, logged=row.leaf)


def rebuild(
    node: Node, event: log_store.LoggedEvent, *, logged: bytes | None = None
) -> Rebuilt:
    """The leaf an event row makes today, and where it contradicts its document.

    For an issuance whose credential no longer opens, the credential hash of the
    ``logged`` leaf stands in (none without one), and `UNOPENED_CREDENTIAL` is its
    problem."""
    credential_hash = None
    unopened = False
    if event.kind == "issued":
        try:
            text = node.vault.open_document(
                event.license_document_cipher,
                license_identifier=event.license_identifier,
            )
            credential_hash = document_hash(text)
        except CryptoError:
            unopened = True
            credential_hash = _logged_credential_hash(logged)
    leaf = event_leaf(
        license_identifier=event.license_identifier,
        sequence=event.sequence,
        event=event.kind,
        issuer_code=event.issuer_code,
        occurred_at=event.occurred_at,
        recorded_at=event.recorded_at,
        event_hash=document_hash(event.document),
        credential_hash=credential_hash,
    )
    disagreements = _against_document(event)
    problems = []
    if disagreements:
        problems.append(
            "the event row contradicts its signed document in "
            + ", ".join(disagreements)
        )
    if unopened:
        problems.append(UNOPENED_CREDENTIAL)
    return Rebuilt(leaf, tuple(problems), unopened=unopened)


def _logged_credential_hash(logged: bytes | None) -> str | None:
    if logged is None:
        return None
    try:
        return read_leaf(logged).credential_hash
    except InvalidDocument:
        return None


def rebuild_access(
    node: Node, access: log_store.LoggedAccess, *, logged: bytes | None = None
) -> Rebuilt:
    """The leaf an access record's row makes today, and what in the row
    contradicts itself. ``logged`` stands in for the leaf when the record's sealed
    holder no longer opens (its other problem is then reported instead)."""
    stored = stored_access_record(access.columns)
    try:
        identifier = holder_identifier_of(node, stored)
    except CryptoError:
        return Rebuilt(
            logged,
            (
                "the access record contradicts itself: its sealed holder identifier no"
                " longer opens",
            ),
        )
    document = record_document(stored, holder_identifier=identifier)
    leaf = access_leaf(
        record=stored.public_id,
        recorded_at=stored.occurred_at,
        record_hash=record_hash(document),
    )
    problems: tuple[str, ...] = ()
    if node.vault.index(stored.holder_kind, identifier) != stored.holder_index:
        problems = (
            "the access record contradicts itself: its holder index is not the index"
            " of the holder it names",
        )
    return Rebuilt(leaf, problems)


def changed_fields(before: bytes, after: bytes) -> list[str]:
    """The leaf fields whose values differ; ["its bytes"] when none can be named."""
    try:
        old, new = json.loads(before), json.loads(after)
    except ValueError:
        return ["its bytes"]
    if not isinstance(old, dict) or not isinstance(new, dict):
        return ["its bytes"]
    names = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
    return names or ["its bytes"]


def _against_document(event: log_store.LoggedEvent) -> list[str]:
    try:
        document = json.loads(event.document)
    except ValueError:
        return ["the signed event document is not JSON"]
    claims = {
        "license": event.license_identifier,
        "sequence": event.sequence,
        "kind": event.kind,
        "occurredAt": to_rfc3339(event.occurred_at),
    }
    found = [name for name, value in claims.items() if document.get(name) != value]
    if document.get("reason") != event.reason:
        found.append("reason")
    return found
