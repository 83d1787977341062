"""Reports for oversight: completeness against the responsibility list, the
monthly data-quality assessment, and the exemption measure of the sharing plan."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import Field

from zhengzhao.api.deps import Caller, CurrentNode, Now
from zhengzhao.api.schemas import ApiModel, ErrorBody
from zhengzhao.oversight.export import report_document
from zhengzhao.oversight.months import Month
from zhengzhao.oversight.quality import assess_quality
from zhengzhao.oversight.volumes import completeness
from zhengzhao.sharing.exemption_report import exemption_statistics

__all__ = ["router"]

router = APIRouter(prefix="/v1/reports", tags=["oversight"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody} for status in (401, 403, 404, 422)
}
MonthQuery = Annotated[
    str,
    Query(max_length=20, description="The month, as YYYY-MM (China Standard Time)."),
]


class CompletenessOut(ApiModel):
    department: str
    department_name: str
    type_code: str
    type_name: str
    expected: int | None = Field(description="Null: no volume declared.")
    as_of: date | None = Field(description="The day the declared figure stands at.")
    gathered: int = Field(
        description="Licenses of the type and department in the library at the"
        " month's end, each once by its version current then."
    )
    ratio: float | None = Field(description="gathered ÷ expected.")
    status: str = Field(
        description="`declared`: a volume stands; `undeclared`: the responsibility"
        " list gives the type to the department, which declared none; `unlisted`:"
        " gathered, though neither declared nor on the department's list."
    )


@router.get("/completeness", response_model=list[CompletenessOut], responses=_ERRORS)
def completeness_report(
    month: MonthQuery,
    principal: Caller,
    node: CurrentNode,
    now: Now,
    department: Annotated[str | None, Query(max_length=18)] = None,
) -> list[CompletenessOut]:
    """Completeness per department and license type at the month's end (or now, in
    the current month): every type declared, gathered, or given to the department
    by the responsibility list. A department reads its own lines."""
    with node.database.reading() as conn:
        lines = completeness(
            conn,
            principal=principal,
            window=Month.parse(month).window(now),
            department_code=department,
        )
    return [
        CompletenessOut(
            department=line.department_code,
            department_name=line.department_name,
            type_code=line.type_code,
            type_name=line.type_name,
            expected=line.expected,
            as_of=line.as_of,
            gathered=line.gathered,
            ratio=line.ratio,
            status=line.status.value,
        )
        for line in lines
    ]


@router.get(
    "/quality",
    responses={
        **_ERRORS,
        200: {
            "description": "The assessment: month, score formula, metrics with their"
            " formulas and weights, departments ranked with their measures, and"
            " completeness per type.",
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
    },
)
def quality_report(
    month: MonthQuery, principal: Caller, node: CurrentNode, now: Now
) -> dict[str, Any]:
    """The monthly data-quality assessment (operators and auditors): the same data
    as `zhengzhao report quality` writes to its JSON file."""
    with node.database.reading() as conn:
        report = assess_quality(
            conn, principal=principal, month=Month.parse(month), now=now
        )
    return report_document(report)


@router.get(
    "/exemptions",
    responses={
        **_ERRORS,
        200: {
            "description": "The material and field shares the node supplies, per"
            " matter and overall, by design and in practice, with their formulas,"
            " the weighting and the plan's target (see docs/matters.md).",
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
    },
)
def exemptions_report(
    principal: Caller,
    node: CurrentNode,
    matter: Annotated[
        str | None, Query(max_length=64, description="Only this matter.")
    ] = None,
    since: Annotated[
        date | None,
        Query(description="First day of the prefills counted (China Standard Time)."),
    ] = None,
    until: Annotated[
        date | None,
        Query(description="Last day of the prefills counted, included."),
    ] = None,
) -> dict[str, Any]:
    """How much of what service matters ask the node supplies (operators and
    auditors): by design from the matters and the catalog, in practice from the
    prefills made in the period; the same data `zhengzhao report exemptions --json`
    prints."""
    with node.database.reading() as conn:
        report = exemption_statistics(
            conn, principal=principal, matter_code=matter, since=since, until=until
        )
    return report.to_json()
