"""Live sync: a departmental system pushes one license record as it changes, and
reads back the records that were rejected.

A push takes an `Idempotency-Key`: a replay answers what the first request got,
rejection included, and changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import Field
from sqlalchemy import Connection

from zhengzhao.api.deps import Caller, CurrentNode, Now
from zhengzhao.api.idempotency import fingerprint, run_idempotent
from zhengzhao.api.pagination import decode_cursor, encode_cursor
from zhengzhao.api.schemas import ApiModel, ErrorBody
from zhengzhao.errors import RecordRejected
from zhengzhao.gathering.live import PushResult, push_record, rejected_pushes
from zhengzhao.gathering.updates import Outcome
from zhengzhao.storage.pushes import PushProblem, StoredPush

__all__ = ["router"]

router = APIRouter(prefix="/v1/gathering", tags=["gathering"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody} for status in (401, 403, 404, 409, 422)
}
_RECORD_EXAMPLE = {
    "ZZBH": "P0000001",
    "CZZT": "张三",
    "CZZTDM": "650102199001011239",
    "ZZBFRQ": "2026-01-05",
    "ZZYXQJZRQ": "2036-01-04",
    "ZZZT": "01",
    "sex": "男",
    "ethnicity": "汉",
    "birthDate": "1990-01-01",
    "address": "新疆乌鲁木齐市天山区解放南路100号",
}


class ProblemOut(ApiModel):
    field: str | None = Field(description="The metadata name or field at fault.")
    value: str | None = Field(description="The value found, masked if classified.")
    reason: str

    @classmethod
    def of(cls, problem: PushProblem) -> ProblemOut:
        return cls(field=problem.field, value=problem.value, reason=problem.reason)


class PushedEventOut(ApiModel):
    license: str = Field(description="The license version the event is on.")
    sequence: int
    kind: str


class PushOut(ApiModel):
    push: int = Field(description="The push's number.")
    outcome: str = Field(description="`accepted`, `updated` or `unchanged`.")
    department: str = Field(description="The issuing department's credit code.")
    type_code: str
    paper_number: str = Field(description="ZZBH.")
    licenses: list[str] = Field(
        description="The license versions the push touched, oldest first; the last"
        " is the newest."
    )
    events: list[PushedEventOut] = Field(
        description="The events recorded, in order; `issued` for each new version."
    )
    warnings: list[str]

    @classmethod
    def of(cls, result: PushResult) -> PushOut:
        assert result.paper_number is not None
        return cls(
            push=result.push_id,
            outcome=result.outcome.value,
            department=result.department_code,
            type_code=result.type_code,
            paper_number=result.paper_number,
            licenses=list(result.licenses),
            events=[
                PushedEventOut(
                    license=event.license,
                    sequence=event.sequence,
                    kind=event.kind.value,
                )
                for event in result.events
            ],
            warnings=list(result.warnings),
        )


class RejectedPushOut(ApiModel):
    push: int = Field(description="The push's number.")
    received_at: datetime
    department: str
    type_code: str
    paper_number: str | None = Field(description="ZZBH, when the record had one.")
    problems: list[ProblemOut]

    @classmethod
    def of(cls, push: StoredPush) -> RejectedPushOut:
        return cls(
            push=push.id,
            received_at=push.received_at,
            department=push.department_code,
            type_code=push.type_code,
            paper_number=push.paper_number,
            problems=[ProblemOut.of(problem) for problem in push.problems],
        )


class RejectedPushPageOut(ApiModel):
    items: list[RejectedPushOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page.")


@router.post(
    "/records",
    status_code=201,
    response_model=PushOut,
    responses={
        **_ERRORS,
        200: {
            "model": PushOut,
            "description": "The record updated a license, or"
            " said what it says already.",
        },
        422: {
            "model": ErrorBody,
            "description": "`record-rejected`: `details.problems` lists every"
            " problem; the push is stored and listed under `/v1/gathering/rejections`."
            " Other codes: the request itself is malformed.",
        },
    },
    summary="Push one license record (live sync)",
)
def push(
    request: Request,
    principal: Caller,
    node: CurrentNode,
    now: Now,
    record: Annotated[
        dict[str, Any],
        Body(
            description="One record in the GB/T 36903 metadata form: the keys of a"
            " gathering file's row.",
            examples=[_RECORD_EXAMPLE],
        ),
    ],
    type_code: Annotated[
        str, Query(alias="type", max_length=21, description="The license type.")
    ],
    department: Annotated[
        str | None,
        Query(max_length=18, description="Credit code; a department's own default."),
    ] = None,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias="Idempotency-Key",
            description="Unique per record pushed; a replay returns the first answer.",
        ),
    ] = None,
) -> JSONResponse:
    """Gather one license record with the checks of a batch row: 201 `accepted` for a
    new paper number (ZZBH), 200 `updated` for a correction, extension or status
    change of a license gathered before, 200 `unchanged` when nothing differs, 422
    `record-rejected` with every problem.

    A department pushes its own licenses; an operator for the department it names.
    """

    def action(conn: Connection) -> tuple[int, dict[str, Any]]:
        result = push_record(
            conn,
            node,
            principal=principal,
            department_code=department,
            type_code=type_code,
            record=record,
            now=now,
        )
        if result.outcome is Outcome.REJECTED:
            return 422, _rejected(result).to_dict()
        status = 201 if result.outcome is Outcome.ACCEPTED else 200
        return status, PushOut.of(result).model_dump(mode="json", by_alias=True)

    target = f"{request.url.path}?type={type_code}&department={department or ''}"
    return run_idempotent(
        node,
        principal=principal,
        key=idempotency_key,
        request_fingerprint=fingerprint(request.method, target, record),
        action=action,
        now=now,
    )


@router.get(
    "/rejections",
    response_model=RejectedPushPageOut,
    responses=_ERRORS,
    summary="Rejected pushes",
)
def rejections(
    principal: Caller,
    node: CurrentNode,
    type_code: Annotated[
        str | None, Query(alias="type", max_length=21, description="A license type.")
    ] = None,
    department: Annotated[str | None, Query(max_length=18)] = None,
    since: Annotated[
        datetime | None, Query(description="Received at or after, with an offset.")
    ] = None,
    until: Annotated[
        datetime | None, Query(description="Received before, with an offset.")
    ] = None,
    cursor: Annotated[str | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> RejectedPushPageOut:
    """Pushed records that were rejected, newest first, each with every problem: a
    department's own; any department's for operators and auditors."""
    with node.database.reading() as conn:
        pushes = rejected_pushes(
            conn,
            principal=principal,
            department_code=department,
            type_code=type_code,
            since=since,
            until=until,
            before_id=decode_cursor(cursor),
            limit=limit + 1,
        )
    more = len(pushes) > limit
    pushes = pushes[:limit]
    return RejectedPushPageOut(
        items=[RejectedPushOut.of(push) for push in pushes],
        next_cursor=encode_cursor(pushes[-1].id) if more else None,
    )


def _rejected(result: PushResult) -> RecordRejected:
    count = len(result.problems)
    reasons = "; ".join(problem.reason for problem in result.problems)
    return RecordRejected(
        f"the record cannot be gathered ({count} problem{'s' if count > 1 else ''}):"
        f" {reasons}. Correct it and push it again with a new Idempotency-Key",
        details={
            "push": result.push_id,
            "problems": [
                ProblemOut.of(problem).model_dump(mode="json", by_alias=True)
                for problem in result.problems
            ],
        },
    )
