"""Shares (用证): a using party reads a holder's licenses as annotated copies."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from pydantic import Field, StringConstraints
from sqlalchemy import Connection

from zhengzhao.api.deps import Caller, CurrentNode, Now
from zhengzhao.api.idempotency import idempotent_create
from zhengzhao.api.schemas import ApiModel, ErrorBody
from zhengzhao.sharing.access import AccessAction, AccessBasis
from zhengzhao.sharing.refusals import AccessAttempt, refusals_recorded
from zhengzhao.sharing.shares import (
    FIELD_NAME_PATTERN,
    MAX_FIELD_NAME,
    MAX_FIELDS,
    MAX_REASON,
    MAX_TYPES,
    TYPE_CODE_PATTERN,
    ShareRequest,
    make_share,
)

router = APIRouter(prefix="/v1/shares", tags=["shares"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody} for status in (401, 403, 404, 409, 422)
}
TypeCode = Annotated[
    str, StringConstraints(pattern=TYPE_CODE_PATTERN), Field(description="A type code.")
]
FieldName = Annotated[
    str,
    StringConstraints(max_length=MAX_FIELD_NAME, pattern=FIELD_NAME_PATTERN),
    Field(description="A surface field's or a metadata field's top-level name."),
]
FieldNames = Annotated[list[FieldName], Field(min_length=1, max_length=MAX_FIELDS)]


class ShareIn(ApiModel):
    """Whose licenses, for which matter, on which basis."""

    holder: str = Field(
        max_length=40,
        description="The holder's identifier (resident ID number or credit code,"
        " as the matter serves persons or organisations).",
    )
    matter: str = Field(max_length=64, description="The service matter's code.")
    authorization: str | None = Field(
        default=None, max_length=40, description="The holder's authorization."
    )
    legal_basis: bool = Field(
        default=False,
        description="Use the matter's legal basis instead of an authorization;"
        " `reason` is then required.",
    )
    reason: str | None = Field(default=None, max_length=MAX_REASON)
    fields: dict[TypeCode, FieldNames] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_TYPES,
        description="Only these fields of these license types (by type code), at"
        " least one of each; default: all the basis allows.",
    )


class ShareOut(ApiModel):
    access_record: str = Field(description="The record the holder sees of this use.")
    matter: str
    basis: AccessBasis
    authorization: str | None
    copies: list[dict[str, Any]] = Field(
        description="One annotated copy (加注件) per valid license, signed by the"
        " node; see docs/sharing.md."
    )


@router.post(
    "",
    status_code=201,
    response_model=ShareOut,
    responses=_ERRORS,
    summary="Share a holder's licenses",
)
def share(
    body: ShareIn,
    request: Request,
    principal: Caller,
    node: CurrentNode,
    now: Now,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    """The holder's valid licenses of the matter's types, as annotated copies:
    granted fields within the party's clearance in clear, the rest masked.

    A refusal is recorded for the holder too. A replay of the same Idempotency-Key
    returns the first answer and uses the authorization no further.
    """
    attempt = AccessAttempt(
        action=AccessAction.SHARE,
        principal=principal,
        matter_code=body.matter,
        holder_identifier=body.holder,
        authorization_ref=body.authorization,
        basis=(
            AccessBasis.LEGAL_BASIS if body.legal_basis else AccessBasis.AUTHORIZATION
        ),
        reason=body.reason,
    )

    def action(conn: Connection) -> tuple[int, dict[str, Any]]:
        made = make_share(
            conn,
            node,
            principal=principal,
            request=ShareRequest(
                holder_identifier=body.holder,
                matter_code=body.matter,
                authorization_id=body.authorization,
                legal_basis=body.legal_basis,
                reason=body.reason,
                fields=body.fields,
            ),
            now=now,
        )
        out = ShareOut(
            access_record=made.record.id,
            matter=body.matter,
            basis=made.scope.basis,
            authorization=made.scope.authorization,
            copies=made.copies,
        )
        return 201, out.model_dump(mode="json", by_alias=True)

    with refusals_recorded(node, attempt, now=now):
        return idempotent_create(
            node,
            principal=principal,
            key=idempotency_key,
            request=request,
            body=body,
            action=action,
            now=now,
        )
