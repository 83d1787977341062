"""Holders' sessions: logging in through the identity provider, and what a holder sees.

A login answers with a short-lived bearer token ``zh_<session id>_<secret>``; the node
keeps the secret's SHA-256 only, and the holder's identifier and name sealed to the
session (`HolderVault.seal_text`). The API accepts the token for ``/v1/me/...``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection

from zhengzhao.errors import AuthenticationRequired, HolderLoginUnavailable
from zhengzhao.issuance.queries import MAX_PAGE, LicensePage, LicenseView
from zhengzhao.model.license import HolderKind
from zhengzhao.model.time import local_date, to_rfc3339
from zhengzhao.node import Node
from zhengzhao.sharing.identity import HolderIdentity, checked_identifier
from zhengzhao.storage import holders as holder_store
from zhengzhao.storage import licenses as license_store

__all__ = [
    "HolderSession",
    "IssuedSession",
    "log_in",
    "log_out",
    "open_identity",
    "own_licenses",
    "seal_identity",
    "session_of",
]

logger = logging.getLogger(__name__)

_PREFIX = "zh"


@dataclass(frozen=True, kw_only=True)
class HolderSession:
    """A logged-in holder: a person or an organisation."""

    session_id: str
    holder: HolderIdentity
    #: The holder's blind index, by which its licenses and records are found.
    holder_index: str
    #: The identity provider that vouched for the holder.
    provider: str
    expires_at: datetime

    @property
    def client_id(self) -> str:
        """Who owns the holder's idempotency keys: the holder, across sessions."""
        return f"holder:{self.holder_index[:57]}"


@dataclass(frozen=True, kw_only=True)
class IssuedSession:
    """What a login answers once: the token cannot be shown again."""

    token: str
    session: HolderSession


def seal_identity(node: Node, identity: HolderIdentity, *, context: str) -> bytes:
    """A holder's identifier and name, encrypted and bound to ``context``."""
    text = json.dumps(
        {"identifier": identity.identifier, "name": identity.name},
        ensure_ascii=False,
    )
    return node.vault.seal_text(text, context=context)


def open_identity(
    node: Node, kind: HolderKind, blob: bytes, *, context: str
) -> HolderIdentity:
    value = json.loads(node.vault.open_text(blob, context=context))
    return HolderIdentity(
        kind=kind, identifier=str(value["identifier"]), name=str(value["name"])
    )


def log_in(
    conn: Connection, node: Node, *, credentials: Mapping[str, str], now: datetime
) -> IssuedSession:
    """Check ``credentials`` with the node's identity provider and open a session.

    Raises `HolderLoginUnavailable` when the node has no provider, and
    `AuthenticationRequired` or `InvalidIdentifier` when the login fails.
    """
    provider = node.identity_provider
    if provider is None:
        raise HolderLoginUnavailable(
            "holders cannot log in to this node: it has no identity provider"
            " configured (setting identity_provider)"
        )
    claimed = provider.authenticate(credentials)
    identity = HolderIdentity(
        kind=claimed.kind,
        identifier=checked_identifier(
            claimed.kind, claimed.identifier, today=local_date(now)
        ),
        name=claimed.name.strip(),
    )
    session_id = secrets.token_hex(12)
    secret = secrets.token_urlsafe(32)
    expires_at = now + timedelta(minutes=node.settings.holder_session_minutes)
    holder_index = node.vault.index(identity.kind, identity.identifier)
    holder_store.insert_session(
        conn,
        holder_store.StoredSession(
            session_id=session_id,
            secret_hash=_hash(secret),
            holder_kind=identity.kind,
            holder_index=holder_index,
            holder_cipher=seal_identity(node, identity, context=_context(session_id)),
            provider=provider.name,
            created_at=now,
            expires_at=expires_at,
            ended_at=None,
        ),
    )
    logger.info("holder session %s opened through %s", session_id, provider.name)
    session = HolderSession(
        session_id=session_id,
        holder=identity,
        holder_index=holder_index,
        provider=provider.name,
        expires_at=expires_at,
    )
    return IssuedSession(token=f"{_PREFIX}_{session_id}_{secret}", session=session)


def session_of(
    conn: Connection, node: Node, *, token: str, now: datetime
) -> HolderSession:
    """The open session behind ``token``; raises `AuthenticationRequired`."""
    prefix, _, rest = token.partition("_")
    session_id, _, secret = rest.partition("_")
    if prefix != _PREFIX or not session_id or not secret:
        raise AuthenticationRequired(
            "this endpoint needs a holder's session token (zh_<session>_<secret>);"
            " log in with POST /v1/holder-sessions"
        )
    stored = holder_store.session_by_id(conn, session_id)
    if stored is None or not hmac.compare_digest(stored.secret_hash, _hash(secret)):
        raise AuthenticationRequired("unknown holder session or wrong secret")
    if stored.ended_at is not None:
        raise AuthenticationRequired("this holder session was closed; log in again")
    if now >= stored.expires_at:
        raise AuthenticationRequired(
            f"this holder session expired at {to_rfc3339(stored.expires_at)}; log in"
            " again"
        )
    return HolderSession(
        session_id=session_id,
        holder=open_identity(
            node,
            stored.holder_kind,
            stored.holder_cipher,
            context=_context(session_id),
        ),
        holder_index=stored.holder_index,
        provider=stored.provider,
        expires_at=stored.expires_at,
    )


def log_out(conn: Connection, *, session: HolderSession, now: datetime) -> None:
    """Close the session: its token is refused from now on."""
    holder_store.end_session(conn, session.session_id, now=now)


def own_licenses(
    conn: Connection,
    node: Node,
    *,
    session: HolderSession,
    after: int = 0,
    limit: int = 50,
) -> LicensePage:
    """The logged-in holder's own licenses, every version, with their credentials."""
    limit = max(1, min(limit, MAX_PAGE))
    rows = license_store.licenses_of_holder(
        conn, session.holder_index, after_row_id=after, limit=limit + 1
    )
    more = len(rows) > limit
    rows = rows[:limit]
    items = [
        LicenseView(
            license=row.license,
            document=json.loads(
                node.vault.open_document(
                    row.document_cipher, license_identifier=row.license.identifier
                )
            ),
            superseded_by=row.superseded_by,
        )
        for row in rows
    ]
    return LicensePage(items=items, next_cursor=rows[-1].row_id if more else None)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _context(session_id: str) -> str:
    return f"session:{session_id}"
