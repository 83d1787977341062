"""``zhengzhao id``: check identifiers by their national standards from a terminal."""

from __future__ import annotations

import datetime
import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from zhengzhao.model.identifiers import IdentifierReport, identify

__all__ = ["app"]

app = typer.Typer(
    help="Check resident ID numbers, credit codes, division codes and license IDs.",
    no_args_is_help=True,
)

_EXIT_ALL_VALID = 0
_EXIT_SOME_INVALID = 1


@app.callback()
def _ids() -> None:
    """Check identifiers by GB 11643, GB 32100, GB/T 2260 and GB/T 36904."""


@app.command()
def check(
    values: Annotated[
        list[str],
        typer.Argument(metavar="VALUE", help="The identifiers to check."),
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON array of reports.")
    ] = False,
    lenient: Annotated[
        bool,
        typer.Option(
            "--lenient",
            help="Accept pilot-era credit codes whose check characters fail, "
            "with a warning.",
        ),
    ] = False,
) -> None:
    """Say what each VALUE is and whether it is valid, and why not.

    Eighteen characters one typo away from a valid resident ID number are reported
    invalid even when they also pass as a credit code, with both readings named.

    Exit status: 0 when every value is valid, 1 when any value is invalid, 2 when
    the command line itself is wrong.
    """
    today = datetime.date.today()  # the edge reads the clock; the model is given it
    reports = [identify(value, lenient=lenient, today=today) for value in values]
    if as_json:
        document = [report.to_dict() for report in reports]
        typer.echo(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        Console().print(_table(reports))
    valid = all(report.valid for report in reports)
    raise typer.Exit(_EXIT_ALL_VALID if valid else _EXIT_SOME_INVALID)


def _table(reports: list[IdentifierReport]) -> Table:
    table = Table("value", "kind", "result", "detail")
    table.columns[0].overflow = "fold"  # identifiers are read whole or not at all
    for report in reports:
        result = (
            Text("VALID", style="green")
            if report.valid
            else Text("INVALID", style="red")
        )
        table.add_row(Text(report.value), str(report.kind), result, _detail(report))
    return table


def _detail(report: IdentifierReport) -> Text:
    if report.reason is not None:
        return Text(report.reason)
    lines = [f"{key}: {value}" for key, value in report.facts.items()]
    lines += [f"warning: {warning}" for warning in report.warnings]
    return Text("\n".join(lines))
