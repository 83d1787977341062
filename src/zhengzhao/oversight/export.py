"""The quality report as data: one JSON document, and CSV tables that agree with it.

- ``quality-YYYY-MM.json``: the month, the score's formula, every metric with its
  formula, weight and figures, every department with its rank, score and measures,
  and completeness per department and type;
- ``departments-YYYY-MM.csv``: one row per department, ranked: score, then each
  metric's sub-score and figures as ``<metric>.<figure>`` columns;
- ``completeness-YYYY-MM.csv``: one row per department and license type.

Shares are written from 0 to 1 in both, so that the files agree number for number.
CSV files are UTF-8 with a byte-order mark, which Excel needs to read Chinese names;
a text a spreadsheet would take for a formula starts with ``'``.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
from pathlib import Path
from typing import Any

from zhengzhao.errors import InvalidRequest
from zhengzhao.gathering.workbook import inert_text
from zhengzhao.model.time import to_rfc3339

from .quality import QualityReport

__all__ = [
    "completeness_table",
    "department_table",
    "report_document",
    "report_file_names",
    "write_report_files",
]

Table = tuple[list[str], list[list[Any]]]


def report_document(report: QualityReport) -> dict[str, Any]:
    """The report as JSON-ready data."""
    return {
        "month": str(report.month),
        "windowStart": to_rfc3339(report.window.start),
        "windowEnd": to_rfc3339(report.window.end),
        "complete": report.window.complete,
        "computedAt": to_rfc3339(report.computed_at),
        "scoreFormula": report.score_formula,
        "metrics": [
            {
                "key": metric.key,
                "title": metric.title,
                "group": metric.group,
                "weight": metric.weight,
                "formula": metric.formula,
                "figures": [
                    {"key": f.key, "label": f.label, "unit": f.unit}
                    for f in metric.figures
                ],
            }
            for metric in report.metrics
        ],
        "departments": [
            {
                "rank": item.rank,
                "department": item.department.credit_code,
                "name": item.department.name,
                "nameEn": item.department.name_en,
                "region": item.department.region_code,
                "score": item.score,
                "weightAssessed": item.weight,
                "metrics": {
                    key: {"score": measure.score, "figures": dict(measure.figures)}
                    for key, measure in item.measures.items()
                },
            }
            for item in report.departments
        ],
        "completeness": [
            {
                "department": line.department_code,
                "name": line.department_name,
                "type": line.type_code,
                "typeName": line.type_name,
                "expected": line.expected,
                "asOf": line.as_of.isoformat() if line.as_of else None,
                "gathered": line.gathered,
                "ratio": line.ratio,
                "status": line.status.value,
            }
            for line in report.completeness
        ],
        "unassessed": [d.credit_code for d in report.unassessed],
    }


def department_table(report: QualityReport) -> Table:
    """Header and rows of the departments' CSV file."""
    header = ["rank", "department", "name", "region", "score"]
    for metric in report.metrics:
        header.append(f"{metric.key}.score")
        header += [f"{metric.key}.{figure.key}" for figure in metric.figures]
    rows = []
    for item in report.departments:
        row: list[Any] = [
            item.rank,
            item.department.credit_code,
            item.department.name,
            item.department.region_code,
            item.score,
        ]
        for metric in report.metrics:
            measure = item.measures.get(metric.key)
            row.append(measure.score if measure else None)
            row += [
                measure.figures.get(figure.key) if measure else None
                for figure in metric.figures
            ]
        rows.append(row)
    return header, rows


def completeness_table(report: QualityReport) -> Table:
    """Header and rows of the completeness CSV file."""
    header = [
        "department",
        "name",
        "type",
        "type_name",
        "expected",
        "as_of",
        "gathered",
        "ratio",
        "status",
    ]
    rows: list[list[Any]] = [
        [
            line.department_code,
            line.department_name,
            line.type_code,
            line.type_name,
            line.expected,
            line.as_of.isoformat() if line.as_of else None,
            line.gathered,
            line.ratio,
            line.status.value,
        ]
        for line in report.completeness
    ]
    return header, rows


def csv_text(table: Table) -> str:
    """A table as CSV text; an empty cell is a value that does not exist."""
    header, rows = table
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if value is None else _cell(value) for value in row])
    return "\ufeff" + buffer.getvalue()


def report_file_names(report: QualityReport) -> dict[str, str]:
    month = str(report.month)
    return {
        "html": f"quality-{month}.html",
        "json": f"quality-{month}.json",
        "departments": f"departments-{month}.csv",
        "completeness": f"completeness-{month}.csv",
    }


def write_report_files(
    report: QualityReport, directory: Path, *, html: str
) -> list[Path]:
    """Write the HTML report (given, rendered), the JSON and both CSV files into
    ``directory`` (created if needed); returns their paths.

    The files are written whole or not at all: each goes to a temporary name
    first, and they take their names only once all four are written, so that a
    failure midway leaves the files of an earlier run as they were. Raises
    `InvalidRequest` when the directory or a file cannot be written.
    """
    names = report_file_names(report)
    contents = {
        "html": html,
        "json": json.dumps(report_document(report), ensure_ascii=False, indent=2)
        + "\n",
        "departments": csv_text(department_table(report)),
        "completeness": csv_text(completeness_table(report)),
    }
    paths = [directory / names[key] for key in contents]
    partials = [path.with_name(f".{path.name}.partial") for path in paths]
    try:
        directory.mkdir(parents=True, exist_ok=True)
        for partial, text in zip(partials, contents.values(), strict=True):
            partial.write_text(text, encoding="utf-8", newline="")
        for partial, path in zip(partials, paths, strict=True):
            partial.replace(path)
    except OSError as exc:
        raise InvalidRequest(
            f"cannot write the report into {directory}: {exc.strerror or exc}"
        ) from exc
    finally:
        for partial in partials:
            with contextlib.suppress(OSError):  # the error above says what failed
                partial.unlink(missing_ok=True)
    return paths


def _cell(value: Any) -> str:
    # repr keeps every digit of a float, so the CSV agrees with the JSON exactly.
    if isinstance(value, float):
        return repr(value)
    # A name is text, even one a spreadsheet would take for a formula.
    return inert_text(value) if isinstance(value, str) else str(value)
