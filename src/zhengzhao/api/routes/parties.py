"""Using parties (用证方): registered by operators, each reading its own profile."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request
from fastapi.responses import JSONResponse
from pydantic import Field
from sqlalchemy import Connection

from zhengzhao.api.deps import Caller, CurrentNode, Now
from zhengzhao.api.idempotency import idempotent_create
from zhengzhao.api.schemas import ApiModel, ErrorBody
from zhengzhao.model.classification import ClassificationLevel
from zhengzhao.model.parties import PartyKind
from zhengzhao.sharing.parties import (
    PartyView,
    acting_party,
    get_party,
    list_parties,
    register_party,
    update_party,
)

router = APIRouter(prefix="/v1/parties", tags=["parties"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody} for status in (401, 403, 404, 409, 422)
}
PartyCode = Annotated[str, Path(max_length=18, description="The party's credit code.")]


class PartyIn(ApiModel):
    """A using party to register."""

    kind: PartyKind
    credit_code: str | None = Field(
        default=None,
        max_length=18,
        description="Unified social credit code; a department party takes its"
        " department's.",
    )
    name: str | None = Field(default=None, max_length=200)
    department_code: str | None = Field(
        default=None,
        max_length=18,
        description="The department, for a department party.",
    )
    clearance: ClassificationLevel = Field(
        description="The highest classification level it may receive."
    )
    matters: list[str] = Field(
        default_factory=list,
        max_length=500,
        description="Codes of the service matters it may serve.",
    )


class PartyChange(ApiModel):
    """What to change of a party; members left out stay as they are."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    clearance: ClassificationLevel | None = None
    matters: list[str] | None = Field(default=None, max_length=500)
    disabled: bool | None = None


class PartyOut(ApiModel):
    credit_code: str
    name: str
    kind: PartyKind
    department_code: str | None
    clearance: ClassificationLevel
    matters: list[str] = Field(
        description="Matters it is registered for; a department party also serves"
        " its own department's matters."
    )
    created_at: datetime
    disabled_at: datetime | None

    @classmethod
    def of(cls, view: PartyView) -> PartyOut:
        party = view.party
        return cls(
            credit_code=party.credit_code,
            name=party.name,
            kind=party.kind,
            department_code=view.department_code,
            clearance=party.clearance,
            matters=list(view.matter_codes),
            created_at=party.created_at,
            disabled_at=party.disabled_at,
        )


class CallerPartyOut(ApiModel):
    credit_code: str
    name: str
    clearance: ClassificationLevel


@router.post(
    "",
    status_code=201,
    response_model=PartyOut,
    responses=_ERRORS,
    summary="Register a using party",
)
def register(
    body: PartyIn,
    request: Request,
    principal: Caller,
    node: CurrentNode,
    now: Now,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    """Register a department or a third party as a using party (operators)."""

    def action(conn: Connection) -> tuple[int, dict[str, Any]]:
        view = register_party(
            conn,
            principal=principal,
            credit_code=body.credit_code,
            name=body.name,
            kind=body.kind,
            department_code=body.department_code,
            clearance=body.clearance,
            matter_codes=body.matters,
            now=now,
        )
        return 201, PartyOut.of(view).model_dump(mode="json", by_alias=True)

    return idempotent_create(
        node,
        principal=principal,
        key=idempotency_key,
        request=request,
        body=body,
        action=action,
        now=now,
    )


@router.get("", response_model=list[PartyOut], responses=_ERRORS)
def list_all(principal: Caller, node: CurrentNode) -> list[PartyOut]:
    """Every using party (operators and auditors)."""
    with node.database.reading() as conn:
        return [PartyOut.of(v) for v in list_parties(conn, principal=principal)]


@router.get(
    "/me",
    response_model=CallerPartyOut,
    responses=_ERRORS,
    summary="The caller's own using party",
)
def me(principal: Caller, node: CurrentNode) -> CallerPartyOut:
    """The party the calling client acts for, and its clearance."""
    with node.database.reading() as conn:
        party = acting_party(conn, principal)
    return CallerPartyOut(
        credit_code=party.credit_code, name=party.name, clearance=party.clearance
    )


@router.get("/{code}", response_model=PartyOut, responses=_ERRORS)
def read(code: PartyCode, principal: Caller, node: CurrentNode) -> PartyOut:
    """One party: operators and auditors read any, a party its own."""
    with node.database.reading() as conn:
        return PartyOut.of(get_party(conn, principal=principal, credit_code=code))


@router.patch("/{code}", response_model=PartyOut, responses=_ERRORS)
def change(
    code: PartyCode, body: PartyChange, principal: Caller, node: CurrentNode, now: Now
) -> PartyOut:
    """Change a party's name, clearance, matters, or disable it (operators)."""
    with node.database.transaction() as conn:
        view = update_party(
            conn,
            principal=principal,
            credit_code=code,
            name=body.name,
            clearance=body.clearance,
            matter_codes=body.matters,
            disabled=body.disabled,
            now=now,
        )
    return PartyOut.of(view)
