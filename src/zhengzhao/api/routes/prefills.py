"""Forms that fill themselves: `POST /v1/matters/{code}/prefill`, for the holder
(or its agent) and for a using party serving the matter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request
from fastapi.responses import JSONResponse
from pydantic import Field
from sqlalchemy import Connection

from zhengzhao.api.deps import ClientOrHolder, CurrentNode, Now
from zhengzhao.api.idempotency import idempotent_create
from zhengzhao.api.schemas import ApiModel, ErrorBody
from zhengzhao.errors import InvalidRequest
from zhengzhao.model.parties import Principal
from zhengzhao.node import Node
from zhengzhao.sharing.access import AccessAction, AccessBasis
from zhengzhao.sharing.exemptions import Supplied
from zhengzhao.sharing.forms import EmptyReason
from zhengzhao.sharing.holders import HolderSession
from zhengzhao.sharing.prefills import (
    MadePrefill,
    PrefillRequest,
    prefill_for_holder,
    prefill_for_party,
)
from zhengzhao.sharing.refusals import AccessAttempt, refusals_recorded
from zhengzhao.sharing.shares import MAX_REASON

router = APIRouter(prefix="/v1/matters", tags=["matters"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody} for status in (401, 403, 404, 409, 422)
}
MatterCode = Annotated[str, Path(max_length=64, description="The matter's code.")]


class PrefillIn(ApiModel):
    """A using party names the holder (or an authorization that names it) and the
    basis, as for a share; a holder names nothing, or, as agent, the appointment."""

    holder: str | None = Field(
        default=None,
        max_length=40,
        description="The holder's identifier (using parties); optional under an"
        " authorization, which names its holder.",
    )
    authorization: str | None = Field(
        default=None, max_length=40, description="The holder's authorization."
    )
    legal_basis: bool = Field(
        default=False,
        description="Use the matter's legal basis instead of an authorization;"
        " `reason` is then required.",
    )
    reason: str | None = Field(default=None, max_length=MAX_REASON)
    on_behalf_of: str | None = Field(
        default=None,
        max_length=40,
        description="A holder's agent: fill the form of the holder who appointed"
        " you under this appointment (GET /v1/me/appointments).",
    )


class SourceOut(ApiModel):
    license: str = Field(description="The license identifier (ZZBS) it came from.")
    type_code: str
    field: str = Field(description="The license field: metadata name or path.")


class PrefilledFieldOut(ApiModel):
    name: str
    label_zh: str
    label_en: str
    required: bool
    value: Any = Field(default=None, description="Null when the field is empty.")
    source: SourceOut | None = Field(description="Null when the field is empty.")
    empty_because: EmptyReason | None = Field(
        description="Why it is empty: typed-by-applicant, outside-scope (the"
        " caller may not read the type), no-valid-license, not-disclosed,"
        " field-absent; null when filled."
    )


class MaterialCoverageOut(ApiModel):
    type_code: str
    required: bool
    license: str | None = Field(description="The valid license covering it.")
    must_submit: bool


class CountsOut(ApiModel):
    supplied: int
    asked: int


class SuppliedOut(ApiModel):
    materials: CountsOut = Field(description="Required materials covered, of all.")
    fields: CountsOut = Field(description="Form fields filled, of all.")


class PrefillOut(ApiModel):
    access_record: str = Field(description="The record the holder sees of this use.")
    matter: str
    filled_on: date = Field(description="The day licenses were judged valid on.")
    basis: AccessBasis
    authorization: str | None
    form: list[PrefilledFieldOut]
    materials: list[MaterialCoverageOut]
    exempted: list[str] = Field(
        description="Type codes of required materials a valid e-license covers:"
        " they need not be submitted."
    )
    to_submit: list[str] = Field(
        description="Type codes of required materials still to be submitted."
    )
    supplied: SuppliedOut

    @classmethod
    def of(cls, made: MadePrefill) -> PrefillOut:
        result = made.result
        return cls(
            access_record=made.record.id,
            matter=result.matter_code,
            filled_on=result.on,
            basis=made.basis,
            authorization=made.authorization,
            form=[
                PrefilledFieldOut(
                    name=item.field.name,
                    label_zh=item.field.label_zh,
                    label_en=item.field.label_en,
                    required=item.field.required,
                    value=item.value,
                    source=SourceOut(
                        license=item.license_identifier,
                        type_code=item.field.source.type_code,
                        field=item.field.source.field,
                    )
                    if item.license_identifier and item.field.source
                    else None,
                    empty_because=item.empty_because,
                )
                for item in result.fields
            ],
            materials=[
                MaterialCoverageOut(
                    type_code=item.material.type_code,
                    required=item.material.required,
                    license=item.license_identifier,
                    must_submit=not item.covered,
                )
                for item in result.materials
            ],
            exempted=[m.type_code for m in result.exempted],
            to_submit=[m.type_code for m in result.to_submit],
            supplied=SuppliedOut.model_validate(Supplied.of(result).to_json()),
        )


@dataclass(frozen=True, kw_only=True)
class _Asked:
    """A prefill request as it came: the matter, the body, the key."""

    code: str
    body: PrefillIn
    request: Request
    key: str | None


@router.post(
    "/{code}/prefill",
    status_code=201,
    response_model=PrefillOut,
    responses=_ERRORS,
    summary="Fill a matter's form from the holder's valid licenses",
)
def prefill(
    code: MatterCode,
    body: PrefillIn,
    request: Request,
    caller: ClientOrHolder,
    node: CurrentNode,
    now: Now,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    """The matter's form filled from the holder's valid licenses, each value with its
    source license and field, and which required materials need not be submitted.

    A holder (session token) fills its own form, or as agent with `onBehalfOf` the
    form of the holder who appointed it, and sees every value. A using party needs
    the basis of a share (an authorization, used once; the legal basis and a
    reason; its own department's licenses) and sees only the fields a share would
    show it in clear; its refusals are recorded for the holder. Every prefill writes
    an access record; a replay of the Idempotency-Key returns the first answer.
    """
    asked = _Asked(code=code, body=body, request=request, key=idempotency_key)
    if isinstance(caller, HolderSession):
        return _holder_prefill(node, asked, session=caller, now=now)
    return _party_prefill(node, asked, principal=caller, now=now)


def _holder_prefill(
    node: Node, asked: _Asked, *, session: HolderSession, now: datetime
) -> JSONResponse:
    body = asked.body
    if body.holder or body.authorization or body.legal_basis or body.reason:
        raise InvalidRequest(
            "a holder fills its own form: leave out holder, authorization, legalBasis"
            " and reason (an agent names only onBehalfOf)"
        )

    def action(conn: Connection) -> tuple[int, dict[str, Any]]:
        made = prefill_for_holder(
            conn,
            node,
            session=session,
            on_behalf_of=body.on_behalf_of,
            matter_code=asked.code,
            now=now,
        )
        return 201, PrefillOut.of(made).model_dump(mode="json", by_alias=True)

    return idempotent_create(
        node,
        principal=session,
        key=asked.key,
        request=asked.request,
        body=body,
        action=action,
        now=now,
    )


def _party_prefill(
    node: Node, asked: _Asked, *, principal: Principal, now: datetime
) -> JSONResponse:
    body = asked.body
    if body.on_behalf_of is not None:
        raise InvalidRequest(
            "onBehalfOf is for a holder's agent logged in with a session token; a"
            " using party names the holder or the authorization instead"
        )
    attempt = AccessAttempt(
        action=AccessAction.PREFILL,
        principal=principal,
        matter_code=asked.code,
        holder_identifier=body.holder,
        authorization_ref=body.authorization,
        basis=(
            AccessBasis.LEGAL_BASIS if body.legal_basis else AccessBasis.AUTHORIZATION
        ),
        reason=body.reason,
    )

    def action(conn: Connection) -> tuple[int, dict[str, Any]]:
        made = prefill_for_party(
            conn,
            node,
            principal=principal,
            request=PrefillRequest(
                matter_code=asked.code,
                holder_identifier=body.holder,
                authorization_id=body.authorization,
                legal_basis=body.legal_basis,
                reason=body.reason,
            ),
            now=now,
        )
        return 201, PrefillOut.of(made).model_dump(mode="json", by_alias=True)

    with refusals_recorded(node, attempt, now=now):
        return idempotent_create(
            node,
            principal=principal,
            key=asked.key,
            request=asked.request,
            body=body,
            action=action,
            now=now,
        )
