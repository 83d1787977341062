"""Licenses: issue, read, find a holder's, and record lifecycle events."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse
from pydantic import Field
from sqlalchemy import Connection

from zhengzhao.api.deps import Caller, CurrentNode, Now
from zhengzhao.api.idempotency import idempotent_create
from zhengzhao.api.pagination import decode_cursor, encode_cursor
from zhengzhao.api.schemas import (
    ApiModel,
    ErrorBody,
    EventIn,
    HolderIn,
    LicenseIn,
    LicenseOut,
)
from zhengzhao.errors import HolderInUrl, InvalidIdentifier, PermissionDenied
from zhengzhao.issuance.lifecycle import EventRequest, record_event
from zhengzhao.issuance.queries import get_license, license_events
from zhengzhao.issuance.service import HolderClaim, IssueRequest, issue_licenses
from zhengzhao.model.license import HolderKind
from zhengzhao.model.lifecycle import EventKind, LicenseEvent
from zhengzhao.model.parties import Role
from zhengzhao.model.permissions import require_role
from zhengzhao.model.resident_id import ResidentId
from zhengzhao.sharing.reads import (
    read_license,
    read_refusals_recorded,
    search_licenses,
)
from zhengzhao.translog.service import license_inclusion, witness_names

router = APIRouter(prefix="/v1/licenses", tags=["licenses"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody} for status in (401, 403, 404, 409, 422)
}
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="Unique per create; a replay returns the first answer.",
    ),
]


class LicensePageOut(ApiModel):
    items: list[LicenseOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


class EventOut(ApiModel):
    license: str
    sequence: int
    kind: str
    occurred_at: datetime
    recorded_at: datetime
    actor: str
    reason: str | None
    document: dict[str, Any] = Field(description="The signed event document.")

    @classmethod
    def of(cls, event: LicenseEvent) -> EventOut:
        document: dict[str, Any] = json.loads(event.document)
        return cls(
            license=event.license_identifier,
            sequence=event.sequence,
            kind=event.kind.value,
            occurred_at=event.occurred_at,
            recorded_at=event.recorded_at,
            actor=event.actor,
            reason=event.reason,
            document=document,
        )


class RecordedEventOut(ApiModel):
    event: EventOut
    license: LicenseOut
    successor: LicenseOut | None = None


@router.post(
    "",
    status_code=201,
    response_model=LicenseOut,
    responses=_ERRORS,
    summary="Issue a license",
)
def issue(
    body: LicenseIn,
    request: Request,
    principal: Caller,
    node: CurrentNode,
    now: Now,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Issue a signed license in the calling department's name.

    The department must be on the responsibility list for the type. The data is
    checked against the type's published schema; errors name the field.
    """
    require_role(principal, Role.DEPARTMENT)
    department = principal.department
    if department is None:
        raise PermissionDenied("this client acts for no department")

    def action(conn: Connection) -> tuple[int, dict[str, Any]]:
        (issued,) = issue_licenses(
            conn,
            node,
            issuer=department,
            requests=[_issue_request(body)],
            actor=principal.actor,
            now=now,
        )
        out = LicenseOut.build(
            issued.license, issued.document, warnings=issued.warnings
        )
        return 201, out.model_dump(mode="json", by_alias=True)

    return idempotent_create(
        node,
        principal=principal,
        key=idempotency_key,
        request=request,
        body=body,
        action=action,
        now=now,
    )


class LicenseSearchIn(ApiModel):
    """Which holder's licenses to find; in the body, so that no URL carries the
    holder's identifier into access logs."""

    holder: str = Field(
        max_length=40,
        description="The holder's identifier: resident ID number or credit code.",
    )
    holder_kind: HolderKind | None = Field(
        default=None, description="Default: guessed from the identifier."
    )
    cursor: str | None = Field(
        default=None, max_length=200, description="`nextCursor` of the previous page."
    )
    limit: int = Field(default=50, ge=1, le=200)


@router.post(
    "/search",
    response_model=LicensePageOut,
    responses=_ERRORS,
    summary="A holder's licenses",
)
def search(
    body: LicenseSearchIn, principal: Caller, node: CurrentNode, now: Now
) -> LicensePageOut:
    """Licenses of one holder, a page at a time: all of them for operators and
    auditors, the department's own for a department. Each page read is an access
    record the holder reads (action `read`, basis `issuer` or `supervision`),
    written with the read; a search changes nothing else and takes no
    Idempotency-Key."""
    kind = body.holder_kind or _guess_kind(body.holder)
    with node.database.transaction() as conn:
        page = search_licenses(
            conn,
            node,
            principal=principal,
            holder_kind=kind,
            holder_identifier=body.holder.strip().upper(),
            after=decode_cursor(body.cursor),
            limit=body.limit,
            now=now,
        )
    return LicensePageOut(
        items=[
            LicenseOut.build(v.license, v.document, superseded_by=v.superseded_by)
            for v in page.items
        ],
        next_cursor=encode_cursor(page.next_cursor),
    )


