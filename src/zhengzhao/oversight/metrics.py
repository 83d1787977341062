"""The metrics of the monthly quality assessment, each with its formula and weight.

A metric measures every department for a window and gives each a sub-score from 0 to
100, or none where it has nothing to measure. Every metric is one `Metric` in
`METRICS`; a new one (upheld objections, once objections exist) is one more entry
there, and the score, the ranking, the report's tables, charts, CSV and JSON take it
up without other changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import Connection

from zhengzhao.issuance.lifecycle import CLOCK_SKEW
from zhengzhao.model.lifecycle import EventKind
from zhengzhao.storage import quality as store

from .months import Window
from .volumes import CompletenessLine, LineStatus, completeness_lines

__all__ = [
    "GATHERING_TARGET_DAYS",
    "METRICS",
    "RECORDING_TARGET_HOURS",
    "Facts",
    "Figure",
    "Measure",
    "Metric",
]

#: A license is gathered on time when the library records it at most this many days
#: after its date of issue. NOTE: the 2022 plan asks that e-licenses be issued with
#: the paper ones and gathered "in real time"; one day allows for a nightly push.
GATHERING_TARGET_DAYS = 1
#: A status change is recorded on time within this many hours of happening.
RECORDING_TARGET_HOURS = 24
#: The events the timeliness of status changes measures: those that change a
#: license's status or encumbrance, whose time a file can state (ZZZTBGRQ).
STATUS_CHANGES = frozenset(
    {
        EventKind.SUSPENDED,
        EventKind.RELEASED,
        EventKind.MORTGAGED,
        EventKind.PLEDGED,
        EventKind.DISCHARGED,
        EventKind.REVOKED,
        EventKind.CANCELLED,
        EventKind.ABOLISHED,
        EventKind.EXPIRED,
    }
)
#: The events that fix a rejected row: the license is issued, or its data changed.
FIXING_EVENTS = frozenset({EventKind.ISSUED, EventKind.CORRECTED, EventKind.EXTENDED})

Value = float | int | None


@dataclass(frozen=True, kw_only=True)
class Figure:
    """One number a metric reports per department."""

    key: str
    label: str
    #: `%` (a share, stored from 0 to 1), `days`, `hours` or `` (a count).
    unit: str = ""


@dataclass(frozen=True, kw_only=True)
class Measure:
    """A metric's result for one department."""

    #: From 0 (worst) to 100 (best); None where the metric has nothing to measure.
    score: float | None
    #: The metric's figures by `Figure.key`.
    figures: Mapping[str, Value] = field(default_factory=dict)


class Facts:
    """What the metrics read, each queried once per assessment."""

    def __init__(self, conn: Connection, window: Window) -> None:
        self.conn = conn
        self.window = window
        self._span = {"start": window.start, "end": window.end}

    @cached_property
    def completeness(self) -> list[CompletenessLine]:
        return completeness_lines(self.conn, window=self.window)

    @cached_property
    def submitted(self) -> dict[int, int]:
        return store.submitted_rows(self.conn, **self._span)

    @cached_property
    def rejected(self) -> dict[int, dict[str, int]]:
        return store.rejected_rows(self.conn, **self._span)

    @cached_property
    def lenient(self) -> dict[int, tuple[int, int]]:
        return store.lenient_codes(self.conn, **self._span)

    @cached_property
    def gathering(self) -> dict[int, store.DelayStats]:
        return store.gathering_delays(
            self.conn, **self._span, target_days=GATHERING_TARGET_DAYS
        )

    @cached_property
    def recording(self) -> dict[int, store.DelayStats]:
        return store.event_delays(
            self.conn,
            **self._span,
            kinds=sorted(kind.value for kind in STATUS_CHANGES),
            target_seconds=RECORDING_TARGET_HOURS * 3600,
            # A time stated ahead within the drift the lifecycle allows is on time.
            floor_seconds=-int(CLOCK_SKEW.total_seconds()),
        )

    @cached_property
    def rectification(self) -> dict[int, store.Rectification]:
        return store.rectification(
            self.conn,
            **self._span,
            fixing=sorted(kind.value for kind in FIXING_EVENTS),
        )

    @cached_property
    def uses(self) -> dict[int, tuple[int, int]]:
        return store.license_uses(self.conn, **self._span)


