"""Refused shares and checks, recorded for the holder they were about.

A refused use rolls its transaction back, access record and all; `refusals_recorded`
then writes a record of the refusal in a transaction of its own, so that the holder
sees who tried, for what, and why it was refused (the outcome is the error's code).
Only the refusals of `SharingRefused` are recorded, only when the caller is a using
party, and only when the holder can be told: named by a valid identifier, or by an
authorization granted to that party.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from zhengzhao.errors import InvalidIdentifier, SharingRefused
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

__all__ = ["AccessAttempt", "refusals_recorded"]


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
    """Record a `SharingRefused` raised inside, then let it go on.

    The refused use's transaction rolled back; the record is written in a new one,
    for the holder the request named (or whose authorization it named), and only
    when the caller is a using party: nobody else can be refused a share.
    """
    try:
        yield
    except SharingRefused as refusal:
        with node.database.transaction() as conn:
            entry = _refused_entry(conn, node, attempt, refusal, now=now)
            if entry is not None:
                record_access(conn, node, entry, now=now)
        raise


def _refused_entry(
    conn: Connection,
    node: Node,
    attempt: AccessAttempt,
    refusal: SharingRefused,
    *,
    now: datetime,
) -> AccessEntry | None:
    party = _party_of(conn, attempt.principal)
    if party is None:
        return None
    holder = _named_holder(conn, node, attempt, party, now=now)
    if holder is None:
        return None
    kind, identifier = holder
    return AccessEntry(
        action=attempt.action,
        holder_kind=kind,
        holder_identifier=identifier,
        holder_index=node.vault.index(kind, identifier),
        party=party,
        actor=attempt.principal.actor,
        matter_code=attempt.matter_code,
        basis=attempt.basis,
        authorization_ref=attempt.authorization_ref,
        reason=attempt.reason,
        outcome=refusal.code,
        details={"refusal": refusal.message},
    )


def _party_of(conn: Connection, principal: Principal) -> UsingParty | None:
    if principal.role is Role.USING_PARTY:
        return principal.party
    if principal.role is Role.DEPARTMENT and principal.department is not None:
        return party_store.party_of_department(conn, principal.department.id)
    return None


def _named_holder(
    conn: Connection,
    node: Node,
    attempt: AccessAttempt,
    party: UsingParty,
    *,
    now: datetime,
) -> tuple[HolderKind, str] | None:
    record = matter_store.matter_by_code(conn, attempt.matter_code)
    if attempt.holder_identifier is not None and record is not None:
        kind = record.matter.holder_kind
        try:
            identifier = checked_identifier(
                kind, attempt.holder_identifier, today=local_date(now)
            )
        except InvalidIdentifier:
            return None
        return kind, identifier
    if attempt.authorization_ref is None:
        return None
    stored = authorization_store.authorization_by_public_id(
        conn, attempt.authorization_ref
    )
    if stored is None or stored.party_id != party.id:
        return None
    identity = open_identity(
        node,
        stored.holder_kind,
        stored.holder_cipher,
        context=f"authorization:{stored.public_id}",
    )
    return identity.kind, identity.identifier
