"""Access records: every share, check, prefill and read of a holder's data, for the
holder.

`record_access` writes one record in the caller's transaction, beside the use it
records, and queues its transparency-log leaf in the same transaction
(`zhengzhao.translog.leaves.access_leaf`): a record cannot exist unlogged, nor a use
unrecorded. A refused share or check is recorded too
(`zhengzhao.sharing.refusals`), so that a holder sees who tried. Reads of whole
licenses by their issuer, operators and auditors are recorded as ``read``
(`zhengzhao.sharing.reads`).

A record is stored as columns (the holder by blind index, its identifier sealed to
the record) and read as its *record document*, version 1::

    {"type": "ZhengzhaoAccessRecord", "version": 1, "id": "ar_...",
     "action": "share" | "check" | "prefill" | "read", "occurredAt": "<RFC 3339>",
     "holder": {"kind": "person", "identifier": "<resident ID number>"},
     "party": {"creditCode": "...", "name": "..."} | null,
     "actor": "client:<id>" | "holder" | ...,
     "matter": "<matter code>" | null,
     "basis": "authorization" | "legal-basis" | "own-data" | "holder" | "issuer"
              | "supervision",
     "authorization": "au_..." | null, "reason": "..." | null,
     "outcome": "disclosed" | "checked" | "prefilled" | "<refusal code>",
     "details": {...what was read, or why it was refused...},
     "salt": "<16 random bytes, base64url>"}

The leaf commits to the SHA-256 of the document's JCS bytes. The holder receives the
whole document and can recompute that hash; anyone else sees only the leaf.

Prefill (``POST /v1/matters/{code}/prefill``) records with `AccessAction.PREFILL`:
call `record_access` in the transaction that reads the licenses.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection

from zhengzhao.errors import NotFound
from zhengzhao.model.classification import mask
from zhengzhao.model.license import HolderKind
from zhengzhao.model.parties import Department, Principal, Role, UsingParty
from zhengzhao.model.permissions import require_role
from zhengzhao.model.time import local_date, to_rfc3339
from zhengzhao.node import Node
from zhengzhao.seals.jcs import canonicalize
from zhengzhao.sharing.agents import acting_for
from zhengzhao.sharing.holders import HolderSession
from zhengzhao.sharing.identity import checked_identifier
from zhengzhao.storage import access as access_store
from zhengzhao.storage import log as log_store
from zhengzhao.storage.access import StoredAccessRecord
from zhengzhao.translog.leaves import access_leaf

__all__ = [
    "RECORD_TYPE",
    "AccessAction",
    "AccessBasis",
    "AccessEntry",
    "AccessPage",
    "AccessRecord",
    "audited_records",
    "holder_identifier_of",
    "holder_record",
    "holder_records",
    "record_access",
    "record_document",
    "record_hash",
]

logger = logging.getLogger(__name__)

RECORD_TYPE = "ZhengzhaoAccessRecord"
RECORD_VERSION = 1
#: Random bytes in each record, so that its hash in the public log cannot be
#: guessed from the few values a record holds.
SALT_BYTES = 16
#: The most records one page returns.
MAX_PAGE = 200


class AccessAction(StrEnum):
    SHARE = "share"
    CHECK = "check"
    PREFILL = "prefill"
    #: A whole license read through the API by its issuer or a supervisor.
    READ = "read"


class AccessBasis(StrEnum):
    """Why the use was allowed (or claimed to be)."""

    #: The holder's authorization.
    AUTHORIZATION = "authorization"
    #: The matter's legal basis, with a stated reason.
    LEGAL_BASIS = "legal-basis"
    #: A department reading licenses it issued, for its own matter.
    OWN_DATA = "own-data"
    #: The holder itself (a form filled in self-service).
    HOLDER = "holder"
    #: The department that issued the license, reading it.
    ISSUER = "issuer"
    #: An operator or auditor of the node, reading in its supervisory role.
    SUPERVISION = "supervision"


@dataclass(frozen=True, kw_only=True)
class AccessEntry:
    """One use of a holder's data, to record."""

    action: AccessAction
    holder_kind: HolderKind
    holder_identifier: str
    holder_index: str
    #: The using party, or the department reading its own licenses, that read;
    #: None for the holder's own use and for operators and auditors.
    party: UsingParty | Department | None
    #: Who acted: `client:<id>` of the party's client, `holder`, ...
    actor: str
    matter_code: str | None
    basis: AccessBasis
    authorization_ref: str | None = None
    reason: str | None = None
    #: `disclosed`, `checked`, `prefilled`, `read`, or the refusal's error code.
    outcome: str
    #: What was read (licenses and fields; claims and results), or why refused.
    details: Mapping[str, Any]
    #: The stored rows of the licenses read, for counting each issuer's use.
    license_ids: tuple[int, ...] = ()


@dataclass(frozen=True, kw_only=True)
class AccessRecord:
    """A stored record and its record document."""

    id: str
    row_id: int
    document: dict[str, Any]


@dataclass(frozen=True)
class AccessPage:
    items: list[AccessRecord]
    #: Pass as ``before`` for the next (older) page; None on the last page.
    next_cursor: int | None