@dataclass(frozen=True, kw_only=True)
class Metric:
    """One thing assessed, how, and how much it weighs in the score."""

    key: str
    title: str
    #: `completeness`, `accuracy`, `timeliness`, `rectification` or `use`.
    group: str
    #: Its weight in the score, out of the weights of the metrics assessed.
    weight: float
    #: How it is computed and scored, as the report prints it.
    formula: str
    figures: tuple[Figure, ...]
    measure: Callable[[Facts], dict[int, Measure]]


@dataclass
class _Completeness:
    counted: int = 0
    expected: int = 0
    declared: int = 0
    types: int = 0

    def measure(self) -> Measure:
        rate: float | None = None
        if self.expected:
            rate = self.counted / self.expected
        elif self.declared:
            rate = 1.0  # every declared volume is 0: nothing is missing
        share = self.declared / self.types
        return Measure(
            score=100 * rate * share if rate is not None else 0.0,
            figures={
                "counted": self.counted,
                "expected": self.expected,
                "rate": rate,
                "declared": self.declared,
                "types": self.types,
            },
        )


def _completeness(facts: Facts) -> dict[int, Measure]:
    totals: dict[int, _Completeness] = {}
    for line in facts.completeness:
        if line.status is LineStatus.UNLISTED:
            continue
        total = totals.setdefault(line.department_id, _Completeness())
        total.types += 1
        if line.expected is not None:
            total.declared += 1
            total.counted += min(line.gathered, line.expected)
            total.expected += line.expected
    return {department: total.measure() for department, total in totals.items()}


def _rejection_rate(category: str) -> Callable[[Facts], dict[int, Measure]]:
    def measure(facts: Facts) -> dict[int, Measure]:
        found = {}
        for department, submitted in facts.submitted.items():
            if not submitted:
                continue
            failed = facts.rejected.get(department, {}).get(category, 0)
            found[department] = Measure(
                score=100 * (1 - failed / submitted),
                figures={
                    "submitted": submitted,
                    "failed": failed,
                    "rate": failed / submitted,
                },
            )
        return found

    return measure


def _lenient(facts: Facts) -> dict[int, Measure]:
    return {
        department: Measure(
            score=100 * (1 - lenient / total),
            figures={"licenses": total, "lenient": lenient, "rate": lenient / total},
        )
        for department, (total, lenient) in facts.lenient.items()
        if total
    }


def _delays(
    pick: Callable[[Facts], dict[int, store.DelayStats]], scale: float
) -> Callable[[Facts], dict[int, Measure]]:
    def measure(facts: Facts) -> dict[int, Measure]:
        return {
            department: Measure(
                score=100 * stats.on_time / stats.count,
                figures={
                    "records": stats.count,
                    "median": stats.median / scale,
                    "p95": stats.p95 / scale,
                    "on_time": stats.on_time / stats.count,
                },
            )
            for department, stats in pick(facts).items()
            if stats.count
        }

    return measure


def _rectification(facts: Facts) -> dict[int, Measure]:
    return {
        department: Measure(
            score=100 * found.fixed / found.open,
            figures={
                "open": found.open,
                "fixed": found.fixed,
                "rate": found.fixed / found.open,
            },
        )
        for department, found in facts.rectification.items()
    }


def _use(facts: Facts) -> dict[int, Measure]:
    held: dict[int, int] = {}
    for line in facts.completeness:
        held[line.department_id] = held.get(line.department_id, 0) + line.gathered
    rates = {
        department: facts.uses.get(department, (0, 0))[1] / count
        for department, count in held.items()
        if count
    }
    best = max(rates.values(), default=0.0)
    if not best:
        return {}  # nothing of the library was used: nobody to compare
    return {
        department: Measure(
            score=100 * rate / best,
            figures={
                "uses": facts.uses.get(department, (0, 0))[0],
                "used": facts.uses.get(department, (0, 0))[1],
                "held": held[department],
                "rate": rate,
            },
        )
        for department, rate in rates.items()
    }


