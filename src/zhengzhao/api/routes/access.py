"""Access records: a holder reads its own; auditors read them all."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import Field

from zhengzhao.api.deps import Caller, CurrentNode, Holder, Now
from zhengzhao.api.pagination import decode_cursor, encode_cursor
from zhengzhao.api.routes.authorizations import OnBehalfOf
from zhengzhao.api.schemas import ApiModel, ErrorBody
from zhengzhao.model.license import HolderKind
from zhengzhao.sharing.access import AccessPage, audited_records, holder_record
from zhengzhao.sharing.access import holder_records as own_records
from zhengzhao.translog.service import access_inclusion, witness_names

router = APIRouter(tags=["access records"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody} for status in (401, 403, 404, 422)
}
Cursor = Annotated[str | None, Query(description="From the previous page.")]
Limit = Annotated[int, Query(ge=1, le=200)]


class AccessRecordOut(ApiModel):
    document: dict[str, Any] = Field(
        description="The record document (type ZhengzhaoAccessRecord, version 1);"
        " its SHA-256 over RFC 8785 bytes is what the log's leaf commits to."
    )


class AccessRecordProofOut(AccessRecordOut):
    log: dict[str, Any] | None = Field(
        description="The record's leaf and its inclusion proof under the latest"
        " checkpoint; null until the sequencer has integrated it."
    )


class AccessPageOut(ApiModel):
    items: list[AccessRecordOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for older records.")

    @classmethod
    def of(cls, page: AccessPage) -> AccessPageOut:
        return cls(
            items=[AccessRecordOut(document=item.document) for item in page.items],
            next_cursor=encode_cursor(page.next_cursor),
        )


def _before(cursor: str | None) -> int | None:
    return decode_cursor(cursor) or None


@router.get(
    "/v1/me/access-records",
    response_model=AccessPageOut,
    responses=_ERRORS,
    summary="Who used the holder's data",
)
def mine(
    session: Holder,
    node: CurrentNode,
    cursor: Cursor = None,
    limit: Limit = 50,
    on_behalf_of: OnBehalfOf = None,
) -> AccessPageOut:
    """Every share, check, prefill and read of the holder's data, the newest first,
    refused attempts included; an agent passes `onBehalfOf` to read those of the
    holder who appointed it."""
    with node.database.reading() as conn:
        page = own_records(
            conn,
            node,
            session=session,
            on_behalf_of=on_behalf_of,
            before=_before(cursor),
            limit=limit,
        )
    return AccessPageOut.of(page)


@router.get(
    "/v1/me/access-records/{record_id}",
    response_model=AccessRecordProofOut,
    responses=_ERRORS,
)
def one(
    record_id: Annotated[str, Path(max_length=40)],
    session: Holder,
    node: CurrentNode,
    on_behalf_of: OnBehalfOf = None,
) -> AccessRecordProofOut:
    """One record with the proof that the node's transparency log holds it."""
    with node.database.reading() as conn:
        record, index = holder_record(
            conn,
            node,
            session=session,
            record_id=record_id,
            on_behalf_of=on_behalf_of,
        )
        inclusion = access_inclusion(conn, index, witnesses=witness_names(node))
    return AccessRecordProofOut(
        document=record.document,
        log=None if inclusion is None else inclusion.to_json(),
    )


@router.get(
    "/v1/access-records",
    response_model=AccessPageOut,
    responses=_ERRORS,
    summary="Every access record (auditors)",
)
def audited(
    principal: Caller,
    node: CurrentNode,
    now: Now,
    holder: Annotated[
        str | None, Query(max_length=40, description="Only this holder's.")
    ] = None,
    holder_kind: Annotated[HolderKind, Query(alias="holderKind")] = HolderKind.PERSON,
    party: Annotated[
        str | None, Query(max_length=18, description="Only this party's.")
    ] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> AccessPageOut:
    """All records, the newest first, holders' identifiers masked (auditors)."""
    with node.database.reading() as conn:
        page = audited_records(
            conn,
            node,
            principal=principal,
            holder=None if holder is None else (holder_kind, holder),
            party_code=party,
            before=_before(cursor),
            limit=limit,
            now=now,
        )
    return AccessPageOut.of(page)