@router.get("", include_in_schema=False)
def list_in_url() -> None:
    """Refuses the listing by query string that once was: a holder's identifier in
    a URL ends up in access logs; `POST /v1/licenses/search` takes it in the body."""
    raise HolderInUrl(
        "a holder's licenses are found with POST /v1/licenses/search and"
        ' {"holder": "<identifier>"} in the body: an identifier in a URL is kept by'
        " access logs, proxies and browser histories"
    )


@router.get("/{identifier}", response_model=LicenseOut, responses=_ERRORS)
def read(
    identifier: str,
    principal: Caller,
    node: CurrentNode,
    now: Now,
) -> LicenseOut:
    """One license version with its signed credential, for its issuer, operators
    and auditors. The read is an access record the holder reads, written with it;
    a department refused another's license is recorded too."""
    with (
        read_refusals_recorded(
            node, principal=principal, identifier=identifier, now=now
        ),
        node.database.transaction() as conn,
    ):
        view = read_license(
            conn, node, principal=principal, identifier=identifier, now=now
        )
        inclusion = license_inclusion(conn, identifier, witnesses=witness_names(node))
    return LicenseOut.build(
        view.license,
        view.document,
        superseded_by=view.superseded_by,
        log=None if inclusion is None else inclusion.to_json(),
    )


@router.get("/{identifier}/events", response_model=list[EventOut], responses=_ERRORS)
def events(identifier: str, principal: Caller, node: CurrentNode) -> list[EventOut]:
    """The signed lifecycle events of one license version, in order."""
    with node.database.reading() as conn:
        found = license_events(conn, principal=principal, identifier=identifier)
    return [EventOut.of(event) for event in found]


@router.post(
    "/{identifier}/events",
    status_code=201,
    response_model=RecordedEventOut,
    responses=_ERRORS,
    summary="Record a lifecycle event",
)
def add_event(
    identifier: str,
    body: EventIn,
    request: Request,
    principal: Caller,
    node: CurrentNode,
    now: Now,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Record an event; extension, correction and transfer return the new version.

    Only the issuing department may record events. Impossible transitions (extending a
    revoked license, releasing one never suspended) are refused with 409.
    """

    def action(conn: Connection) -> tuple[int, dict[str, Any]]:
        recorded = record_event(
            conn,
            node,
            principal=principal,
            identifier=identifier,
            request=_event_request(body),
            now=now,
        )
        view = get_license(conn, node, principal=principal, identifier=identifier)
        out = RecordedEventOut(
            event=EventOut.of(recorded.event),
            license=LicenseOut.build(
                view.license, view.document, superseded_by=view.superseded_by
            ),
            successor=(
                LicenseOut.build(
                    recorded.successor.license,
                    recorded.successor.document,
                    warnings=recorded.successor.warnings,
                )
                if recorded.successor
                else None
            ),
        )
        return 201, out.model_dump(mode="json", by_alias=True)

    return idempotent_create(
        node,
        principal=principal,
        key=idempotency_key,
        request=request,
        body=body,
        action=action,
        now=now,
    )


def _issue_request(body: LicenseIn) -> IssueRequest:
    return IssueRequest(
        type_code=body.type_code,
        holder=_holder_claim(body.holder),
        fields=body.fields,
        issue_date=body.issue_date,
        valid_from=body.valid_from,
        valid_until=body.valid_until,
        paper_number=body.paper_number,
        serial=body.serial,
    )


def _event_request(body: EventIn) -> EventRequest:
    return EventRequest(
        kind=EventKind(body.kind),
        occurred_at=body.occurred_at,
        reason=body.reason,
        valid_until=body.valid_until,
        fields=body.fields,
        holder=_holder_claim(body.holder) if body.holder else None,
        inspection_result=body.inspection_result,
    )


def _holder_claim(holder: HolderIn) -> HolderClaim:
    return HolderClaim(
        identifier=holder.identifier,
        name=holder.name,
        lenient_identifier=holder.lenient_identifier,
    )


def _guess_kind(identifier: str) -> HolderKind:
    # A resident ID number is 17 digits and a check digit or X; credit codes carry
    # letters in most positions but may be all digits too, so digits-with-a-valid
    # resident check are taken as persons and the caller can say otherwise.
    try:
        ResidentId.parse(identifier)
    except InvalidIdentifier:
        return HolderKind.ORGANISATION
    return HolderKind.PERSON
