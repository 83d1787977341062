"""Whole licenses read through the API by their issuer or a supervisor, each read
recorded for the holder.

Outside sharing, two kinds of caller read licenses in full
(`zhengzhao.issuance.queries`): the department that issued them, and the node's
operators and auditors. The holder sees these reads too: `read_license` and
`search_licenses` write an access record in the transaction of the read, with
action ``read``, basis ``issuer`` for the department (which appears as the record's
party) and ``supervision`` for operators and auditors, outcome ``disclosed``, and
details naming the caller's role and client name and each license read with every
field shown. A department refused a license another department issued is recorded
too, as ``permission-denied``, in a transaction of its own
(`read_refusals_recorded`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from zhengzhao.errors import PermissionDenied
from zhengzhao.issuance.queries import (
    LicensePage,
    LicenseView,
    get_license,
    holder_licenses,
)
from zhengzhao.model.license import HolderKind
from zhengzhao.model.parties import Principal, Role
from zhengzhao.node import Node
from zhengzhao.sharing.access import (
    AccessAction,
    AccessBasis,
    AccessEntry,
    record_access,
)
from zhengzhao.sharing.disclosure import license_values
from zhengzhao.storage import licenses as license_store

__all__ = ["read_license", "read_refusals_recorded", "search_licenses"]

#: Outcome of a read: the whole license was shown.
READ_OUTCOME = "disclosed"


def read_license(
    conn: Connection,
    node: Node,
    *,
    principal: Principal,
    identifier: str,
    now: datetime,
) -> LicenseView:
    """License ``identifier`` for its issuer or a supervisor, the read recorded for
    its holder; raises `NotFound` or `PermissionDenied`."""
    view = get_license(conn, node, principal=principal, identifier=identifier)
    holder = view.document["credentialSubject"]["holder"]
    _record(
        conn,
        node,
        principal,
        holder_kind=view.license.holder_kind,
        holder_identifier=str(holder["identifier"]),
        views=[view],
        now=now,
    )
    return view


def search_licenses(
    conn: Connection,
    node: Node,
    *,
    principal: Principal,
    holder_kind: HolderKind,
    holder_identifier: str,
    after: int = 0,
    limit: int = 50,
    now: datetime,
) -> LicensePage:
    """One page of a holder's licenses visible to the caller (see
    `zhengzhao.issuance.queries.holder_licenses`), the read recorded for the holder
    named, even when the page is empty: the search was about the holder."""
    page = holder_licenses(
        conn,
        node,
        principal=principal,
        holder_kind=holder_kind,
        holder_identifier=holder_identifier,
        after=after,
        limit=limit,
    )
    _record(
        conn,
        node,
        principal,
        holder_kind=holder_kind,
        holder_identifier=holder_identifier,
        views=page.items,
        now=now,
    )
    return page


@contextmanager
def read_refusals_recorded(
    node: Node, *, principal: Principal, identifier: str, now: datetime
) -> Iterator[None]:
    """Record, for its holder, a department refused license ``identifier``, then let
    the `PermissionDenied` go on."""
    try:
        yield
    except PermissionDenied as refusal:
        if principal.role is Role.DEPARTMENT:
            with node.database.transaction() as conn:
                _record_refusal(conn, node, principal, identifier, refusal, now=now)
        raise


def _record(
    conn: Connection,
    node: Node,
    principal: Principal,
    *,
    holder_kind: HolderKind,
    holder_identifier: str,
    views: Sequence[LicenseView],
    now: datetime,
) -> None:
    licenses = [
        {
            "identifier": view.license.identifier,
            "typeCode": view.license.type_code,
            "disclosed": sorted(license_values(view.license, view.document)),
        }
        for view in views
    ]
    record_access(
        conn,
        node,
        _entry(
            principal,
            holder_kind=holder_kind,
            holder_identifier=holder_identifier,
            holder_index=node.vault.index(holder_kind, holder_identifier),
            outcome=READ_OUTCOME,
            details={"caller": _caller(principal), "licenses": licenses},
        ),
        now=now,
    )


def _record_refusal(
    conn: Connection,
    node: Node,
    principal: Principal,
    identifier: str,
    refusal: PermissionDenied,
    *,
    now: datetime,
) -> None:
    stored = license_store.license_by_identifier(conn, identifier)
    if stored is None:
        return
    text = node.vault.open_document(
        stored.document_cipher, license_identifier=stored.license.identifier
    )
    holder = json.loads(text)["credentialSubject"]["holder"]
    kind = stored.license.holder_kind
    record_access(
        conn,
        node,
        _entry(
            principal,
            holder_kind=kind,
            holder_identifier=str(holder["identifier"]),
            holder_index=node.vault.index(kind, str(holder["identifier"])),
            outcome=refusal.code,
            details={
                "caller": _caller(principal),
                "refusal": refusal.message,
                "licenses": [
                    {
                        "identifier": stored.license.identifier,
                        "typeCode": stored.license.type_code,
                    }
                ],
            },
        ),
        now=now,
    )


def _entry(
    principal: Principal,
    *,
    holder_kind: HolderKind,
    holder_identifier: str,
    holder_index: str,
    outcome: str,
    details: dict[str, Any],
) -> AccessEntry:
    department = principal.department if principal.role is Role.DEPARTMENT else None
    return AccessEntry(
        action=AccessAction.READ,
        holder_kind=holder_kind,
        holder_identifier=holder_identifier,
        holder_index=holder_index,
        party=department,
        actor=principal.actor,
        matter_code=None,
        basis=AccessBasis.ISSUER if department else AccessBasis.SUPERVISION,
        outcome=outcome,
        details=details,
    )


def _caller(principal: Principal) -> dict[str, str]:
    return {"role": principal.role.value, "client": principal.name}
