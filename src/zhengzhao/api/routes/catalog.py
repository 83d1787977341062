"""The catalog: license types, their versions, and the responsibility list."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import Field
from sqlalchemy import Connection

from zhengzhao.api.deps import Caller, CurrentNode, Now
from zhengzhao.api.idempotency import idempotent_create
from zhengzhao.api.schemas import ApiModel, ErrorBody, JsonObject
from zhengzhao.catalog import service
from zhengzhao.catalog.types import LicenseType, Responsibility, TypeVersion
from zhengzhao.model.license import HolderKind
from zhengzhao.storage import catalog as catalog_store

router = APIRouter(prefix="/v1/catalog", tags=["catalog"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody} for status in (401, 403, 404, 409, 422)
}
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]
#: Type versions are numbered from 1; the bound keeps numbers inside every database.
VersionNumber = Annotated[int, Path(ge=1, le=9999)]


class TypeOut(ApiModel):
    code: str
    name_zh: str
    name_en: str
    holder_kind: HolderKind
    authority_code: str
    authority_name: str
    department_kind: str
    published_version: int | None = None

    @classmethod
    def of(cls, item: LicenseType, published: int | None) -> TypeOut:
        return cls(
            code=item.code,
            name_zh=item.name_zh,
            name_en=item.name_en,
            holder_kind=item.holder_kind,
            authority_code=item.authority_code,
            authority_name=item.authority_name,
            department_kind=item.department_kind,
            published_version=published,
        )


class VersionOut(ApiModel):
    type_code: str
    version: int
    state: str
    json_schema: dict[str, Any] = Field(alias="schema")
    validity: dict[str, Any]
    template: str
    created_at: datetime
    published_at: datetime | None
    retired_at: datetime | None

    @classmethod
    def of(cls, item: TypeVersion) -> VersionOut:
        return cls(
            type_code=item.type_code,
            version=item.version,
            state=item.state.value,
            json_schema=item.schema,
            validity=item.validity.to_json(),
            template=item.template,
            created_at=item.created_at,
            published_at=item.published_at,
            retired_at=item.retired_at,
        )


class TypeIn(ApiModel):
    code: str = Field(description="Authority credit code (18) + three digits.")
    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    holder_kind: HolderKind
    authority_code: str
    authority_name: str = Field(min_length=1, max_length=200)
    department_kind: str
    json_schema: JsonObject = Field(alias="schema")
    validity: JsonObject = Field(
        description='For example {"kind": "fixed-years", "years": 6}.'
    )
    template: str = Field(min_length=1, max_length=200)


class VersionIn(ApiModel):
    json_schema: JsonObject | None = Field(default=None, alias="schema")
    validity: JsonObject | None = None
    template: str | None = Field(default=None, max_length=200)


class ResponsibilityOut(ApiModel):
    type_code: str
    region_code: str
    department_kind: str
    department_level: str


@router.get("/types", response_model=list[TypeOut], responses=_ERRORS)
def list_types(principal: Caller, node: CurrentNode) -> list[TypeOut]:
    """Every license type with the number of its published version."""
    with node.database.reading() as conn:
        return [
            TypeOut.of(t, _published(conn, t.code))
            for t in catalog_store.list_types(conn)
        ]


@router.get("/types/{code}", response_model=TypeOut, responses=_ERRORS)
def read_type(code: str, principal: Caller, node: CurrentNode) -> TypeOut:
    with node.database.reading() as conn:
        return TypeOut.of(service.get_type(conn, code), _published(conn, code))


@router.get(
    "/types/{code}/versions", response_model=list[VersionOut], responses=_ERRORS
)
def list_versions(code: str, principal: Caller, node: CurrentNode) -> list[VersionOut]:
    with node.database.reading() as conn:
        service.get_type(conn, code)
        return [VersionOut.of(v) for v in catalog_store.list_versions(conn, code)]


@router.get(
    "/types/{code}/versions/{version}", response_model=VersionOut, responses=_ERRORS
)
def read_version(
    code: str, version: VersionNumber, principal: Caller, node: CurrentNode
) -> VersionOut:
    with node.database.reading() as conn:
        return VersionOut.of(service.get_version(conn, code, version))


@router.post("/types", status_code=201, response_model=VersionOut, responses=_ERRORS)
def define_type(
    body: TypeIn,
    request: Request,
    principal: Caller,
    node: CurrentNode,
    now: Now,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Add a type to the catalog; its version 1 starts as a draft (operators)."""

    def action(conn: Connection) -> tuple[int, dict[str, Any]]:
        version = service.define_type(
            conn,
            principal=principal,
            license_type=LicenseType(
                code=body.code,
                name_zh=body.name_zh,
                name_en=body.name_en,
                holder_kind=body.holder_kind,
                authority_code=body.authority_code,
                authority_name=body.authority_name,
                department_kind=body.department_kind,
            ),
            schema=body.json_schema,
            validity=body.validity,
            template=body.template,
            now=now,
        )
        return 201, _dump(VersionOut.of(version))

    return idempotent_create(
        node,
        principal=principal,
        key=idempotency_key,
        request=request,
        body=body,
        action=action,
        now=now,
    )


