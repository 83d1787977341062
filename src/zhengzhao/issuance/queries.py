"""Reading licenses by identifier or by holder, with the caller's rights checked."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from zhengzhao.errors import NotFound
from zhengzhao.model.license import HolderKind, License
from zhengzhao.model.lifecycle import LicenseEvent
from zhengzhao.model.parties import Principal, Role
from zhengzhao.model.permissions import require_reader_of, require_role
from zhengzhao.node import Node
from zhengzhao.storage import licenses as license_store

__all__ = [
    "LicensePage",
    "LicenseView",
    "get_license",
    "holder_licenses",
    "license_events",
]

#: The most licenses one page of a listing returns.
MAX_PAGE = 200


@dataclass(frozen=True, kw_only=True)
class LicenseView:
    """A license version with its signed credential."""

    license: License
    document: dict[str, Any]
    #: The identifier of the version that replaced this one, if any.
    superseded_by: str | None


@dataclass(frozen=True, kw_only=True)
class LicensePage:
    items: list[LicenseView]
    #: Pass as ``after`` to get the next page; None on the last page.
    next_cursor: int | None


def _view(node: Node, stored: license_store.StoredLicense) -> LicenseView:
    text = node.vault.open_document(
        stored.document_cipher, license_identifier=stored.license.identifier
    )
    return LicenseView(
        license=stored.license,
        document=json.loads(text),
        superseded_by=stored.superseded_by,
    )


def _load(
    conn: Connection, principal: Principal, identifier: str
) -> license_store.StoredLicense:
    stored = license_store.license_by_identifier(conn, identifier)
    if stored is None:
        raise NotFound(f"no license {identifier}")
    require_reader_of(principal, stored.issuer_id)
    return stored


def get_license(
    conn: Connection, node: Node, *, principal: Principal, identifier: str
) -> LicenseView:
    """License ``identifier``; raises `NotFound` or `PermissionDenied`."""
    return _view(node, _load(conn, principal, identifier))


def license_events(
    conn: Connection, *, principal: Principal, identifier: str
) -> list[LicenseEvent]:
    """The signed events of license version ``identifier``, in order."""
    return license_store.events_of(conn, _load(conn, principal, identifier).row_id)


def holder_licenses(
    conn: Connection,
    node: Node,
    *,
    principal: Principal,
    holder_kind: HolderKind,
    holder_identifier: str,
    after: int = 0,
    limit: int = 50,
) -> LicensePage:
    """A holder's licenses visible to the caller: all for operators and auditors, the
    department's own for a department."""
    require_role(principal, Role.OPERATOR, Role.AUDITOR, Role.DEPARTMENT)
    issuer_id = None
    if principal.role is Role.DEPARTMENT:
        assert principal.department is not None
        issuer_id = principal.department.id
    limit = max(1, min(limit, MAX_PAGE))
    rows = license_store.licenses_of_holder(
        conn,
        node.vault.index(holder_kind, holder_identifier),
        issuer_id=issuer_id,
        after_row_id=after,
        limit=limit + 1,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return LicensePage(
        items=[_view(node, row) for row in rows],
        next_cursor=rows[-1].row_id if more else None,
    )
