"""API clients (operators only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import Field

from zhengzhao.api.deps import Caller, CurrentNode, Now
from zhengzhao.api.schemas import ApiModel, ErrorBody
from zhengzhao.directory.clients import create_client
from zhengzhao.model.parties import Role
from zhengzhao.model.permissions import require_role
from zhengzhao.storage import clients as client_store

router = APIRouter(prefix="/v1/clients", tags=["clients"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody} for status in (401, 403, 422)
}


class ClientIn(ApiModel):
    name: str = Field(min_length=1, max_length=200)
    role: Role
    department_code: str | None = Field(
        default=None, description="Required for the department role."
    )
    party_code: str | None = Field(
        default=None,
        max_length=18,
        description="Credit code of the using party; required for the using-party"
        " role.",
    )


class ClientOut(ApiModel):
    client_id: str
    name: str
    role: Role
    demo: bool
    created_at: datetime
    disabled_at: datetime | None


class CredentialsOut(ApiModel):
    client_id: str
    role: Role
    token: str = Field(description="Shown once; the node keeps only its hash.")


@router.get("", response_model=list[ClientOut], responses=_ERRORS)
def list_clients(principal: Caller, node: CurrentNode) -> list[ClientOut]:
    require_role(principal, Role.OPERATOR, Role.AUDITOR)
    with node.database.reading() as conn:
        found = client_store.list_clients(conn)
    return [
        ClientOut(
            client_id=c.client_id,
            name=c.name,
            role=c.role,
            demo=c.demo,
            created_at=c.created_at,
            disabled_at=c.disabled_at,
        )
        for c in found
    ]


@router.post("", status_code=201, response_model=CredentialsOut, responses=_ERRORS)
def create(
    body: ClientIn, principal: Caller, node: CurrentNode, now: Now
) -> CredentialsOut:
    """Create a client and return its token, once.

    NOTE: unlike other creates this takes no Idempotency-Key: a replay would have to
    store the token to return it again, and the node keeps tokens only as hashes. A
    retried call creates a second client, which the operator can disable.
    """
    with node.database.transaction() as conn:
        issued = create_client(
            conn,
            principal=principal,
            name=body.name,
            role=body.role,
            department_code=body.department_code,
            party_code=body.party_code,
            now=now,
        )
    return CredentialsOut(
        client_id=issued.client_id, role=issued.role, token=issued.token
    )
