"""Request and response shapes of the API, in the camelCase JSON it speaks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from zhengzhao.model.license import License
from zhengzhao.model.nesting import MAX_DEPTH, too_deep

__all__ = [
    "ApiModel",
    "ErrorBody",
    "EventIn",
    "HolderIn",
    "JsonObject",
    "LicenseIn",
    "LicenseOut",
]


def _shallow(value: dict[str, Any]) -> dict[str, Any]:
    if too_deep(value, limit=MAX_DEPTH):
        raise ValueError(
            f"nests more than {MAX_DEPTH} levels of objects and arrays; flatten it"
        )
    return value


#: A JSON object a caller sends freely (surface fields, a schema), nested at most
#: `MAX_DEPTH` levels: deeper input is refused with 422 before anything reads it.
JsonObject = Annotated[dict[str, Any], AfterValidator(_shallow)]


class ApiModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid", frozen=True
    )


class ErrorBody(ApiModel):
    """Every error the API returns has this shape."""

    code: str = Field(description="Stable, machine-readable error code.")
    message: str = Field(description="What went wrong, for a person.")
    details: dict[str, Any] | None = None


class HolderIn(ApiModel):
    identifier: str = Field(
        description="Resident ID number (persons) or unified social credit code"
        " (organisations).",
        max_length=40,
    )
    name: str = Field(min_length=1, max_length=200)
    lenient_identifier: bool = Field(
        default=False,
        description="Organisations only: accept a pilot-era credit code whose check"
        " character fails, with a warning recorded on the license. Without it such a"
        " code is refused as a typo.",
    )


class LicenseIn(ApiModel):
    """A license to issue, in the name of the calling department."""

    type_code: str = Field(description="Catalog code of the license type (ZZLXDM).")
    holder: HolderIn
    fields: JsonObject = Field(description="The type's surface fields.")
    issue_date: date | None = Field(default=None, description="ZZBFRQ; default today.")
    valid_from: date | None = Field(
        default=None, description="Default: the issue date."
    )
    valid_until: date | None = Field(
        default=None, description="Last valid day, where the type lets the issuer say."
    )
    paper_number: str | None = Field(default=None, max_length=64, description="ZZBH.")
    serial: str | None = Field(
        default=None,
        max_length=40,
        description="The issuer's serial; the node assigns one if absent.",
    )


EventKindName = Literal[
    "annual-inspection",
    "extended",
    "corrected",
    "suspended",
    "released",
    "mortgaged",
    "pledged",
    "discharged",
    "revoked",
    "cancelled",
    "abolished",
    "transferred",
    "expired",
]


class EventIn(ApiModel):
    """A lifecycle event of a license, recorded by its issuing department."""

    kind: EventKindName
    occurred_at: datetime | None = Field(
        default=None, description="When it happened; default: now."
    )
    reason: str | None = Field(default=None, max_length=1000)
    valid_until: date | None = Field(default=None, description="Extension only.")
    fields: JsonObject | None = Field(
        default=None, description="Correction only: new values of some fields."
    )
    holder: HolderIn | None = Field(
        default=None,
        description="Correction: the holder's corrected name. Transfer: the new"
        " holder.",
    )
    inspection_result: Literal["passed", "failed"] | None = Field(
        default=None, description="Annual inspection only."
    )


class LicenseOut(ApiModel):
    """A license version: its state on the node, and its signed credential."""

    identifier: str
    type_code: str
    type_version: int
    issuer_code: str
    holder_kind: str
    version: int
    paper_number: str | None
    valid_from: date
    valid_until: date | None
    status: str
    status_code: str = Field(description="National status code: 01 valid, 02 detained…")
    encumbrance: str | None
    supersedes: str | None
    superseded_by: str | None = None
    issued_at: datetime
    updated_at: datetime
    document: dict[str, Any] = Field(description="The signed Verifiable Credential.")
    log: dict[str, Any] | None = Field(
        default=None,
        description="Proof that the node's transparency log holds this version's"
        " events: a signed checkpoint and an inclusion proof per event. Null until"
        " the sequencer has put the issuance in a checkpoint (the log's merge delay),"
        " and in answers that create the license.",
    )
    warnings: list[str] = Field(default_factory=list)

    @classmethod
    def build(
        cls,
        record: License,
        document: dict[str, Any],
        *,
        superseded_by: str | None = None,
        warnings: tuple[str, ...] = (),
        log: dict[str, Any] | None = None,
    ) -> LicenseOut:
        return cls(
            identifier=record.identifier,
            type_code=record.type_code,
            type_version=record.type_version,
            issuer_code=record.issuer_code,
            holder_kind=record.holder_kind.value,
            version=record.version,
            paper_number=record.paper_number,
            valid_from=record.valid_from,
            valid_until=record.valid_until,
            status=record.status.value,
            status_code=record.status_code,
            encumbrance=record.encumbrance.value if record.encumbrance else None,
            supersedes=record.supersedes,
            superseded_by=superseded_by,
            issued_at=record.issued_at,
            updated_at=record.updated_at,
            document=document,
            log=log,
            warnings=list(warnings),
        )
