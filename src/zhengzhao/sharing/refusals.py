"""Refused shares and checks, recorded for the holder they were about.

A refused use rolls its transaction back, access record and all; `refusals_recorded`
then writes a record of the refusal in a transaction of its own, so that the holder
sees who tried, for what, and why it was refused (the outcome is the error's code).
The refusals of `SharingRefused` are recorded, and checks refused by their limits
(`RateLimited`), only when the caller is a using party, and only when the holder can
be told.

Whose record it is: the holder of the authorization the request named, when that
authorization was granted to the calling party, whatever holder the request named
(a holder-mismatch is recorded for the holder whose authorization was misused, not
for the stranger named); else the holder the request named by a valid identifier.
A record names the authorization, and its message keeps the authorization's id,
only when the authorization is that holder's own: no holder sees another's. What a
record keeps of the request is bounded (`MAX_REFUSAL`), whatever the request held.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from zhengzhao.errors import InvalidIdentifier, RateLimited, SharingRefused
from zhengzhao.model.license import HolderKind
from zhengzhao.model.parties import Principal, Role, UsingParty
from zhengzhao.model.time import local_date
from zhengzhao.node import Node
from zhengzhao.sharing.access import (
    AccessAction,
    AccessBasis,
    AccessEntry,
    record_access,
)
from zhengzhao.sharing.holders import open_identity
from zhengzhao.sharing.identity import checked_identifier
from zhengzhao.storage import authorizations as authorization_store
from zhengzhao.storage import matters as matter_store
from zhengzhao.storage import parties as party_store

__all__ = ["MAX_REFUSAL", "AccessAttempt", "refusals_recorded"]

#: The most characters of a refusal's message a record keeps: messages quote what
#: the request named, and a record lives for ever in the holder's log.
MAX_REFUSAL = 500
#: What stands in a record for an authorization id that is not the holder's own.
_OTHER_AUTHORIZATION = "(an authorization of another holder)"


@dataclass(frozen=True, kw_only=True)
class AccessAttempt:
    """A share or check as asked for, before anything was checked: enough to record
    its refusal against the holder it named."""

    action: AccessAction
    principal: Principal
    matter_code: str
    #: The holder as named by the request, if it named one.
    holder_identifier: str | None
    authorization_ref: str | None
    basis: AccessBasis
    reason: str | None = None


@contextmanager
def refusals_recorded(
    node: Node, attempt: AccessAttempt, *, now: datetime
) -> Iterator[None]:
    """Record a `SharingRefused` or `RateLimited` raised inside, then let it go on.

    The refused use's transaction rolled back; the record is written in a new one,
    for the holder the module docstring names, and only when the caller is a using
    party: nobody else can be refused a share.
    """
    try:
        yield
    except (SharingRefused, RateLimited) as refusal:
        with node.database.transaction() as conn:
            entry = _refused_entry(conn, node, attempt, refusal, now=now)
            if entry is not None:
                record_access(conn, node, entry, now=now)
        raise


def _refused_entry(
    conn: Connection,
    node: Node,
    attempt: AccessAttempt,
    refusal: SharingRefused | RateLimited,
    *,
    now: datetime,
) -> AccessEntry | None:
    party = _party_of(conn, attempt.principal)
    if party is None:
        return None
    holder = _holder_of(conn, node, attempt, party, now=now)
    if holder is None:
        return None
    message = refusal.message
    reference = attempt.authorization_ref
    if reference is not None and not holder.owns_authorization:
        message = message.replace(reference, _OTHER_AUTHORIZATION)
        reference = None
    return AccessEntry(
        action=attempt.action,
        holder_kind=holder.kind,
        holder_identifier=holder.identifier,
        holder_index=node.vault.index(holder.kind, holder.identifier),
        party=party,
        actor=attempt.principal.actor,
        matter_code=attempt.matter_code,
        basis=attempt.basis,
        authorization_ref=reference,
        reason=_bounded(attempt.reason),
        outcome=refusal.code,
        details={"refusal": _bounded(message)},
    )


def _party_of(conn: Connection, principal: Principal) -> UsingParty | None:
    if principal.role is Role.USING_PARTY:
        return principal.party
    if principal.role is Role.DEPARTMENT and principal.department is not None:
        return party_store.party_of_department(conn, principal.department.id)
    return None


@dataclass(frozen=True, kw_only=True)
class _Holder:
    """Whom a refusal is recorded for."""

    kind: HolderKind
    identifier: str
    #: Whether the authorization the request named is this holder's.
    owns_authorization: bool


def _holder_of(
    conn: Connection,
    node: Node,
    attempt: AccessAttempt,
    party: UsingParty,
    *,
    now: datetime,
) -> _Holder | None:
    stored = None
    if attempt.authorization_ref is not None:
        stored = authorization_store.authorization_by_public_id(
            conn, attempt.authorization_ref
        )
    if stored is not None and stored.party_id == party.id:
        identity = open_identity(
            node,
            stored.holder_kind,
            stored.holder_cipher,
            context=f"authorization:{stored.public_id}",
        )
        return _Holder(
            kind=identity.kind, identifier=identity.identifier, owns_authorization=True
        )
    record = matter_store.matter_by_code(conn, attempt.matter_code)
    if attempt.holder_identifier is None or record is None:
        return None
    kind = record.matter.holder_kind
    try:
        identifier = checked_identifier(
            kind, attempt.holder_identifier, today=local_date(now)
        )
    except InvalidIdentifier:
        return None
    owns = stored is not None and stored.holder_index == node.vault.index(
        kind, identifier
    )
    return _Holder(kind=kind, identifier=identifier, owns_authorization=owns)


def _bounded(text: str | None) -> str | None:
    if text is None or len(text) <= MAX_REFUSAL:
        return text
    return text[: MAX_REFUSAL - 1] + "…"
