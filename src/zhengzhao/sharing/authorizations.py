"""Authorizations: a holder's consent that one using party read some of its licenses.

An authorization is granted for one service matter to one party: which license types
and which of their fields, for what purpose, until when, and how many uses. The
holder, or an agent in the holder's name, grants, lists and withdraws it. Each share
or check under it uses it once; `take_use` refuses, each time with its own error,
an authorization that is someone else's, for another holder or matter, withdrawn,
expired or used up.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import Connection

from zhengzhao.errors import (
    AuthorizationExpired,
    AuthorizationMissing,
    AuthorizationUsedUp,
    AuthorizationWithdrawn,
    HolderMismatch,
    InvalidRequest,
    MatterMismatch,
    NotFound,
)
from zhengzhao.model.parties import UsingParty
from zhengzhao.model.time import to_rfc3339
from zhengzhao.node import Node
from zhengzhao.sharing.agents import Acting, acting_for
from zhengzhao.sharing.disclosure import field_classes
from zhengzhao.sharing.holders import HolderSession, open_identity, seal_identity
from zhengzhao.sharing.identity import HolderIdentity
from zhengzhao.sharing.parties import require_serves
from zhengzhao.storage import authorizations as authorization_store
from zhengzhao.storage import catalog as catalog_store
from zhengzhao.storage import matters as matter_store
from zhengzhao.storage import parties as party_store
from zhengzhao.storage.authorizations import StoredAuthorization
from zhengzhao.storage.matters import MatterRecord

__all__ = [
    "MAX_DAYS",
    "MAX_USES",
    "Authorization",
    "AuthorizationPage",
    "AuthorizationState",
    "Grant",
    "GrantRequest",
    "authorizations_for_party",
    "grant_authorization",
    "holder_authorizations",
    "take_use",
    "withdraw_authorization",
]

#: The longest an authorization may last: a year, and a day for a leap year.
MAX_DAYS = 366
#: The most uses one authorization may allow.
MAX_USES = 1000
#: Longest purpose a holder may state.
MAX_PURPOSE = 500
#: The most authorizations one page of a listing returns.
MAX_PAGE = 200


class AuthorizationState(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    USED_UP = "used-up"


@dataclass(frozen=True, kw_only=True)
class Grant:
    """One license type of an authorization, and the fields of it granted."""

    type_code: str
    #: Top-level field names (see `zhengzhao.sharing.disclosure`); may be empty,
    #: which lets the party check that a valid license of the type is held.
    fields: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class GrantRequest:
    """What a holder grants."""

    party_code: str
    matter_code: str
    grants: tuple[Grant, ...]
    purpose: str
    expires_at: datetime
    uses: int


@dataclass(frozen=True, kw_only=True)
class Authorization:
    """An authorization as its holder (or the holder's agent) sees it."""

    id: str
    holder: HolderIdentity
    party_code: str
    party_name: str
    matter_code: str
    grants: tuple[Grant, ...]
    purpose: str
    expires_at: datetime
    uses_allowed: int
    uses_left: int
    state: AuthorizationState
    granted_at: datetime
    #: `holder`, or `agent:<appointment id>` when an agent granted it.
    granted_by: str
    withdrawn_at: datetime | None
    withdrawn_by: str | None


@dataclass(frozen=True)
class AuthorizationPage:
    """One page of a listing, the newest first."""

    items: list[Authorization]
    #: Pass as ``before`` for the next (older) page; None on the last page.
    next_cursor: int | None


def grant_authorization(
    conn: Connection,
    node: Node,
    *,
    session: HolderSession,
    on_behalf_of: str | None,
    request: GrantRequest,
    now: datetime,
) -> Authorization:
    """Grant ``request`` in the name of the logged-in holder, or of the holder whose
    agent the logged-in person is under appointment ``on_behalf_of``.

    A field above the party's clearance may be granted: the party can check a
    claimed value of it (`zhengzhao.sharing.checks`), but shares show it masked.
    Raises `InvalidRequest` for a party, matter, type or field that is unknown or
    does not fit, `MatterNotAllowed` when the party may not serve the matter, and
    `AgentNotAppointed`.
    """
    acting = acting_for(conn, node, session=session, appointment_id=on_behalf_of)
    party = _party(conn, request.party_code)
    record = _matter(conn, request.matter_code)
    require_serves(conn, party, record)
    if record.matter.holder_kind is not acting.holder.kind:
        raise InvalidRequest(
            f"matter {record.matter.code} serves {record.matter.holder_kind.value}s"
            f" only; {acting.holder.kind.value}s cannot grant authorizations for it"
        )
    grants = _checked_grants(conn, request.grants, record, party)
    _check_terms(request, now=now)
    public_id = f"au_{secrets.token_hex(8)}"
    stored = authorization_store.insert_authorization(
        conn,
        public_id=public_id,
        holder_kind=acting.holder.kind,
        holder_index=acting.holder_index,
        holder_cipher=seal_identity(node, acting.holder, context=_context(public_id)),
        party_id=party.id,
        matter_id=record.row_id,
        grants=[{"type_code": g.type_code, "fields": list(g.fields)} for g in grants],
        purpose=request.purpose.strip(),
        expires_at=request.expires_at,
        uses=request.uses,
        agent_id=acting.appointment_row_id,
        now=now,
    )
    return _view(node, stored, now=now)


def holder_authorizations(
    conn: Connection,
    node: Node,
    *,
    session: HolderSession,
    on_behalf_of: str | None,
    before: int | None = None,
    limit: int = 50,
    now: datetime,
) -> AuthorizationPage:
    """The holder's authorizations, the newest first, a page at a time from
    before row ``before``."""
    acting = acting_for(conn, node, session=session, appointment_id=on_behalf_of)
    limit = max(1, min(limit, MAX_PAGE))
    rows = authorization_store.authorizations_of_holder(
        conn, acting.holder_index, before_row_id=before, limit=limit + 1
    )
    return _page(node, rows, limit, now=now)


def withdraw_authorization(
    conn: Connection,
    node: Node,
    *,
    session: HolderSession,
    on_behalf_of: str | None,
    authorization_id: str,
    now: datetime,
) -> Authorization:
    """Withdraw one of the holder's authorizations; withdrawing twice changes
    nothing. Raises `NotFound` for an authorization of another holder."""
    acting = acting_for(conn, node, session=session, appointment_id=on_behalf_of)
    stored = _own(conn, acting, authorization_id)
    authorization_store.withdraw(
        conn, stored.row_id, agent_id=acting.appointment_row_id, now=now
    )
    return _view(node, _own(conn, acting, authorization_id), now=now)


def authorizations_for_party(
    conn: Connection,
    node: Node,
    *,
    party: UsingParty,
    holder_index: str,
    before: int | None = None,
    limit: int = 50,
    now: datetime,
) -> AuthorizationPage:
    """What one holder granted ``party``, the newest first, a page at a time: for a
    service counter to find the id."""
    limit = max(1, min(limit, MAX_PAGE))
    rows = authorization_store.authorizations_of_party(
        conn, party.id, holder_index, before_row_id=before, limit=limit + 1
    )
    return _page(node, rows, limit, now=now)


def _page(
    node: Node, rows: Sequence[StoredAuthorization], limit: int, *, now: datetime
) -> AuthorizationPage:
    shown = rows[:limit]
    more = len(rows) > limit
    return AuthorizationPage(
        items=[_view(node, row, now=now) for row in shown],
        next_cursor=shown[-1].row_id if more else None,
    )


def take_use(
    conn: Connection,
    *,
    authorization_id: str,
    party: UsingParty,
    holder_index: str | None,
    record: MatterRecord,
    now: datetime,
) -> StoredAuthorization:
    """Use authorization ``authorization_id`` once for a share or check by ``party``
    of the holder with ``holder_index`` for matter ``record``; a check that names no
    holder passes None, and the authorization says whose it is.

    Raises, in this order of checks, `AuthorizationMissing`, `HolderMismatch`,
    `MatterMismatch`, `AuthorizationWithdrawn`, `AuthorizationExpired` and
    `AuthorizationUsedUp`.
    """
    stored = authorization_store.authorization_by_public_id(conn, authorization_id)
    if stored is None or stored.party_id != party.id:
        raise AuthorizationMissing(
            f"using party {party.credit_code} holds no authorization"
            f" {authorization_id}; ask the holder to grant one for matter"
            f" {record.matter.code}"
        )
    if holder_index is not None and stored.holder_index != holder_index:
        raise HolderMismatch(
            f"authorization {authorization_id} was granted by another holder than the"
            " one named; check whose licenses you ask for"
        )
    if stored.matter_id != record.row_id:
        raise MatterMismatch(
            f"authorization {authorization_id} is for matter {stored.matter_code}, not"
            f" {record.matter.code}; ask the holder to grant one for this matter"
        )
    _refuse_unusable(stored, now=now)
    if authorization_store.take_use(conn, stored.row_id, now=now) is None:
        # Another transaction used, withdrew or outlived it meanwhile.
        latest = authorization_store.authorization_by_public_id(conn, authorization_id)
        assert latest is not None
        _refuse_unusable(latest, now=now)
        raise AuthorizationUsedUp(_used_up(latest))
    return stored


def _refuse_unusable(stored: StoredAuthorization, *, now: datetime) -> None:
    if stored.withdrawn_at is not None:
        raise AuthorizationWithdrawn(
            f"authorization {stored.public_id} was withdrawn at"
            f" {to_rfc3339(stored.withdrawn_at)}; ask the holder for a new one"
        )
    if now >= stored.expires_at:
        raise AuthorizationExpired(
            f"authorization {stored.public_id} for matter {stored.matter_code} expired"
            f" at {to_rfc3339(stored.expires_at)}; ask the holder for a new one"
        )
    if stored.uses_left <= 0:
        raise AuthorizationUsedUp(_used_up(stored))


def _used_up(stored: StoredAuthorization) -> str:
    return (
        f"authorization {stored.public_id} allowed {stored.uses_allowed} uses and all"
        " have been made; ask the holder for a new one"
    )


def _state(stored: StoredAuthorization, *, now: datetime) -> AuthorizationState:
    if stored.withdrawn_at is not None:
        return AuthorizationState.WITHDRAWN
    if now >= stored.expires_at:
        return AuthorizationState.EXPIRED
    if stored.uses_left <= 0:
        return AuthorizationState.USED_UP
    return AuthorizationState.ACTIVE


def _party(conn: Connection, credit_code: str) -> UsingParty:
    party = party_store.party_by_code(conn, credit_code)
    if party is None:
        raise InvalidRequest(f"no using party {credit_code} is registered")
    if party.disabled_at is not None:
        raise InvalidRequest(f"using party {credit_code} is disabled")
    return party


def _matter(conn: Connection, code: str) -> MatterRecord:
    record = matter_store.matter_by_code(conn, code)
    if record is None:
        raise InvalidRequest(f"no service matter {code}")
    return record


def _checked_grants(
    conn: Connection,
    grants: Sequence[Grant],
    record: MatterRecord,
    party: UsingParty,
) -> list[Grant]:
    if not grants:
        raise InvalidRequest("an authorization grants at least one license type")
    seen: set[str] = set()
    for grant in grants:
        if grant.type_code in seen:
            raise InvalidRequest(f"license type {grant.type_code} is granted twice")
        seen.add(grant.type_code)
        if grant.type_code not in record.matter.type_codes:
            raise InvalidRequest(
                f"matter {record.matter.code} does not read license type"
                f" {grant.type_code}; it reads " + ", ".join(record.matter.type_codes)
            )
        _check_fields(conn, grant, record)
    return [
        Grant(type_code=g.type_code, fields=tuple(sorted(set(g.fields))))
        for g in grants
    ]


def _check_fields(conn: Connection, grant: Grant, record: MatterRecord) -> None:
    version = catalog_store.published_version(conn, grant.type_code)
    if version is None:
        raise InvalidRequest(f"license type {grant.type_code} is not published")
    classes = field_classes(version.schema, record.matter.holder_kind)
    for name in grant.fields:
        if name not in classes:
            raise InvalidRequest(
                f"license type {grant.type_code} has no field {name!r}; its fields"
                " are " + ", ".join(sorted(classes))
            )


def _check_terms(request: GrantRequest, *, now: datetime) -> None:
    purpose = request.purpose.strip()
    if not purpose or len(purpose) > MAX_PURPOSE:
        raise InvalidRequest(
            f"an authorization states its purpose, in at most {MAX_PURPOSE} characters"
        )
    if request.expires_at.tzinfo is None:
        raise InvalidRequest("expiresAt needs a time zone offset")
    if request.expires_at <= now:
        raise InvalidRequest("the authorization's expiry must lie in the future")
    if request.expires_at > now + timedelta(days=MAX_DAYS):
        raise InvalidRequest(
            f"an authorization lasts at most {MAX_DAYS} days; choose an earlier expiry"
        )
    if not 1 <= request.uses <= MAX_USES:
        raise InvalidRequest(f"an authorization allows 1 to {MAX_USES} uses")


def _own(conn: Connection, acting: Acting, public_id: str) -> StoredAuthorization:
    stored = authorization_store.authorization_by_public_id(conn, public_id)
    if stored is None or stored.holder_index != acting.holder_index:
        raise NotFound(f"no authorization {public_id} of this holder")
    return stored


def _view(node: Node, stored: StoredAuthorization, *, now: datetime) -> Authorization:
    return Authorization(
        id=stored.public_id,
        holder=open_identity(
            node,
            stored.holder_kind,
            stored.holder_cipher,
            context=_context(stored.public_id),
        ),
        party_code=stored.party_code,
        party_name=stored.party_name,
        matter_code=stored.matter_code,
        grants=tuple(
            Grant(type_code=g["type_code"], fields=tuple(g["fields"]))
            for g in stored.grants
        ),
        purpose=stored.purpose,
        expires_at=stored.expires_at,
        uses_allowed=stored.uses_allowed,
        uses_left=stored.uses_left,
        state=_state(stored, now=now),
        granted_at=stored.granted_at,
        granted_by=_actor(stored.granted_by_agent),
        withdrawn_at=stored.withdrawn_at,
        withdrawn_by=(
            _actor(stored.withdrawn_by_agent) if stored.withdrawn_at else None
        ),
    )


def _actor(agent_public_id: str | None) -> str:
    return "holder" if agent_public_id is None else f"agent:{agent_public_id}"


def _context(public_id: str) -> str:
    return f"authorization:{public_id}"
