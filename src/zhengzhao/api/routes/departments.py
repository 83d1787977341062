"""Departments, their keys, and the status lists they publish."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Request
from fastapi.responses import JSONResponse, Response
from pydantic import Field
from sqlalchemy import Connection

from zhengzhao.api.deps import Caller, CurrentNode, Now
from zhengzhao.api.idempotency import idempotent_create
from zhengzhao.api.schemas import ApiModel, ErrorBody
from zhengzhao.catalog.seed import load_department_kinds
from zhengzhao.directory.departments import (
    deactivate_department,
    get_department,
    register_department,
    rename_department,
    rotate_key,
)
from zhengzhao.model.parties import Department, Role
from zhengzhao.model.permissions import require_role
from zhengzhao.seals.algorithms import Algorithm
from zhengzhao.seals.keys import KeyRecord, verification_method_id
from zhengzhao.storage import departments as department_store
from zhengzhao.storage import keys as key_store
from zhengzhao.verify.publication import status_list_text
from zhengzhao.verify.status_list import LAST_PAGE, StatusPurpose

router = APIRouter(prefix="/v1/departments", tags=["departments"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody} for status in (401, 403, 404, 409, 422)
}


class DepartmentIn(ApiModel):
    credit_code: str = Field(description="Unified social credit code (GB 32100).")
    name: str = Field(min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    region_code: str = Field(description="GB/T 2260 code of the department's region.")
    kind: str = Field(description="Department kind, e.g. `public-security`.")
    algorithm: Algorithm | None = Field(
        default=None, description="Algorithm of its first key; default: the node's."
    )
    lenient_credit_code: bool = Field(
        default=False,
        description="Accept a pilot-era credit code whose check character fails,"
        " with a warning kept with the department. Without it such a code is"
        " refused as a typo.",
    )


class DepartmentUpdate(ApiModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    name_en: str | None = Field(
        default=None, max_length=200, description="An empty string removes it."
    )


class DepartmentOut(ApiModel):
    credit_code: str
    name: str
    name_en: str | None
    region_code: str
    kind: str
    code_warnings: list[str]
    deactivated_at: datetime | None = Field(
        default=None, description="Set once deactivated: it issues nothing more."
    )

    @classmethod
    def of(cls, department: Department) -> DepartmentOut:
        return cls(
            credit_code=department.credit_code,
            name=department.name,
            name_en=department.name_en,
            region_code=department.region_code,
            kind=department.kind,
            code_warnings=list(department.code_warnings),
            deactivated_at=department.deactivated_at,
        )


class KeyOut(ApiModel):
    id: str = Field(description="Verification method id.")
    sequence: int
    algorithm: str
    valid_from: datetime
    valid_until: datetime | None
    state: str
    compromised_at: datetime | None


class KeyIn(ApiModel):
    algorithm: Algorithm | None = None


def _key_out(base_url: str, key: KeyRecord) -> KeyOut:
    return KeyOut(
        id=verification_method_id(base_url, key.department_code, key.sequence),
        sequence=key.sequence,
        algorithm=key.algorithm,
        valid_from=key.valid_from,
        valid_until=key.valid_until,
        state=key.state.value,
        compromised_at=key.compromised_at,
    )


@router.get("", response_model=list[DepartmentOut], responses=_ERRORS)
def list_all(principal: Caller, node: CurrentNode) -> list[DepartmentOut]:
    """Every department of the node."""
    require_role(principal, Role.OPERATOR, Role.AUDITOR, Role.DEPARTMENT)
    with node.database.reading() as conn:
        return [DepartmentOut.of(d) for d in department_store.list_departments(conn)]


@router.post("", status_code=201, response_model=DepartmentOut, responses=_ERRORS)
def register(
    body: DepartmentIn,
    request: Request,
    principal: Caller,
    node: CurrentNode,
    now: Now,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    """Register a department and create its first signing key (operators)."""

    def action(conn: Connection) -> tuple[int, dict[str, Any]]:
        department, _key = register_department(
            conn,
            node,
            principal=principal,
            credit_code=body.credit_code,
            name=body.name,
            name_en=body.name_en,
            region_code=body.region_code,
            kind=body.kind,
            known_kinds=frozenset(load_department_kinds()),
            algorithm=body.algorithm,
            lenient_code=body.lenient_credit_code,
            now=now,
        )
        return 201, DepartmentOut.of(department).model_dump(mode="json", by_alias=True)

    return idempotent_create(
        node,
        principal=principal,
        key=idempotency_key,
        request=request,
        body=body,
        action=action,
        now=now,
    )


@router.get("/{credit_code}", response_model=DepartmentOut, responses=_ERRORS)
def read(credit_code: str, principal: Caller, node: CurrentNode) -> DepartmentOut:
    """One department."""
    require_role(principal, Role.OPERATOR, Role.AUDITOR, Role.DEPARTMENT)
    with node.database.reading() as conn:
        return DepartmentOut.of(get_department(conn, credit_code))


@router.patch("/{credit_code}", response_model=DepartmentOut, responses=_ERRORS)
def update(
    credit_code: str, body: DepartmentUpdate, principal: Caller, node: CurrentNode
) -> DepartmentOut:
    """Rename a department (operators); fields left out stay. The trust list and
    verification reports name it anew; licenses keep the name they were issued
    under."""
    with node.database.transaction() as conn:
        department = rename_department(
            conn,
            principal=principal,
            credit_code=credit_code,
            name=body.name,
            name_en=body.name_en,
        )
    return DepartmentOut.of(department)


@router.post(
    "/{credit_code}/deactivate", response_model=DepartmentOut, responses=_ERRORS
)
def deactivate(
    credit_code: str, principal: Caller, node: CurrentNode, now: Now
) -> DepartmentOut:
    """Deactivate a department (operators): it issues no license and records no event
    any more (409 `department-deactivated`). Its keys stay on the trust list and its
    status lists stay published, so what it signed keeps verifying. Idempotent."""
    with node.database.transaction() as conn:
        department = deactivate_department(
            conn, principal=principal, credit_code=credit_code, now=now
        )
    return DepartmentOut.of(department)


@router.get("/{credit_code}/keys", response_model=list[KeyOut], responses=_ERRORS)
def keys(credit_code: str, principal: Caller, node: CurrentNode) -> list[KeyOut]:
    """A department's keys, current and past."""
    require_role(principal, Role.OPERATOR, Role.AUDITOR, Role.DEPARTMENT)
    with node.database.reading() as conn:
        department = get_department(conn, credit_code)
        found = key_store.keys_of_department(conn, department.id)
    return [_key_out(node.base_url, key) for key in found]