_RATE_FIGURES = (
    Figure(key="submitted", label="rows submitted"),
    Figure(key="failed", label="rows failing"),
    Figure(key="rate", label="failure rate", unit="%"),
)
_DELAY_FIGURES = {
    unit: (
        Figure(key="records", label="records"),
        Figure(key="median", label="median delay", unit=unit),
        Figure(key="p95", label="95th percentile", unit=unit),
        Figure(key="on_time", label="on time", unit="%"),
    )
    for unit in ("days", "hours")
}
_SUBMITTED = (
    "rows submitted: the rows of the department's gathering batches submitted in the"
    " month and the records it pushed in the month (live sync, one row each),"
    " whatever became of them"
)
_PERCENTILE = (
    "Median and 95th percentile by nearest rank: the smallest delay within which at"
    " least half (95 %) of the records fall."
)

METRICS: tuple[Metric, ...] = (
    Metric(
        key="completeness",
        title="Completeness · 完整性",
        group="completeness",
        weight=30,
        formula=(
            "rate = Σ_T min(gathered_T, expected_T) ÷ Σ_T expected_T over the types"
            " T for which the department declared an expected volume (1 when every"
            " volume it declared is 0). gathered_T: licenses of type T issued by the"
            " department that are in the library at the month's end, each counted"
            " once by its version current then, whatever its status; expected_T:"
            " the latest volume declared for a day on or before the month's last"
            " day. A surplus in one type does not make up for a shortfall in"
            " another. Its types: every published type the responsibility list"
            " gives a department of its kind, level and region, and any other type"
            " it declared. Sub-score: 100 × rate × (types declared ÷ its types): a"
            " type it declared no volume of (undeclared in the completeness table)"
            " counts as nothing complete, and a department that declared none"
            " scores 0, whatever it gathered."
        ),
        figures=(
            Figure(key="counted", label="gathered (capped per type)"),
            Figure(key="expected", label="expected"),
            Figure(key="rate", label="completeness of declared types", unit="%"),
            Figure(key="declared", label="types declared"),
            Figure(key="types", label="types to gather"),
        ),
        measure=_completeness,
    ),
    Metric(
        key="identifiers",
        title="Holder identifiers · 持证主体代码",
        group="accuracy",
        weight=10,
        formula=(
            "rows whose holder identifier (CZZTDM) is empty or fails GB 11643 / GB"
            f" 32100 ÷ rows submitted; {_SUBMITTED}. A CZZTDM refused for another"
            " reason (another holder's than the license's, a transfer; a"
            " spreadsheet number cell that lost its digits) counts among other"
            " rejections. Sub-score: 100 × (1 − rate)."
        ),
        figures=_RATE_FIGURES,
        measure=_rejection_rate("identifier"),
    ),
    Metric(
        key="schema",
        title="Schema conformance · 数据规范",
        group="accuracy",
        weight=10,
        formula=(
            "rows with a surface field missing, unknown or not matching the license"
            f" type's schema ÷ rows submitted; {_SUBMITTED}. Sub-score: 100 × (1 −"
            " rate)."
        ),
        figures=_RATE_FIGURES,
        measure=_rejection_rate("schema"),
    ),
    Metric(
        key="metadata",
        title="Other rejections · 其他退回",
        group="accuracy",
        weight=5,
        formula=(
            "rows refused for their metadata (paper number ZZBH, holder name CZZT,"
            " dates, validity, status ZZZT and its date ZZZTBGRQ, columns that"
            " contradict the batch, a value that is not text, a holder identifier"
            " of another holder than the license's, a number cell that lost its"
            " digits), for their shape (another number of cells than the header, a"
            " quote never closed, a line that is not JSON), or for a change the"
            f" lifecycle refuses ÷ rows submitted; {_SUBMITTED}. Sub-score: 100 ×"
            " (1 − rate)."
        ),
        figures=_RATE_FIGURES,
        measure=_rejection_rate("other"),
    ),
    Metric(
        key="lenient",
        title="Lenient credit codes · 宽松校验代码",
        group="accuracy",
        weight=5,
        formula=(
            "licenses for organisations first recorded in the month whose holder's"
            " unified social credit code failed its check characters and was"
            " accepted only as a pilot-era code ÷ licenses for organisations first"
            " recorded in the month (by batch or API). Sub-score: 100 × (1 − rate)."
        ),
        figures=(
            Figure(key="licenses", label="licenses for organisations"),
            Figure(key="lenient", label="lenient codes"),
            Figure(key="rate", label="lenient rate", unit="%"),
        ),
        measure=_lenient,
    ),
    Metric(
        key="gathering_delay",
        title="Timeliness of gathering · 归集及时性",
        group="timeliness",
        weight=15,
        formula=(
            "delay = the day (China Standard Time) the library recorded a license −"
            " its date of issue (ZZBFRQ), in days, over the licenses first recorded"
            f" in the month. {_PERCENTILE} On time: a delay from 0 to"
            f" {GATHERING_TARGET_DAYS} day; a date of issue after the day recorded"
            " is never on time. Sub-score: 100 × the share on time."
        ),
        figures=_DELAY_FIGURES["days"],
        measure=_delays(lambda facts: facts.gathering, 1),
    ),
    Metric(
        key="recording_delay",
        title="Timeliness of status changes · 变更及时性",
        group="timeliness",
        weight=10,
        formula=(
            "delay = when the library recorded a status change − when it happened,"
            " in hours, over the status changes recorded in the month: suspension"
            " and release, mortgage, pledge and discharge, revocation, cancellation,"
            " abolition, expiry. When it happened is what the department stated:"
            " occurredAt through the API or a push, or the day ZZZTBGRQ of a"
            " gathered row, counted from 00:00 China Standard Time; a change stated"
            " without one counts as happening when it was recorded (a delay of 0)."
            f" {_PERCENTILE} On time: within {RECORDING_TARGET_HOURS} hours (a time"
            f" stated up to {int(CLOCK_SKEW.total_seconds() // 60)} minutes ahead,"
            " for clocks that drift, counts too). Sub-score: 100 × the share on"
            " time."
        ),
        figures=_DELAY_FIGURES["hours"],
        measure=_delays(lambda facts: facts.recording, 3600),
    ),
    Metric(
        key="rectification",
        title="Rectification · 整改",
        group="rectification",
        weight=15,
        formula=(
            "rows fixed in the month ÷ rows open in the month. Rows: the rejected"
            " rows of gathering batches and the rejected pushes, with a paper"
            " number. Open: rejected before the month's end (a row when its chunk"
            " committed) and not fixed before the month began. Fixed: after the"
            " rejection, a license of the row's type and department with its paper"
            " number was issued, corrected or extended (by a later row of the same"
            " or another batch, a push or an API call); a status change or any"
            " other event on it fixes nothing. Sub-score: 100 × the ratio."
        ),
        figures=(
            Figure(key="open", label="rows open"),
            Figure(key="fixed", label="rows fixed"),
            Figure(key="rate", label="rectified", unit="%"),
        ),
        measure=_rectification,
    ),
    Metric(
        key="use",
        title="Use · 应用",
        group="use",
        weight=10,
        formula=(
            "rate = licenses of the department read at least once in the month by a"
            " share, a check or a prefill (a license once, whichever of its"
            " versions were read) ÷ licenses of the department in the library at"
            " the month's end (counted as for completeness). Sub-score:"
            " 100 × rate ÷ the best department's rate, so that the most used"
            " library scores 100; not assessed in a month when no license was"
            " used. Uses: every license read by every share, check and prefill."
        ),
        figures=(
            Figure(key="uses", label="reads"),
            Figure(key="used", label="licenses read"),
            Figure(key="held", label="licenses held"),
            Figure(key="rate", label="share read", unit="%"),
        ),
        measure=_use,
    ),
)
