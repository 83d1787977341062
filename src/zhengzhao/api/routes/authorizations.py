"""Authorizations: holders (or their agents) grant, list and withdraw them; a using
party lists those granted to it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import Field
from sqlalchemy import Connection

from zhengzhao.api.deps import Caller, CurrentNode, Holder, Now
from zhengzhao.api.idempotency import idempotent_create
from zhengzhao.api.pagination import decode_cursor, encode_cursor
from zhengzhao.api.routes.shares import FieldName, TypeCode
from zhengzhao.api.schemas import ApiModel, ErrorBody
from zhengzhao.model.license import HolderKind
from zhengzhao.model.time import local_date
from zhengzhao.sharing.authorizations import (
    MAX_PAGE,
    MAX_USES,
    Authorization,
    AuthorizationPage,
    AuthorizationState,
    Grant,
    GrantRequest,
    authorizations_for_party,
    grant_authorization,
    holder_authorizations,
    withdraw_authorization,
)
from zhengzhao.sharing.identity import checked_identifier
from zhengzhao.sharing.parties import acting_party
from zhengzhao.sharing.shares import MAX_FIELDS, MAX_TYPES

router = APIRouter(tags=["authorizations"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody} for status in (401, 403, 404, 409, 422)
}
OnBehalfOf = Annotated[
    str | None,
    Query(
        alias="onBehalfOf",
        max_length=40,
        description="Act as agent under this appointment (GET /v1/me/appointments).",
    ),
]
Cursor = Annotated[
    str | None,
    Query(max_length=200, description="`nextCursor` of the previous page."),
]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]


class GrantIn(ApiModel):
    type_code: TypeCode
    fields: list[FieldName] = Field(
        default_factory=list,
        max_length=MAX_FIELDS,
        description="Top-level surface fields or metadata names (CZZT, CZZTDM ...);"
        " none: the party may only check that a valid license is held.",
    )


class AuthorizationIn(ApiModel):
    """What the holder allows one using party, for one service matter."""

    party: str = Field(max_length=18, description="The using party's credit code.")
    matter: str = Field(max_length=64, description="The service matter's code.")
    licenses: list[GrantIn] = Field(min_length=1, max_length=MAX_TYPES)
    purpose: str = Field(min_length=1, max_length=500)
    expires_at: datetime = Field(description="At most 366 days from now.")
    uses: int = Field(ge=1, le=MAX_USES, description="How many shares and checks.")
    on_behalf_of: str | None = Field(
        default=None,
        max_length=40,
        description="Grant as agent under this appointment.",
    )


class PartyRefOut(ApiModel):
    credit_code: str
    name: str


class AuthorizationOut(ApiModel):
    id: str
    party: PartyRefOut
    matter: str
    licenses: list[GrantIn]
    purpose: str
    expires_at: datetime
    uses_allowed: int
    uses_left: int
    state: AuthorizationState
    granted_at: datetime
    granted_by: str = Field(description="`holder`, or `agent:<appointment id>`.")
    withdrawn_at: datetime | None
    withdrawn_by: str | None

    @classmethod
    def of(cls, item: Authorization) -> AuthorizationOut:
        return cls(
            id=item.id,
            party=PartyRefOut(credit_code=item.party_code, name=item.party_name),
            matter=item.matter_code,
            licenses=[
                GrantIn(type_code=g.type_code, fields=list(g.fields))
                for g in item.grants
            ],
            purpose=item.purpose,
            expires_at=item.expires_at,
            uses_allowed=item.uses_allowed,
            uses_left=item.uses_left,
            state=item.state,
            granted_at=item.granted_at,
            granted_by=item.granted_by,
            withdrawn_at=item.withdrawn_at,
            withdrawn_by=item.withdrawn_by,
        )


class AuthorizationPageOut(ApiModel):
    items: list[AuthorizationOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for older ones.")

    @classmethod
    def of(cls, page: AuthorizationPage) -> AuthorizationPageOut:
        return cls(
            items=[AuthorizationOut.of(item) for item in page.items],
            next_cursor=encode_cursor(page.next_cursor),
        )


def _before(cursor: str | None) -> int | None:
    return decode_cursor(cursor) or None


@router.get(
    "/v1/me/authorizations",
    response_model=AuthorizationPageOut,
    responses=_ERRORS,
)
def mine(
    session: Holder,
    node: CurrentNode,
    now: Now,
    on_behalf_of: OnBehalfOf = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> AuthorizationPageOut:
    """The holder's authorizations, the newest first, a page at a time."""
    with node.database.reading() as conn:
        page = holder_authorizations(
            conn,
            node,
            session=session,
            on_behalf_of=on_behalf_of,
            before=_before(cursor),
            limit=limit,
            now=now,
        )
    return AuthorizationPageOut.of(page)


