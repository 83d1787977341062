"""Service matters: the scenario list (operators write; clients and holders read)
and the parties serving each. Forms that fill themselves are in `prefills`."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request
from fastapi.responses import JSONResponse
from pydantic import Field
from sqlalchemy import Connection

from zhengzhao.api.deps import Caller, ClientOrHolder, CurrentNode, Now
from zhengzhao.api.idempotency import idempotent_create
from zhengzhao.api.pagination import decode_cursor, encode_cursor
from zhengzhao.api.schemas import ApiModel, ErrorBody
from zhengzhao.model.classification import ClassificationLevel
from zhengzhao.model.license import HolderKind
from zhengzhao.sharing.scenarios import (
    ServingParty,
    add_matter,
    get_matter,
    list_matters,
    parties_serving,
    replace_matter,
)
from zhengzhao.storage.matters import MatterRecord

router = APIRouter(prefix="/v1/matters", tags=["matters"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody} for status in (401, 403, 404, 409, 422)
}
MatterCode = Annotated[str, Path(max_length=64, description="The matter's code.")]


class MaterialIn(ApiModel):
    type_code: str = Field(max_length=21, description="A license type's catalog code.")
    required: bool = True


class FieldSourceIn(ApiModel):
    type_code: str = Field(max_length=21)
    field: str = Field(
        max_length=120,
        description="A surface field of the type, or a GB/T 36903 metadata name"
        " (CZZT holder name, CZZTDM holder identifier, ZZBH paper number ...).",
    )


class FormFieldIn(ApiModel):
    name: str = Field(min_length=1, max_length=120)
    label_zh: str = Field(min_length=1, max_length=200)
    label_en: str = Field(min_length=1, max_length=200)
    source: FieldSourceIn | None = None
    required: bool = True


class MatterIn(ApiModel):
    """A service matter, offered by one department."""

    code: str = Field(min_length=1, max_length=64)
    name_zh: str = Field(min_length=1, max_length=200)
    name_en: str = Field(min_length=1, max_length=200)
    department_code: str = Field(
        max_length=18, description="Credit code of the department offering it."
    )
    holder_kind: HolderKind
    materials: list[MaterialIn] = Field(default_factory=list, max_length=50)
    form: list[FormFieldIn] = Field(default_factory=list, max_length=200)
    legal_basis: str | None = Field(
        default=None,
        max_length=500,
        description="The law allowing use without the holder's consent, by article;"
        " every such use must then state a reason.",
    )

    def definition(self) -> dict[str, Any]:
        """The matter in the JSON form `ServiceMatter.from_json` reads."""
        return self.model_dump(mode="json", exclude={"department_code"})


class OfferingDepartmentOut(ApiModel):
    credit_code: str
    name: str


class MatterOut(ApiModel):
    code: str
    name_zh: str
    name_en: str
    department: OfferingDepartmentOut
    department_kind: str
    holder_kind: str
    materials: list[MaterialIn]
    form: list[FormFieldIn]
    legal_basis: str | None
    type_codes: list[str] = Field(
        description="Every license type the matter reads: materials, then sources."
    )
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, record: MatterRecord) -> MatterOut:
        matter = record.matter
        definition = matter.to_json()
        return cls(
            code=matter.code,
            name_zh=matter.name_zh,
            name_en=matter.name_en,
            department=OfferingDepartmentOut(
                credit_code=record.department_code, name=record.department_name
            ),
            department_kind=matter.department_kind,
            holder_kind=matter.holder_kind.value,
            materials=[MaterialIn.model_validate(m) for m in definition["materials"]],
            form=[FormFieldIn.model_validate(f) for f in definition["form"]],
            legal_basis=matter.legal_basis,
            type_codes=list(matter.type_codes),
            created_at=record.created_at,
            updated_at=record.updated_at,
        )


class MatterPageOut(ApiModel):
    items: list[MatterOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


@router.post(
    "",
    status_code=201,
    response_model=MatterOut,
    responses=_ERRORS,
    summary="Register a service matter",
)
def create(
    body: MatterIn,
    request: Request,
    principal: Caller,
    node: CurrentNode,
    now: Now,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
) -> JSONResponse:
    """Register a matter for the department offering it (operators).

    Every license type must be in the catalog, and every form field's source a
    field of its type or a metadata name.
    """

    def action(conn: Connection) -> tuple[int, dict[str, Any]]:
        record = add_matter(
            conn,
            principal=principal,
            definition=body.definition(),
            department_code=body.department_code,
            now=now,
        )
        return 201, MatterOut.of(record).model_dump(mode="json", by_alias=True)

    return idempotent_create(
        node,
        principal=principal,
        key=idempotency_key,
        request=request,
        body=body,
        action=action,
        now=now,
    )


@router.get("", response_model=MatterPageOut, responses=_ERRORS)
def list_all(
    caller: ClientOrHolder,
    node: CurrentNode,
    department: Annotated[
        str | None,
        Query(max_length=18, description="Only the matters of this department."),
    ] = None,
    cursor: Annotated[str | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 100,
) -> MatterPageOut:
    """The scenario list, in the order the matters were registered: for API clients
    and for holders (with their session token), who grant authorizations for them."""
    with node.database.reading() as conn:
        page = list_matters(
            conn,
            department_code=department,
            after=decode_cursor(cursor),
            limit=limit,
        )
    return MatterPageOut(
        items=[MatterOut.of(record) for record in page.items],
        next_cursor=encode_cursor(page.next_cursor),
    )


@router.get("/{code}", response_model=MatterOut, responses=_ERRORS)
def read(code: MatterCode, caller: ClientOrHolder, node: CurrentNode) -> MatterOut:
    """One matter: its materials, form and legal basis (API clients and holders)."""
    with node.database.reading() as conn:
        return MatterOut.of(get_matter(conn, code))


class ServingPartyOut(ApiModel):
    """A using party as a holder may see it: enough to grant it an authorization."""

    credit_code: str
    name: str
    clearance: ClassificationLevel = Field(
        description="The highest classification it receives in clear; fields above"
        " it reach it only as match or no match (checks)."
    )
    matters: list[str] = Field(description="Codes of the matters it serves.")

    @classmethod
    def of(cls, party: ServingParty) -> ServingPartyOut:
        return cls(
            credit_code=party.credit_code,
            name=party.name,
            clearance=party.clearance,
            matters=list(party.matter_codes),
        )


@router.get(
    "/{code}/parties",
    response_model=list[ServingPartyOut],
    responses=_ERRORS,
    summary="The using parties serving a matter",
)
def serving(
    code: MatterCode, caller: ClientOrHolder, node: CurrentNode
) -> list[ServingPartyOut]:
    """The active parties that may serve the matter: those registered for it and
    the department offering it, if it is a using party (API clients and holders)."""
    with node.database.reading() as conn:
        return [ServingPartyOut.of(party) for party in parties_serving(conn, code)]


@router.put("/{code}", response_model=MatterOut, responses=_ERRORS)
def replace(
    code: MatterCode, body: MatterIn, principal: Caller, node: CurrentNode, now: Now
) -> MatterOut:
    """Replace a matter's definition (operators); its code stays."""
    with node.database.transaction() as conn:
        record = replace_matter(
            conn,
            principal=principal,
            code=code,
            definition=body.definition(),
            department_code=body.department_code,
            now=now,
        )
    return MatterOut.of(record)
