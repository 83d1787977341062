"""Checks (核验): match or no match per claim, limited against enumeration."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import Field

from zhengzhao.api.deps import Caller, CurrentNode, Now
from zhengzhao.api.routes.shares import FieldName, TypeCode
from zhengzhao.api.schemas import ApiModel, ErrorBody
from zhengzhao.sharing.access import AccessAction, AccessBasis
from zhengzhao.sharing.checks import (
    MAX_CLAIMS,
    CheckRequest,
    Claim,
    ClaimKind,
    make_check,
    take_check,
)
from zhengzhao.sharing.refusals import AccessAttempt, refusals_recorded
from zhengzhao.sharing.shares import MAX_REASON

router = APIRouter(prefix="/v1/checks", tags=["checks"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody} for status in (400, 401, 403, 404, 422, 429)
}
Scalar = str | int | bool | None


class ClaimIn(ApiModel):
    claim: ClaimKind
    type_code: TypeCode | None = None
    field: FieldName | None = None
    value: Annotated[
        Scalar | list[Any] | dict[str, Any],
        Field(description="The claimed value; none for holds-valid."),
    ] = None


class CheckIn(ApiModel):
    """Claims about one holder, for one matter, on one basis."""

    matter: str = Field(max_length=64)
    claims: list[ClaimIn] = Field(min_length=1, max_length=MAX_CLAIMS)
    holder: str | None = Field(
        default=None,
        max_length=40,
        description="The holder's identifier; optional under an authorization,"
        " which names its holder.",
    )
    authorization: str | None = Field(default=None, max_length=40)
    legal_basis: bool = False
    reason: str | None = Field(default=None, max_length=MAX_REASON)


class ClaimResultOut(ApiModel):
    claim: int = Field(description="The claim's position in the request.")
    match: bool


class CheckOut(ApiModel):
    results: list[ClaimResultOut]
    access_record: str


@router.post(
    "",
    response_model=CheckOut,
    responses=_ERRORS,
    summary="Check claimed values without disclosure",
)
def check(body: CheckIn, principal: Caller, node: CurrentNode, now: Now) -> CheckOut:
    """Match or no match for each claim; nothing else about the holder.

    NOTE: no Idempotency-Key: a check creates nothing the caller could want twice;
    a retried check is a second check, counted and recorded. Claims are counted
    against the limits; beyond them the answer is 429 with `Retry-After`, recorded
    for the holder like every refusal. Two claims about one field answer 400.
    """
    attempt = AccessAttempt(
        action=AccessAction.CHECK,
        principal=principal,
        matter_code=body.matter,
        holder_identifier=body.holder,
        authorization_ref=body.authorization,
        basis=(
            AccessBasis.LEGAL_BASIS if body.legal_basis else AccessBasis.AUTHORIZATION
        ),
        reason=body.reason,
    )
    request = CheckRequest(
        matter_code=body.matter,
        claims=tuple(
            Claim(kind=c.claim, type_code=c.type_code, field=c.field, value=c.value)
            for c in body.claims
        ),
        holder_identifier=body.holder,
        authorization_id=body.authorization,
        legal_basis=body.legal_basis,
        reason=body.reason,
    )
    with refusals_recorded(node, attempt, now=now):
        take_check(
            node,
            principal=principal,
            holder_identifier=body.holder,
            authorization_id=body.authorization,
            matter_code=body.matter,
            claims=len(body.claims),
            now=now,
        )
        with node.database.transaction() as conn:
            result = make_check(
                conn, node, principal=principal, request=request, now=now
            )
    return CheckOut(
        results=[
            ClaimResultOut(claim=index, match=match)
            for index, match in enumerate(result.matches)
        ],
        access_record=result.record.id,
    )
