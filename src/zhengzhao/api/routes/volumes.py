"""Expected volumes of the responsibility list: declared, imported, read.

Operators record what each department declares; a department reads its own figures,
auditors and operators all of them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import Field

from zhengzhao.api.deps import Caller, CurrentNode, Now
from zhengzhao.api.schemas import ApiModel, ErrorBody
from zhengzhao.errors import InvalidRequest
from zhengzhao.model.time import local_date
from zhengzhao.oversight.volumes import (
    VolumeDeclaration,
    declare_volume,
    import_volumes,
    list_volumes,
)
from zhengzhao.storage.volumes import VolumeRecord

__all__ = ["router"]

router = APIRouter(prefix="/v1/expected-volumes", tags=["oversight"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody} for status in (401, 403, 404, 409, 422)
}
#: The largest file of declarations read: a province's departments times its types.
MAX_IMPORT_BYTES = 1 << 20
CreditCodePath = Annotated[str, Path(min_length=18, max_length=18)]
TypeCodePath = Annotated[str, Path(min_length=21, max_length=21)]


class VolumeIn(ApiModel):
    expected: int = Field(
        ge=0,
        le=2**63 - 1,
        description="How many licenses of the type the department's own system holds.",
    )
    as_of: date | None = Field(
        default=None, description="The day the figure stands at; default: today."
    )


class VolumeOut(ApiModel):
    department: str = Field(description="The department's credit code.")
    department_name: str
    type_code: str
    type_name: str
    region_code: str = Field(description="The department's region.")
    expected: int
    as_of: date
    recorded_at: datetime

    @classmethod
    def of(cls, record: VolumeRecord) -> VolumeOut:
        return cls(
            department=record.department_code,
            department_name=record.department_name,
            type_code=record.type_code,
            type_name=record.type_name,
            region_code=record.region_code,
            expected=record.expected,
            as_of=record.as_of,
            recorded_at=record.recorded_at,
        )


class ImportOut(ApiModel):
    recorded: int = Field(description="Declarations recorded from the file.")


@router.get("", response_model=list[VolumeOut], responses=_ERRORS)
def volumes(
    principal: Caller,
    node: CurrentNode,
    now: Now,
    department: Annotated[str | None, Query(max_length=18)] = None,
    type_code: Annotated[str | None, Query(alias="type", max_length=21)] = None,
    as_of: Annotated[
        date | None, Query(alias="asOf", description="Default: today.")
    ] = None,
) -> list[VolumeOut]:
    """The expected volumes standing on a day: per department and type, the latest
    declared on or before it. A department reads its own."""
    with node.database.reading() as conn:
        records = list_volumes(
            conn,
            principal=principal,
            department_code=department,
            type_code=type_code,
            on=as_of or local_date(now),
        )
    return [VolumeOut.of(record) for record in records]


@router.put("/{department}/{type_code}", response_model=VolumeOut, responses=_ERRORS)
def declare(
    department: CreditCodePath,
    type_code: TypeCodePath,
    body: VolumeIn,
    principal: Caller,
    node: CurrentNode,
    now: Now,
) -> VolumeOut:
    """Record a department's expected volume of a type as of a day (operators);
    repeating it for the same day replaces the figure."""
    with node.database.transaction() as conn:
        record = declare_volume(
            conn,
            principal=principal,
            declaration=VolumeDeclaration(
                department_code=department,
                type_code=type_code,
                expected=body.expected,
                as_of=body.as_of,
            ),
            now=now,
        )
    return VolumeOut.of(record)


@router.post(
    "/import",
    response_model=ImportOut,
    responses=_ERRORS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
async def import_file(
    request: Request, principal: Caller, node: CurrentNode, now: Now
) -> ImportOut:
    """Record the declarations of a CSV file (UTF-8; header
    `department,type,expected,as_of`), all or none (operators)."""
    body = b""
    async for piece in request.stream():
        body += piece
        if len(body) > MAX_IMPORT_BYTES:
            raise InvalidRequest(
                f"the file is larger than {MAX_IMPORT_BYTES} bytes; split it"
            )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidRequest(
            "the file is not UTF-8 text; save it as CSV UTF-8"
        ) from exc

    def record() -> int:
        with node.database.transaction() as conn:
            return import_volumes(conn, principal=principal, text=text, now=now)

    return ImportOut(recorded=await run_in_threadpool(record))
