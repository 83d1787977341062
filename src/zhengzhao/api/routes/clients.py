"""API clients: create, list and disable them (operators)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import Field

from zhengzhao.api.deps import Caller, CurrentNode, Now
from zhengzhao.api.schemas import ApiModel, ErrorBody
from zhengzhao.directory.clients import create_client, disable_client, list_clients
from zhengzhao.model.parties import Role
from zhengzhao.storage.clients import ClientRecord

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


class CredentialsOut(ApiModel):
    client_id: str
    role: Role
    token: str = Field(description="Shown once; the node keeps only its hash.")


class ClientOut(ApiModel):
    client_id: str
    name: str
    role: Role
    demo: bool
    created_at: datetime
    disabled_at: datetime | None

    @classmethod
    def of(cls, record: ClientRecord) -> ClientOut:
        return cls(
            client_id=record.client_id,
            name=record.name,
            role=record.role,
            demo=record.demo,
            created_at=record.created_at,
            disabled_at=record.disabled_at,
        )


@router.get("", response_model=list[ClientOut], responses=_ERRORS)
def list_all(principal: Caller, node: CurrentNode) -> list[ClientOut]:
    """Every API client, disabled ones included (operators and auditors)."""
    with node.database.reading() as conn:
        found = list_clients(conn, principal=principal)
    return [ClientOut.of(record) for record in found]


@router.post(
    "/{client_id}/disable",
    response_model=ClientOut,
    responses=_ERRORS | {404: {"model": ErrorBody}},
    summary="Disable an API client",
)
def disable(
    client_id: Annotated[str, Path(max_length=64)],
    principal: Caller,
    node: CurrentNode,
    now: Now,
) -> ClientOut:
    """Refuse the client's token from now on, with 401 `client-disabled` (operators).

    Idempotent: disabling a disabled client changes nothing and answers the same.
    A disabled client cannot be enabled again; create a new one.
    """
    with node.database.transaction() as conn:
        record = disable_client(conn, principal=principal, client_id=client_id, now=now)
    return ClientOut.of(record)


@router.post("", status_code=201, response_model=CredentialsOut, responses=_ERRORS)
def create(
    body: ClientIn, principal: Caller, node: CurrentNode, now: Now
) -> CredentialsOut:
    """Create a client and return its token, once.

    NOTE: unlike other creates this takes no Idempotency-Key: a replay would have to
    store the token to return it again, and the node keeps tokens only as hashes. A
    retried call creates a second client, which the operator can disable
    (`POST /v1/clients/{id}/disable`).
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