@router.post(
    "/{credit_code}/keys", status_code=201, response_model=KeyOut, responses=_ERRORS
)
def rotate(
    credit_code: str,
    body: KeyIn,
    request: Request,
    principal: Caller,
    node: CurrentNode,
    now: Now,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    """Start a new key; the previous one is retired but keeps verifying its past."""

    def action(conn: Connection) -> tuple[int, dict[str, Any]]:
        key = rotate_key(
            conn,
            node,
            principal=principal,
            credit_code=credit_code,
            algorithm=body.algorithm,
            now=now,
        )
        return 201, _key_out(node.base_url, key).model_dump(mode="json", by_alias=True)

    return idempotent_create(
        node,
        principal=principal,
        key=idempotency_key,
        request=request,
        body=body,
        action=action,
        now=now,
    )


@router.get(
    "/{credit_code}/status-lists/{purpose}/{page}",
    responses={404: {"model": ErrorBody}},
    summary="A status list credential (public)",
    response_class=Response,
)
def status_list(
    credit_code: str,
    purpose: StatusPurpose,
    page: Annotated[int, Path(ge=0, le=LAST_PAGE)],
    node: CurrentNode,
    now: Now,
) -> Response:
    """The issuer's signed W3C Bitstring Status List for one page of positions.

    Public by design: verifiers fetch it without credentials, and it reveals nothing
    about any single license beyond the bit the license's own holder can point to.
    """
    text = status_list_text(
        node, issuer_code=credit_code, purpose=purpose, page=page, now=now
    )
    return Response(
        text,
        media_type="application/vc+json",
        headers={"Cache-Control": "public, max-age=60"},
    )