def record_access(
    conn: Connection, node: Node, entry: AccessEntry, *, now: datetime
) -> AccessRecord:
    """Write ``entry`` and queue its log leaf, in the caller's transaction."""
    public_id = f"ar_{secrets.token_hex(10)}"
    columns: dict[str, Any] = {
        "public_id": public_id,
        "action": entry.action.value,
        "occurred_at": now,
        "holder_kind": entry.holder_kind.value,
        "holder_index": entry.holder_index,
        "holder_cipher": node.vault.seal_text(
            entry.holder_identifier, context=_context(public_id)
        ),
        "party_code": entry.party.credit_code if entry.party else None,
        "party_name": entry.party.name if entry.party else None,
        "actor": entry.actor,
        "matter_code": entry.matter_code,
        "basis": entry.basis.value,
        "authorization_ref": entry.authorization_ref,
        "reason": entry.reason,
        "outcome": entry.outcome,
        "details": dict(entry.details),
        "salt": os.urandom(SALT_BYTES),
    }
    stored = access_store.stored_access_record({"id": 0, **columns})
    document = record_document(stored, holder_identifier=entry.holder_identifier)
    leaf = access_leaf(
        record=public_id, recorded_at=now, record_hash=record_hash(document)
    )
    row_id = access_store.insert_access_record(
        conn, columns, leaf=leaf, license_ids=entry.license_ids
    )
    return AccessRecord(id=public_id, row_id=row_id, document=document)


def record_document(
    stored: StoredAccessRecord, *, holder_identifier: str
) -> dict[str, Any]:
    """The record document of ``stored`` (see the module docstring)."""
    party = None
    if stored.party_code is not None:
        party = {"creditCode": stored.party_code, "name": stored.party_name}
    return {
        "type": RECORD_TYPE,
        "version": RECORD_VERSION,
        "id": stored.public_id,
        "action": stored.action,
        "occurredAt": to_rfc3339(stored.occurred_at),
        "holder": {"kind": stored.holder_kind.value, "identifier": holder_identifier},
        "party": party,
        "actor": stored.actor,
        "matter": stored.matter_code,
        "basis": stored.basis,
        "authorization": stored.authorization_ref,
        "reason": stored.reason,
        "outcome": stored.outcome,
        "details": stored.details,
        "salt": base64.urlsafe_b64encode(stored.salt).decode().rstrip("="),
    }


def record_hash(document: Mapping[str, Any]) -> str:
    """SHA-256, hex, of a record document's JCS bytes: what its leaf commits to."""
    return hashlib.sha256(canonicalize(dict(document))).hexdigest()


def holder_identifier_of(node: Node, stored: StoredAccessRecord) -> str:
    """The holder's identifier, opened from the record's sealed copy."""
    return node.vault.open_text(
        stored.holder_cipher, context=_context(stored.public_id)
    )


def holder_records(
    conn: Connection,
    node: Node,
    *,
    session: HolderSession,
    on_behalf_of: str | None = None,
    before: int | None = None,
    limit: int = 50,
) -> AccessPage:
    """The access records of the logged-in holder, or of the holder who appointed
    the logged-in person under appointment ``on_behalf_of``, the newest first.
    Raises `AgentNotAppointed` unless that appointment holds."""
    acting = acting_for(conn, node, session=session, appointment_id=on_behalf_of)
    return _page(
        conn,
        node,
        holder_index=acting.holder_index,
        before=before,
        limit=limit,
        masked=False,
    )


def holder_record(
    conn: Connection,
    node: Node,
    *,
    session: HolderSession,
    record_id: str,
    on_behalf_of: str | None = None,
) -> tuple[AccessRecord, int | None]:
    """One of the holder's records (as `holder_records` names the holder) and its
    log index (None until integrated); raises `NotFound` for a record about anyone
    else, and `AgentNotAppointed`."""
    acting = acting_for(conn, node, session=session, appointment_id=on_behalf_of)
    stored = access_store.access_record_by_public_id(conn, record_id)
    if stored is None or stored.holder_index != acting.holder_index:
        raise NotFound(f"you have no access record {record_id}")
    record = AccessRecord(
        id=stored.public_id,
        row_id=stored.row_id,
        document=record_document(
            stored, holder_identifier=holder_identifier_of(node, stored)
        ),
    )
    return record, log_store.entry_of_access_record(conn, stored.row_id)


def audited_records(
    conn: Connection,
    node: Node,
    *,
    principal: Principal,
    holder: tuple[HolderKind, str] | None = None,
    party_code: str | None = None,
    before: int | None = None,
    limit: int = 50,
    now: datetime,
) -> AccessPage:
    """Every access record, for auditors, with holders' identifiers masked;
    optionally of one holder (kind and identifier) or one party."""
    require_role(principal, Role.AUDITOR)
    holder_index = None
    if holder is not None:
        kind, identifier = holder
        value = checked_identifier(kind, identifier, today=local_date(now))
        holder_index = node.vault.index(kind, value)
    return _page(
        conn,
        node,
        holder_index=holder_index,
        party_code=party_code,
        before=before,
        limit=limit,
        masked=True,
    )


def _page(
    conn: Connection,
    node: Node,
    *,
    holder_index: str | None,
    party_code: str | None = None,
    before: int | None,
    limit: int,
    masked: bool,
) -> AccessPage:
    limit = max(1, min(limit, MAX_PAGE))
    rows = access_store.list_access_records(
        conn,
        holder_index=holder_index,
        party_code=party_code,
        before_row_id=before,
        limit=limit + 1,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    items = []
    for stored in rows:
        identifier = holder_identifier_of(node, stored)
        items.append(
            AccessRecord(
                id=stored.public_id,
                row_id=stored.row_id,
                document=record_document(
                    stored, holder_identifier=mask(identifier) if masked else identifier
                ),
            )
        )
    return AccessPage(items, rows[-1].row_id if more else None)


def _context(public_id: str) -> str:
    return f"access:{public_id}"