@router.post(
    "/v1/me/authorizations",
    status_code=201,
    response_model=AuthorizationOut,
    responses=_ERRORS,
    summary="Grant an authorization",
)
def grant(
    body: AuthorizationIn,
    request: Request,
    session: Holder,
    node: CurrentNode,
    now: Now,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    """Allow a using party to read some of the holder's licenses for one matter.

    A field above the party's clearance may be granted for checks (核验): the party
    can have a claimed value of it confirmed, but shares show it masked.
    """

    def action(conn: Connection) -> tuple[int, dict[str, Any]]:
        granted = grant_authorization(
            conn,
            node,
            session=session,
            on_behalf_of=body.on_behalf_of,
            request=GrantRequest(
                party_code=body.party,
                matter_code=body.matter,
                grants=tuple(
                    Grant(type_code=g.type_code, fields=tuple(g.fields))
                    for g in body.licenses
                ),
                purpose=body.purpose,
                expires_at=body.expires_at,
                uses=body.uses,
            ),
            now=now,
        )
        return 201, AuthorizationOut.of(granted).model_dump(mode="json", by_alias=True)

    return idempotent_create(
        node,
        principal=session,
        key=idempotency_key,
        request=request,
        body=body,
        action=action,
        now=now,
    )


@router.delete(
    "/v1/me/authorizations/{authorization_id}",
    response_model=AuthorizationOut,
    responses=_ERRORS,
    summary="Withdraw an authorization",
)
def withdraw(
    authorization_id: Annotated[str, Path(max_length=40)],
    session: Holder,
    node: CurrentNode,
    now: Now,
    on_behalf_of: OnBehalfOf = None,
) -> AuthorizationOut:
    """Withdraw an authorization: every later share or check under it is refused."""
    with node.database.transaction() as conn:
        withdrawn = withdraw_authorization(
            conn,
            node,
            session=session,
            on_behalf_of=on_behalf_of,
            authorization_id=authorization_id,
            now=now,
        )
    return AuthorizationOut.of(withdrawn)


@router.get(
    "/v1/authorizations",
    response_model=AuthorizationPageOut,
    responses=_ERRORS,
    summary="What a holder granted the calling party",
)
def granted_to_caller(
    principal: Caller,
    node: CurrentNode,
    now: Now,
    holder: Annotated[str, Query(max_length=40, description="Holder's identifier.")],
    holder_kind: Annotated[HolderKind, Query(alias="holderKind")] = HolderKind.PERSON,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> AuthorizationPageOut:
    """The authorizations one holder granted the calling using party, the newest
    first, a page at a time: for a service counter to find the one to use."""
    with node.database.reading() as conn:
        party = acting_party(conn, principal)
        identifier = checked_identifier(holder_kind, holder, today=local_date(now))
        page = authorizations_for_party(
            conn,
            node,
            party=party,
            holder_index=node.vault.index(holder_kind, identifier),
            before=_before(cursor),
            limit=limit,
            now=now,
        )
    return AuthorizationPageOut.of(page)
