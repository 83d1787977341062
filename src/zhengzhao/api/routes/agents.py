"""Agents: whom a holder appoints, and for whom a person acts as agent."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request
from fastapi.responses import JSONResponse
from pydantic import Field
from sqlalchemy import Connection

from zhengzhao.api.deps import CurrentNode, Holder, Now
from zhengzhao.api.idempotency import idempotent_create
from zhengzhao.api.routes.holders import HolderOut
from zhengzhao.api.schemas import ApiModel, ErrorBody
from zhengzhao.sharing.agents import (
    Appointment,
    appoint_agent,
    appointments_of_agent,
    appointments_of_holder,
    withdraw_agent,
)

router = APIRouter(tags=["holders"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody} for status in (401, 403, 404, 409, 422)
}


class AgentIn(ApiModel):
    identifier: str = Field(
        max_length=40, description="The agent's resident identity number."
    )
    name: str = Field(min_length=1, max_length=100)
    note: str | None = Field(default=None, max_length=200)


class AppointmentOut(ApiModel):
    id: str
    holder: HolderOut = Field(description="Who appointed the agent (masked).")
    agent: HolderOut = Field(description="The agent (masked).")
    note: str | None
    appointed_at: datetime
    withdrawn_at: datetime | None

    @classmethod
    def of(cls, appointment: Appointment) -> AppointmentOut:
        return cls(
            id=appointment.id,
            holder=HolderOut.of(appointment.holder, masked=True),
            agent=HolderOut.of(appointment.agent, masked=True),
            note=appointment.note,
            appointed_at=appointment.appointed_at,
            withdrawn_at=appointment.withdrawn_at,
        )


@router.get("/v1/me/agents", response_model=list[AppointmentOut], responses=_ERRORS)
def agents(session: Holder, node: CurrentNode) -> list[AppointmentOut]:
    """Every agent the holder appointed, the newest first, withdrawn ones too."""
    with node.database.reading() as conn:
        found = appointments_of_holder(conn, node, session=session)
    return [AppointmentOut.of(item) for item in found]


@router.post(
    "/v1/me/agents",
    status_code=201,
    response_model=AppointmentOut,
    responses=_ERRORS,
    summary="Appoint an agent",
)
def appoint(
    body: AgentIn,
    request: Request,
    session: Holder,
    node: CurrentNode,
    now: Now,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    """Appoint a person to grant and withdraw authorizations in the holder's name."""

    def action(conn: Connection) -> tuple[int, dict[str, Any]]:
        appointment = appoint_agent(
            conn,
            node,
            session=session,
            agent_identifier=body.identifier,
            agent_name=body.name,
            note=body.note,
            now=now,
        )
        return 201, AppointmentOut.of(appointment).model_dump(
            mode="json", by_alias=True
        )

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
    "/v1/me/agents/{appointment_id}",
    response_model=AppointmentOut,
    responses=_ERRORS,
    summary="Withdraw an agent",
)
def withdraw(
    appointment_id: Annotated[str, Path(max_length=40)],
    session: Holder,
    node: CurrentNode,
    now: Now,
) -> AppointmentOut:
    """End an appointment; the record stays, marked withdrawn."""
    with node.database.transaction() as conn:
        appointment = withdraw_agent(
            conn, node, session=session, appointment_id=appointment_id, now=now
        )
    return AppointmentOut.of(appointment)


@router.get(
    "/v1/me/appointments", response_model=list[AppointmentOut], responses=_ERRORS
)
def appointments(session: Holder, node: CurrentNode) -> list[AppointmentOut]:
    """The holders the logged-in person acts for as their agent; pass an
    appointment's id as `onBehalfOf` to act in that holder's name."""
    with node.database.reading() as conn:
        found = appointments_of_agent(conn, node, session=session)
    return [AppointmentOut.of(item) for item in found]