@router.post(
    "/types/{code}/versions",
    status_code=201,
    response_model=VersionOut,
    responses=_ERRORS,
)
def draft_version(
    code: str,
    body: VersionIn,
    request: Request,
    principal: Caller,
    node: CurrentNode,
    now: Now,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Start the next version as a draft, copying what the body leaves out."""

    def action(conn: Connection) -> tuple[int, dict[str, Any]]:
        version = service.draft_version(
            conn,
            principal=principal,
            type_code=code,
            schema=body.json_schema,
            validity=body.validity,
            template=body.template,
            now=now,
        )
        return 201, _dump(VersionOut.of(version))

    return idempotent_create(
        node,
        principal=principal,
        key=idempotency_key,
        request=request,
        body=body,
        action=action,
        now=now,
    )


@router.patch(
    "/types/{code}/versions/{version}", response_model=VersionOut, responses=_ERRORS
)
def update_draft(
    code: str,
    version: VersionNumber,
    body: VersionIn,
    principal: Caller,
    node: CurrentNode,
) -> VersionOut:
    """Change a draft version; published and retired versions never change."""
    with node.database.transaction() as conn:
        updated = service.update_draft(
            conn,
            principal=principal,
            type_code=code,
            version=version,
            schema=body.json_schema,
            validity=body.validity,
            template=body.template,
        )
    return VersionOut.of(updated)


@router.post(
    "/types/{code}/versions/{version}/publish",
    response_model=VersionOut,
    responses=_ERRORS,
)
def publish(
    code: str, version: VersionNumber, principal: Caller, node: CurrentNode, now: Now
) -> VersionOut:
    """Publish a draft; the version published before it is retired. Repeating the
    call on the published version is refused with 409."""
    with node.database.transaction() as conn:
        published = service.publish_version(
            conn, principal=principal, type_code=code, version=version, now=now
        )
    return VersionOut.of(published)


@router.post(
    "/types/{code}/versions/{version}/retire",
    response_model=VersionOut,
    responses=_ERRORS,
)
def retire(
    code: str, version: VersionNumber, principal: Caller, node: CurrentNode, now: Now
) -> VersionOut:
    """Retire the published version: no more licenses are issued under it."""
    with node.database.transaction() as conn:
        retired = service.retire_version(
            conn, principal=principal, type_code=code, version=version, now=now
        )
    return VersionOut.of(retired)


@router.get(
    "/responsibilities", response_model=list[ResponsibilityOut], responses=_ERRORS
)
def responsibilities(
    principal: Caller, node: CurrentNode, type_code: str | None = None
) -> list[ResponsibilityOut]:
    """The responsibility list: which kind of department issues which type, where."""
    with node.database.reading() as conn:
        lines = catalog_store.list_responsibilities(conn, type_code=type_code)
    return [
        ResponsibilityOut(
            type_code=line.type_code,
            region_code=line.region_code,
            department_kind=line.department_kind,
            department_level=line.department_level,
        )
        for line in lines
    ]


@router.post(
    "/responsibilities",
    status_code=201,
    response_model=ResponsibilityOut,
    responses=_ERRORS,
)
def add_responsibility(
    body: ResponsibilityOut,
    request: Request,
    principal: Caller,
    node: CurrentNode,
    now: Now,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Add a line to the responsibility list (operators); adding a line that is
    there already is harmless."""

    def action(conn: Connection) -> tuple[int, dict[str, Any]]:
        service.add_responsibility(conn, principal=principal, line=_line(body))
        return 201, _dump(body)

    return idempotent_create(
        node,
        principal=principal,
        key=idempotency_key,
        request=request,
        body=body,
        action=action,
        now=now,
    )


@router.delete(
    "/responsibilities",
    status_code=204,
    responses=_ERRORS,
    summary="Remove a line of the responsibility list",
)
def remove_responsibility(
    principal: Caller,
    node: CurrentNode,
    type_code: Annotated[str, Query(alias="typeCode", max_length=21)],
    region_code: Annotated[str, Query(alias="regionCode", max_length=6)],
    department_kind: Annotated[str, Query(alias="departmentKind", max_length=64)],
    department_level: Annotated[str, Query(alias="departmentLevel", max_length=16)],
) -> Response:
    """Take a line off the responsibility list (operators): the departments it
    covered issue that type no more; licenses issued under it stay. 404 when the
    list has no such line."""
    line = Responsibility(
        type_code=type_code,
        region_code=region_code,
        department_kind=department_kind,
        department_level=department_level,
    )
    with node.database.transaction() as conn:
        service.remove_responsibility(conn, principal=principal, line=line)
    return Response(status_code=204)


def _line(body: ResponsibilityOut) -> Responsibility:
    return Responsibility(
        type_code=body.type_code,
        region_code=body.region_code,
        department_kind=body.department_kind,
        department_level=body.department_level,
    )


def _published(conn: Connection, code: str) -> int | None:
    version = catalog_store.published_version(conn, code)
    return version.version if version else None


def _dump(model: ApiModel) -> dict[str, Any]:
    return model.model_dump(mode="json", by_alias=True)
