"""Agents: a person a holder appoints to grant and withdraw authorizations in its name.

For the elderly, for people who need help, and for organisations whose staff act for
them. An agent logs in as itself and names the appointment it acts under; what it
does is recorded as the agent's act. An agent cannot appoint agents, and a holder
may withdraw an appointment at any time.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from zhengzhao.errors import AgentNotAppointed, Conflict, InvalidRequest, NotFound
from zhengzhao.model.license import HolderKind
from zhengzhao.model.time import local_date
from zhengzhao.node import Node
from zhengzhao.sharing.holders import HolderSession, open_identity, seal_identity
from zhengzhao.sharing.identity import HolderIdentity, checked_identifier
from zhengzhao.storage import holders as holder_store
from zhengzhao.storage.holders import StoredAgent

__all__ = [
    "Acting",
    "Appointment",
    "acting_for",
    "appoint_agent",
    "appointments_of_agent",
    "appointments_of_holder",
    "withdraw_agent",
]

#: Longest note a holder may keep with an appointment ("my daughter", "店长").
MAX_NOTE = 200


@dataclass(frozen=True, kw_only=True)
class Appointment:
    """An agent appointed by a holder."""

    id: str
    holder: HolderIdentity
    agent: HolderIdentity
    note: str | None
    appointed_at: datetime
    withdrawn_at: datetime | None


@dataclass(frozen=True, kw_only=True)
class Acting:
    """Whose name a request is made in, and by whom."""

    holder: HolderIdentity
    holder_index: str
    #: The appointment the logged-in agent acts under; None: the holder itself.
    appointment: Appointment | None = None
    #: Row of that appointment, for the records that name it.
    appointment_row_id: int | None = None

    @property
    def actor(self) -> str:
        """How records name the one who acted."""
        if self.appointment is None:
            return "holder"
        return f"agent:{self.appointment.id}"


def appoint_agent(
    conn: Connection,
    node: Node,
    *,
    session: HolderSession,
    agent_identifier: str,
    agent_name: str,
    note: str | None = None,
    now: datetime,
) -> Appointment:
    """Appoint a person as the logged-in holder's agent.

    Raises `InvalidRequest` for oneself or an empty name, `InvalidIdentifier` for a
    bad identity number, and `Conflict` when the person is an agent already.
    """
    agent = HolderIdentity(
        kind=HolderKind.PERSON,
        identifier=checked_identifier(
            HolderKind.PERSON, agent_identifier, today=local_date(now)
        ),
        name=agent_name.strip(),
    )
    if not agent.name:
        raise InvalidRequest("an agent needs a name")
    if note is not None and len(note) > MAX_NOTE:
        raise InvalidRequest(f"the note is longer than {MAX_NOTE} characters")
    agent_index = node.vault.index(agent.kind, agent.identifier)
    if agent_index == session.holder_index:
        raise InvalidRequest("a holder cannot appoint itself as its own agent")
    for existing in holder_store.agents_appointed_by(conn, session.holder_index):
        if existing.agent_index == agent_index and existing.withdrawn_at is None:
            raise Conflict(
                f"{agent.name} is already your agent (appointment {existing.public_id})"
            )
    public_id = f"ag_{secrets.token_hex(8)}"
    stored = holder_store.insert_agent(
        conn,
        public_id=public_id,
        holder_kind=session.holder.kind,
        holder_index=session.holder_index,
        holder_cipher=seal_identity(
            node, session.holder, context=f"agent-holder:{public_id}"
        ),
        agent_index=agent_index,
        agent_cipher=seal_identity(node, agent, context=f"agent:{public_id}"),
        note=note,
        now=now,
    )
    return _appointment(node, stored)


def appointments_of_holder(
    conn: Connection, node: Node, *, session: HolderSession
) -> list[Appointment]:
    """Every agent the logged-in holder appointed, withdrawn ones too."""
    return [
        _appointment(node, stored)
        for stored in holder_store.agents_appointed_by(conn, session.holder_index)
    ]


def appointments_of_agent(
    conn: Connection, node: Node, *, session: HolderSession
) -> list[Appointment]:
    """The holders the logged-in person acts for now, as their agent."""
    return [
        _appointment(node, stored)
        for stored in holder_store.agents_acting_as(conn, session.holder_index)
    ]


def withdraw_agent(
    conn: Connection,
    node: Node,
    *,
    session: HolderSession,
    appointment_id: str,
    now: datetime,
) -> Appointment:
    """End an appointment of the logged-in holder; the agent can act no more."""
    stored = holder_store.agent_by_public_id(conn, appointment_id)
    if stored is None or stored.holder_index != session.holder_index:
        raise NotFound(f"you appointed no agent under {appointment_id}")
    holder_store.withdraw_agent(conn, stored.row_id, now=now)
    updated = holder_store.agent_by_id(conn, stored.row_id)
    assert updated is not None
    return _appointment(node, updated)


def acting_for(
    conn: Connection,
    node: Node,
    *,
    session: HolderSession,
    appointment_id: str | None,
) -> Acting:
    """The holder a request is made for: the logged-in holder itself, or, with
    ``appointment_id``, the holder who appointed the logged-in person.

    Raises `AgentNotAppointed` unless that appointment names this person and holds.
    """
    if appointment_id is None:
        return Acting(holder=session.holder, holder_index=session.holder_index)
    stored = holder_store.agent_by_public_id(conn, appointment_id)
    if stored is None or stored.agent_index != session.holder_index:
        raise AgentNotAppointed(
            f"you are not an agent under appointment {appointment_id};"
            " GET /v1/me/appointments lists whom you act for"
        )
    if stored.withdrawn_at is not None:
        raise AgentNotAppointed(
            f"appointment {appointment_id} was withdrawn by the holder; you can no"
            " longer act in their name"
        )
    appointment = _appointment(node, stored)
    return Acting(
        holder=appointment.holder,
        holder_index=stored.holder_index,
        appointment=appointment,
        appointment_row_id=stored.row_id,
    )


def _appointment(node: Node, stored: StoredAgent) -> Appointment:
    return Appointment(
        id=stored.public_id,
        holder=open_identity(
            node,
            stored.holder_kind,
            stored.holder_cipher,
            context=f"agent-holder:{stored.public_id}",
        ),
        agent=open_identity(
            node,
            HolderKind.PERSON,
            stored.agent_cipher,
            context=f"agent:{stored.public_id}",
        ),
        note=stored.note,
        appointed_at=stored.appointed_at,
        withdrawn_at=stored.withdrawn_at,
    )
