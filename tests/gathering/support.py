"""Files for gathering tests: CSV, JSON Lines and Excel rows of resident identity
cards."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from support.world import example_fields, person_id

COLUMNS = ["ZZBH", "CZZT", "CZZTDM", "ZZBFRQ", "ZZYXQQSRQ", "ZZYXQJZRQ"]


def card_row(number: int, **changes: Any) -> dict[str, Any]:
    """A valid resident identity card row with paper number ``P<number>``."""
    row = {
        "ZZBH": f"P{number:07d}",
        "CZZT": "张三",
        "CZZTDM": person_id(date(1990, 1, 1), sequence=number % 1000),
        "ZZBFRQ": "2026-01-05",
        "ZZYXQQSRQ": "2026-01-05",
        "ZZYXQJZRQ": "2036-01-04",
        **example_fields("resident-identity-card"),
    }
    row.update(changes)
    return row


def write_csv(path: Path, rows: list[dict[str, Any]]) -> Path:
    columns = list(dict.fromkeys(name for row in rows for name in row))
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text(
        "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows),
        encoding="utf-8",
    )
    return path


def write_xlsx(
    path: Path, rows: list[dict[str, Any]], *, sheet: str = "Sheet1", **more: Any
) -> Path:
    """A workbook with ``rows`` in sheet ``sheet`` and, for each of ``more``, a sheet
    of that name with those rows. Values are written as they are: a `date` becomes
    a date cell, an `int` a number cell."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, sheet_rows in {sheet: rows, **more}.items():
        worksheet = workbook.create_sheet(title)
        columns = list(dict.fromkeys(name for row in sheet_rows for name in row))
        worksheet.append(columns)
        for row in sheet_rows:
            worksheet.append([row.get(name) for name in columns])
    workbook.save(path)
    return path
