"""The monthly data-quality assessment: every department's metrics, score and rank.

The score of a department is the weighted mean of the sub-scores of the metrics it
could be assessed on (`SCORE_FORMULA`); departments are ranked by score. The report
names departments and their defects, so only operators and auditors read it; a
department reads its own completeness through `volumes.completeness`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from zhengzhao.errors import NotFound
from zhengzhao.model.parties import Department, Principal, Role
from zhengzhao.model.permissions import require_role
from zhengzhao.storage import departments as department_store

from .metrics import METRICS, Facts, Measure, Metric
from .months import Month, Window
from .volumes import CompletenessLine

__all__ = ["SCORE_FORMULA", "DepartmentResult", "QualityReport", "assess_quality"]

SCORE_FORMULA = (
    "score = Σ_m w_m · s_m ÷ Σ_m w_m, over the metrics m the department could be"
    " assessed on this month, where s_m is metric m's sub-score (0 to 100) and w_m its"
    " weight. A metric with nothing to measure (no batch or push, no status"
    " change) leaves the score and its weight out; completeness measures every"
    " department with a type on the responsibility list, declared or not."
    " Departments are ranked by score, highest first."
)


@dataclass(frozen=True, kw_only=True)
class DepartmentResult:
    """One department's assessment."""

    department: Department
    #: 1 for the best score; departments with equal scores share nothing but order.
    rank: int
    score: float
    #: Metric key → its measure; metrics not assessed are absent.
    measures: Mapping[str, Measure]
    #: The sum of the weights of the metrics assessed.
    weight: float


@dataclass(frozen=True, kw_only=True)
class QualityReport:
    """The assessment of one month."""

    month: Month
    window: Window
    computed_at: datetime
    metrics: tuple[Metric, ...]
    #: Ranked, best first.
    departments: tuple[DepartmentResult, ...]
    #: Completeness per department and type, for the report's detail table.
    completeness: tuple[CompletenessLine, ...]
    #: Departments with nothing to assess this month.
    unassessed: tuple[Department, ...]
    score_formula: str = SCORE_FORMULA


def assess_quality(
    conn: Connection,
    *,
    principal: Principal,
    month: Month,
    now: datetime,
    metrics: Sequence[Metric] = METRICS,
) -> QualityReport:
    """Assess ``month`` (up to ``now``, for the current month) from stored data.

    Raises `PermissionDenied` for callers other than operators and auditors,
    `InvalidRequest` for a month that has not begun, and `NotFound` when nothing in
    the month can be assessed.
    """
    require_role(principal, Role.OPERATOR, Role.AUDITOR)
    window = month.window(now)
    facts = Facts(conn, window)
    measured = {metric.key: metric.measure(facts) for metric in metrics}
    departments = {d.id: d for d in department_store.list_departments(conn)}
    results = []
    for department_id, department in departments.items():
        measures = {
            key: found[department_id]
            for key, found in measured.items()
            if department_id in found and found[department_id].score is not None
        }
        if measures:
            results.append(_result(department, measures, metrics))
    if not results:
        raise NotFound(
            f"nothing to assess in {month}: no department registered by its end has"
            " a type on the responsibility list, no expected volume stands at its"
            " end, and no license, batch or status change was recorded in it"
        )
    results.sort(key=lambda item: (-item.score, item.department.credit_code))
    ranked = tuple(
        DepartmentResult(
            department=item.department,
            rank=rank,
            score=item.score,
            measures=item.measures,
            weight=item.weight,
        )
        for rank, item in enumerate(results, start=1)
    )
    assessed = {item.department.id for item in ranked}
    return QualityReport(
        month=month,
        window=window,
        computed_at=now,
        metrics=tuple(metrics),
        departments=ranked,
        completeness=tuple(facts.completeness),
        unassessed=tuple(
            sorted(
                (d for d in departments.values() if d.id not in assessed),
                key=lambda d: d.credit_code,
            )
        ),
    )


def _result(
    department: Department, measures: dict[str, Measure], metrics: Sequence[Metric]
) -> DepartmentResult:
    weights = {metric.key: metric.weight for metric in metrics}
    weight = sum(weights[key] for key in measures)
    total = sum(
        weights[key] * measure.score
        for key, measure in measures.items()
        if measure.score is not None
    )
    return DepartmentResult(
        department=department,
        rank=0,
        score=total / weight,
        measures=measures,
        weight=weight,
    )
