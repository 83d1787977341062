"""The quality report's charts, drawn with matplotlib's Agg renderer as PNG images.

Figures are built without `pyplot`, so drawing holds no global state and is safe in
the API's threads. Departments are labelled by rank and English name (or credit code):
the fonts matplotlib ships have no Chinese glyphs, and the report's tables beside each
chart give the Chinese names.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .quality import DepartmentResult, QualityReport

__all__ = ["Chart", "report_charts"]

#: Dots per inch: sharp at twice the size a page shows it.
_DPI = 144
_WIDTH = 8.0
_ROW_INCHES = 0.32
_LABEL_CHARACTERS = 44
_COLOURS = ("#1f5fa8", "#c4661f", "#3b8a3e", "#8e3b8a")


@dataclass(frozen=True, kw_only=True)
class Chart:
    """One chart: what it shows, in words for those who cannot see it, and the
    image."""

    key: str
    title: str
    #: A sentence describing what the chart shows.
    description: str
    png: bytes

    @property
    def data_uri(self) -> str:
        """The image to embed in HTML: ``data:image/png;base64,…``."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


def report_charts(report: QualityReport) -> tuple[Chart, ...]:
    """The score ranking, the sub-scores of every metric, completeness, and delays
    of gathering."""
    results = report.departments
    return (
        _scores(results),
        _sub_scores(report),
        _completeness(results),
        _gathering_delays(results),
    )


def _label(result: DepartmentResult) -> str:
    name = result.department.name_en or result.department.credit_code
    if len(name) > _LABEL_CHARACTERS:
        name = name[: _LABEL_CHARACTERS - 1] + "…"
    return f"{result.rank}. {name}"


def _figure(rows: int, *, extra: float = 0.0) -> Figure:
    """A figure tall enough for ``rows`` labelled rows, plus ``extra`` inches."""
    height = 1.2 + extra + _ROW_INCHES * max(rows, 1)
    return Figure(figsize=(_WIDTH, height), dpi=_DPI)


def _png(figure: Figure) -> bytes:
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _bars(
    results: Sequence[DepartmentResult], values: Sequence[float | None]
) -> tuple[Figure, Axes]:
    figure = _figure(len(results))
    axes: Axes = figure.subplots()
    shown = [value if value is not None else 0.0 for value in values]
    positions = range(len(results))
    axes.barh(positions, shown, color=_COLOURS[0])
    axes.set_yticks(list(positions), [_label(result) for result in results])
    axes.invert_yaxis()
    for position, value in zip(positions, values, strict=True):
        text = "not assessed" if value is None else f"{value:.1f}"
        axes.text((value or 0) + 1, position, text, va="center", fontsize=8)
    return figure, axes


def _scores(results: Sequence[DepartmentResult]) -> Chart:
    figure, axes = _bars(results, [result.score for result in results])
    axes.set_xlim(0, 110)
    axes.set_xlabel("score (0 to 100)")
    best = results[0]
    return Chart(
        key="scores",
        title="Score by department · 部门得分",
        description=(
            f"Horizontal bars of the {len(results)} departments' scores, best first;"
            f" the best is {best.department.name} with {best.score:.1f}."
        ),
        png=_png(figure),
    )


def _sub_scores(report: QualityReport) -> Chart:
    results, metrics = report.departments, report.metrics
    figure = _figure(len(results), extra=1.0)  # room for the slanted metric names
    axes = figure.subplots()
    grid = [[_sub_score(result, m.key) for m in metrics] for result in results]
    image = axes.imshow(grid, cmap="RdYlGn", vmin=0, vmax=100, aspect="auto")
    axes.set_xticks(
        range(len(metrics)),
        [m.title.split(" · ")[0] for m in metrics],
        rotation=30,
        ha="right",
        fontsize=8,
    )
    axes.set_yticks(range(len(results)), [_label(result) for result in results])
    for row, values in enumerate(grid):
        for column, value in enumerate(values):
            text = "–" if math.isnan(value) else f"{value:.0f}"
            axes.text(column, row, text, ha="center", va="center", fontsize=7)
    figure.colorbar(image, ax=axes, label="sub-score")
    return Chart(
        key="sub-scores",
        title="Sub-scores by metric · 各项指标得分",
        description=(
            "A grid of every department's sub-score (0 red to 100 green) for each"
            " metric; a dash marks a metric with nothing to measure."
        ),
        png=_png(figure),
    )


def _completeness(results: Sequence[DepartmentResult]) -> Chart:
    values = [_percent(result, "completeness", "rate") for result in results]
    figure, axes = _bars(results, values)
    axes.axvline(100, color="#555555", linewidth=1)
    axes.set_xlim(0, 115)
    axes.set_xlabel("licenses gathered, % of the expected volume")
    short = sum(1 for value in values if value is not None and value < 100)
    return Chart(
        key="completeness",
        title="Completeness · 完整性",
        description=(
            f"Horizontal bars of gathered licenses as a share of the declared volume;"
            f" {short} departments fall short of 100 %."
        ),
        png=_png(figure),
    )


def _gathering_delays(results: Sequence[DepartmentResult]) -> Chart:
    figure = _figure(len(results))
    axes = figure.subplots()
    positions = list(range(len(results)))
    for offset, (figure_key, label) in enumerate(
        (("median", "median"), ("p95", "95th percentile"))
    ):
        values = [
            _figure_value(result, "gathering_delay", figure_key) for result in results
        ]
        axes.barh(
            [p + (offset - 0.5) * 0.4 for p in positions],
            [(value or 0) + 1 for value in values],
            height=0.4,
            color=_COLOURS[offset],
            label=label,
        )
    axes.set_xscale("log")
    axes.set_yticks(positions, [_label(result) for result in results])
    axes.invert_yaxis()
    axes.set_xlabel("days from date of issue to gathered, plus one (log scale)")
    axes.legend(loc="lower right", fontsize=8)
    return Chart(
        key="gathering-delays",
        title="Delay of gathering · 归集时延",
        description=(
            "Pairs of horizontal bars per department: the median and the 95th"
            " percentile of days from a license's date of issue to its gathering."
        ),
        png=_png(figure),
    )


def _sub_score(result: DepartmentResult, metric: str) -> float:
    measure = result.measures.get(metric)
    return measure.score if measure and measure.score is not None else math.nan


def _figure_value(result: DepartmentResult, metric: str, key: str) -> float | None:
    measure = result.measures.get(metric)
    value = measure.figures.get(key) if measure else None
    return float(value) if value is not None else None


def _percent(result: DepartmentResult, metric: str, key: str) -> float | None:
    value = _figure_value(result, metric, key)
    return 100 * value if value is not None else None
