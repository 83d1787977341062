"""Holders: logging in through the node's identity provider, and their own licenses."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import Field

from zhengzhao.api.deps import CurrentNode, Holder, Now
from zhengzhao.api.pagination import decode_cursor, encode_cursor
from zhengzhao.api.routes.licenses import LicensePageOut
from zhengzhao.api.schemas import ApiModel, ErrorBody, LicenseOut
from zhengzhao.model.classification import Masking, mask
from zhengzhao.sharing.holders import HolderSession, log_in, log_out, own_licenses
from zhengzhao.sharing.identity import HolderIdentity

router = APIRouter(tags=["holders"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody} for status in (401, 403, 404, 409, 422)
}


class LoginIn(ApiModel):
    credentials: dict[str, str] = Field(
        description="What the node's identity provider needs: for the development"
        ' provider, `{"identifier": ..., "name": ...}`.',
        max_length=20,
    )


class HolderOut(ApiModel):
    kind: str
    name: str
    identifier: str

    @classmethod
    def of(cls, identity: HolderIdentity, *, masked: bool = False) -> HolderOut:
        return cls(
            kind=identity.kind.value,
            name=mask(identity.name, masking=Masking.NAME) if masked else identity.name,
            identifier=mask(identity.identifier) if masked else identity.identifier,
        )


class SessionOut(ApiModel):
    holder: HolderOut
    provider: str
    expires_at: datetime

    @classmethod
    def of(cls, session: HolderSession) -> SessionOut:
        return cls(
            holder=HolderOut.of(session.holder),
            provider=session.provider,
            expires_at=session.expires_at,
        )


class LoginOut(SessionOut):
    token: str = Field(description="Bearer token for /v1/me/...; shown once.")


@router.post(
    "/v1/holder-sessions",
    status_code=201,
    response_model=LoginOut,
    responses=_ERRORS,
    summary="Log in as a holder",
)
def login(body: LoginIn, node: CurrentNode, now: Now) -> LoginOut:
    """Log in through the node's identity provider; the token lasts
    `holder_session_minutes`.

    NOTE: like client creation this takes no Idempotency-Key: the node keeps only a
    hash of the token, so a replay could not return it. A retried login opens a
    second session, which expires on its own.
    """
    with node.database.transaction() as conn:
        issued = log_in(conn, node, credentials=body.credentials, now=now)
    out = SessionOut.of(issued.session)
    return LoginOut(**out.model_dump(), token=issued.token)


@router.get("/v1/me", response_model=SessionOut, responses=_ERRORS)
def me(session: Holder) -> SessionOut:
    """The logged-in holder and when the session ends."""
    return SessionOut.of(session)


@router.delete("/v1/me/session", status_code=204, responses=_ERRORS, summary="Log out")
def logout(session: Holder, node: CurrentNode, now: Now) -> Response:
    """Close the session: its token is refused from now on."""
    with node.database.transaction() as conn:
        log_out(conn, session=session, now=now)
    return Response(status_code=204)


@router.get("/v1/me/licenses", response_model=LicensePageOut, responses=_ERRORS)
def licenses(
    session: Holder,
    node: CurrentNode,
    cursor: Annotated[str | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> LicensePageOut:
    """The holder's own licenses, every version, with their signed credentials."""
    with node.database.reading() as conn:
        page = own_licenses(
            conn, node, session=session, after=decode_cursor(cursor), limit=limit
        )
    return LicensePageOut(
        items=[
            LicenseOut.build(v.license, v.document, superseded_by=v.superseded_by)
            for v in page.items
        ],
        next_cursor=encode_cursor(page.next_cursor),
    )
